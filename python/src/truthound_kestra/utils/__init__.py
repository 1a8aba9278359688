"""Utilities of the seed: data loading through pyarrow, the Kestra execution context, outputs.

`load_data` reads local files, `http(s)://` URLs and object stores (`s3://`, `gs://` through
`pyarrow.fs`) in Parquet, CSV/TSV, JSON, NDJSON and Arrow IPC/Feather, or inline JSON records.
"""

from __future__ import annotations

import datetime as _dt
import enum
import io
import json
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.fs as pa_fs
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from .exceptions import ScriptError

#: Rows per record batch fed to the engine.
BATCH_ROWS = 16_384

_REMOTE_SCHEMES = ("s3://", "gs://", "gcs://", "http://", "https://", "az://", "azure://", "abfs://")
_FORMATS = {
    "csv": "csv", "tsv": "tsv", "txt": "csv", "parquet": "parquet", "pq": "parquet", "json": "json",
    "ndjson": "ndjson", "jsonl": "ndjson", "ipc": "ipc", "arrow": "ipc", "feather": "ipc",
}


class DataSourceType(str, enum.Enum):
    """What a data argument names."""

    FILE = "file"
    URI = "uri"
    INLINE = "inline"
    OUTPUT = "output"
    SECRET = "secret"


def detect_data_source_type(source: str) -> DataSourceType:
    """The kind of `source`, like the CLI: remote schemes, `{{ }}` expressions, secrets, inline JSON, else a path."""
    text = source.strip()
    lower = text.lower()
    if lower.startswith(_REMOTE_SCHEMES):
        return DataSourceType.URI
    expression = text[2:-2].strip() if text.startswith("{{") and text.endswith("}}") else None
    if lower.startswith("secret://") or (expression is not None and expression.startswith("secret")):
        return DataSourceType.SECRET
    if expression is not None:
        return DataSourceType.OUTPUT
    if text.startswith(("{", "[")) and not os.path.exists(text):
        return DataSourceType.INLINE
    return DataSourceType.FILE


def parse_uri(uri: str) -> dict[str, str]:
    """`scheme`, `bucket` (the host), `key`, `path`, `query`, `fragment` of a URI."""
    parts = urllib.parse.urlparse(uri)
    return {"scheme": parts.scheme, "bucket": parts.netloc, "key": parts.path.lstrip("/"), "path": parts.path,
            "query": parts.query, "fragment": parts.fragment}


def _file_format(source: str, file_type: str | None) -> str:
    if file_type:
        name = file_type.lower().lstrip(".")
    else:
        path = parse_uri(source)["path"] if "://" in source else source
        suffixes = [s.lstrip(".").lower() for s in Path(path).suffixes]
        name = next((s for s in reversed(suffixes) if s in _FORMATS), suffixes[-1] if suffixes else "")
    if name not in _FORMATS:
        raise ScriptError(f"cannot tell the format of {source}: name it with file_type (csv, tsv, parquet, json, "
                          "ndjson, ipc)", script_name="load_data")
    return _FORMATS[name]


def _open(source: str) -> Any:
    """A readable binary file for a path or URI."""
    kind = detect_data_source_type(source)
    if kind in (DataSourceType.OUTPUT, DataSourceType.SECRET):
        raise ScriptError(f"{source!r} is an unrendered Kestra expression, not data: pass it through Kestra",
                          script_name="load_data")
    lower = source.lower()
    if lower.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 (the user's URI)
            return pa.BufferReader(response.read())
    if kind == DataSourceType.URI:
        filesystem, path = pa_fs.FileSystem.from_uri(source.replace("gcs://", "gs://", 1))
        return filesystem.open_input_file(path)
    path = source[len("file://"):] if lower.startswith("file://") else os.path.expanduser(source)
    if not os.path.exists(path):
        raise ScriptError(f"{source} does not exist", script_name="load_data")
    return pa.OSFile(path, "rb")


def _csv(handle: Any, delimiter: str) -> pa_csv.CSVStreamingReader:
    return pa_csv.open_csv(
        handle,
        parse_options=pa_csv.ParseOptions(delimiter=delimiter),
        convert_options=pa_csv.ConvertOptions(strings_can_be_null=True),
        read_options=pa_csv.ReadOptions(block_size=16 << 20),
    )


def read_batches(source: str, file_type: str | None = None, columns: list[str] | None = None
                 ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The full schema of `source` and its record batches (only `columns`, when given), streamed."""
    try:
        if detect_data_source_type(source) == DataSourceType.INLINE:
            table = _inline(source)
            return table.schema, iter((table.select(columns) if columns is not None else table).to_batches(BATCH_ROWS))
        fmt = _file_format(source, file_type)
        handle = _open(source)
        if fmt == "parquet":
            reader = pq.ParquetFile(handle)
            return reader.schema_arrow, reader.iter_batches(batch_size=BATCH_ROWS, columns=columns)
        if fmt in ("csv", "tsv"):
            reader = _csv(handle, "\t" if fmt == "tsv" else ",")
            return reader.schema, _project(reader, columns)
        if fmt == "ipc":
            table = pa.ipc.open_file(handle).read_all() if _is_ipc_file(handle) else pa.ipc.open_stream(handle).read_all()
        elif fmt == "ndjson":
            table = pa_json.read_json(handle)
        else:
            table = _json_records(handle.read())
        return table.schema, _project(table.to_batches(BATCH_ROWS), columns)
    except ScriptError:
        raise
    except (OSError, pa.ArrowException, ValueError) as error:
        raise ScriptError(f"Failed to load data from {source}: {error}", script_name="load_data") from error


def _project(batches: Any, columns: list[str] | None) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        yield batch if columns is None else batch.select(columns)


def _is_ipc_file(handle: Any) -> bool:
    magic = handle.read(6)
    handle.seek(0)
    return magic == b"ARROW1"


def _json_records(data: bytes) -> pa.Table:
    text = data.decode("utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        return pa.Table.from_pylist(json.loads(text))
    if stripped.startswith("{") and "\n" not in stripped.rstrip():
        value = json.loads(text)
        return pa.table(value) if all(isinstance(v, list) for v in value.values()) else pa.Table.from_pylist([value])
    return pa_json.read_json(io.BytesIO(data))


def _inline(source: str) -> pa.Table:
    try:
        value = json.loads(source)
    except json.JSONDecodeError as error:
        raise ScriptError(f"Cannot parse inline data: {source[:100]}... ({error})", script_name="load_data") from error
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        return pa.table(value)
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return pa.Table.from_pylist(value)
    raise ScriptError("inline data must be a JSON list of records or a mapping of columns", script_name="load_data")


def load_data(source: str, file_type: str | None = None) -> pa.Table:
    """All of `source` as a `pyarrow.Table` (see the module doc for what it reads)."""
    schema, batches = read_batches(source, file_type)
    return pa.Table.from_batches(list(batches), schema=schema)


def get_kestra_variable(name: str, default: Any = None) -> Any:
    """`KESTRA_<NAME>` from the environment, JSON-decoded when it is JSON, else `default`."""
    raw = os.environ.get(f"KESTRA_{name.upper()}")
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


@dataclass(frozen=True)
class ExecutionContext:
    """Which Kestra execution a run belongs to (the CLI reads the same sources)."""

    execution_id: str
    flow_id: str
    namespace: str = "default"
    task_id: str | None = None
    attempt: int = 1
    trigger_type: str | None = None
    trigger_date: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    labels: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The context as the CLI puts it in `result.metadata.context`."""
        return {"execution_id": self.execution_id, "flow_id": self.flow_id, "namespace": self.namespace,
                "task_id": self.task_id, "attempt": self.attempt, "trigger_type": self.trigger_type,
                "trigger_date": self.trigger_date, "variables": self.variables, "labels": list(self.labels)}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]


def _attempt(text: Any) -> int:
    try:
        return max(int(str(text).strip()), 1)
    except ValueError:
        return 1


def get_execution_context() -> ExecutionContext:
    """Kestra's execution-context file (`.kestra-execution-context.json`, or the file named by
    `KESTRA_EXECUTION_CONTEXT_FILE`), else the `KESTRA_*` variables, else a local context."""
    env = os.environ
    path = Path(env.get("KESTRA_EXECUTION_CONTEXT_FILE") or ".kestra-execution-context.json")
    if path.is_file():
        try:
            variables = json.loads(path.read_text(encoding="utf-8"))
            get = lambda *keys: _dig(variables, keys)  # noqa: E731
            labels = variables.get("labels") or {}
            pairs = labels.items() if isinstance(labels, dict) else [(i.get("key"), i.get("value")) for i in labels]
            return ExecutionContext(
                execution_id=get("execution", "id") or "unknown", flow_id=get("flow", "id") or "unknown",
                namespace=get("flow", "namespace") or "default", task_id=get("task", "id"),
                attempt=_attempt(get("taskrun", "attemptsCount") or 1), trigger_type=env.get("KESTRA_TRIGGER_TYPE"),
                trigger_date=get("trigger", "date"), variables=variables.get("vars") or {},
                labels=tuple(sorted({f"{k}:{v}" for k, v in pairs})))
        except (OSError, ValueError, AttributeError):
            pass
    if "KESTRA_EXECUTION_ID" in env or "KESTRA_FLOW_ID" in env:
        return ExecutionContext(
            execution_id=env.get("KESTRA_EXECUTION_ID") or "unknown", flow_id=env.get("KESTRA_FLOW_ID") or "unknown",
            namespace=env.get("KESTRA_NAMESPACE") or "default", task_id=env.get("KESTRA_TASK_ID") or None,
            attempt=_attempt(env.get("KESTRA_ATTEMPT") or env.get("KESTRA_TASKRUN_ATTEMPT") or 1),
            trigger_type=env.get("KESTRA_TRIGGER_TYPE"), trigger_date=env.get("KESTRA_TRIGGER_DATE"))
    return ExecutionContext(execution_id="local", flow_id="local")


def _dig(value: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def utc_now() -> str:
    """The current time, ISO 8601 in UTC (`+00:00`)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


def format_duration(ms: float) -> str:
    """`12.34ms`, `1.50s`, `1m 30s`."""
    if ms < 1000:
        return f"{ms:.2f}ms"
    if ms < 60000:
        return f"{ms / 1000:.2f}s"
    return f"{int(ms // 60000)}m {(ms % 60000) / 1000:.0f}s"


def create_kestra_output(result: Any, include_summary: Any = True) -> dict[str, Any]:
    """The seed's output envelope: `result`, `status`, `is_success`, `timestamp`, `summary`.

    `create_kestra_output("name", value)` (the README's form) is the single output `{name: value}`.
    """
    if isinstance(result, str) and not isinstance(include_summary, bool):
        return {result: include_summary}
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result) if isinstance(result, dict) else {"value": result}
    output: dict[str, Any] = {"result": data, "status": data.get("status", "unknown"),
                              "is_success": bool(data.get("is_success", False)), "timestamp": utc_now()}
    if include_summary:
        passed, failed = int(data.get("passed_count", 0)), int(data.get("failed_count", 0))
        rate = passed / (passed + failed) if passed + failed else 1.0
        output["summary"] = {"passed_count": passed, "failed_count": failed, "total_count": passed + failed,
                             "pass_rate": rate, "pass_rate_formatted": f"{rate * 100:.1f}%",
                             "execution_time": format_duration(float(data.get("execution_time_ms", 0.0)))}
    return output


__all__ = [
    "DataSourceType", "detect_data_source_type", "parse_uri", "load_data", "read_batches", "get_kestra_variable",
    "ExecutionContext", "get_execution_context", "create_kestra_output", "format_duration", "utc_now",
]
