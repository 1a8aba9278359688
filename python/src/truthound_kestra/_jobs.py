"""The operations, driven like the CLI drives them: read with pyarrow, feed Arrow IPC streams
to the component, let it evaluate and render (no rule logic in Python)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import pyarrow as pa

from . import _runtime
from ._runtime import Session, plain, record
from .utils import BATCH_ROWS, get_execution_context, read_batches, utc_now
from .utils.exceptions import ConfigurationError

#: Arrow bytes per `feed` call: large enough to amortise a call, small enough that the lowering
#: image (32 bytes per IPC byte) stays in memory the allocator reuses.
FEED_BYTES = 1 << 20

#: Rule formats by the seed's engine names.
RULE_FORMATS = {"truthound": "truthound", "great_expectations": "great-expectations", "ge": "great-expectations",
                "gx": "great-expectations", "pandera": "pandera"}


def rule_format(engine_name: str) -> str:
    """The component's rule format for an engine name, or a `ConfigurationError` naming the choices."""
    key = engine_name.strip().lower().replace("-", "_")
    if key not in RULE_FORMATS:
        raise ConfigurationError(f"Failed to get engine '{engine_name}': known engines are truthound, "
                                 "great_expectations (ge, gx) and pandera", field="engine_name", value=engine_name)
    return RULE_FORMATS[key]


def canonical_engine(engine_name: str) -> str:
    """`truthound`, `great_expectations` or `pandera`."""
    return {"truthound": "truthound", "great-expectations": "great_expectations", "pandera": "pandera"}[
        rule_format(engine_name)]


def rule_document(rules: Any) -> str:
    """A rule document for the component: a list/mapping of rules as JSON, a document's text, or a file's text."""
    if isinstance(rules, (list, tuple, dict)):
        return json.dumps(list(rules) if isinstance(rules, tuple) else rules)
    if isinstance(rules, (str, os.PathLike)):
        text = str(rules)
        if "\n" not in text and os.path.isfile(text):
            with open(text, encoding="utf-8") as handle:
                return handle.read()
        return text
    raise ConfigurationError(f"rules must be a list of rules, a rule document or a file path, not {type(rules).__name__}",
                             field="rules")


@dataclass
class Source:
    """Data to read: a path/URI/inline JSON string, or data already in memory."""

    uri: str | None = None
    table: pa.Table | None = None
    file_type: str | None = None

    @staticmethod
    def of(data: Any, file_type: str | None = None) -> "Source":
        """Wraps a URI string, a `pyarrow.Table`/`RecordBatch`, a pandas DataFrame, records or columns."""
        if isinstance(data, (str, os.PathLike)):
            return Source(uri=str(data), file_type=file_type)
        if isinstance(data, pa.Table):
            return Source(table=data)
        if isinstance(data, pa.RecordBatch):
            return Source(table=pa.Table.from_batches([data]))
        if hasattr(data, "__dataframe__") or type(data).__name__ == "DataFrame":
            return Source(table=pa.Table.from_pandas(data, preserve_index=False) if hasattr(data, "to_records")
                          else pa.table(data))
        if isinstance(data, dict):
            return Source(table=pa.table(data))
        if isinstance(data, list):
            return Source(table=pa.Table.from_pylist(data))
        raise ConfigurationError(f"cannot read data of type {type(data).__name__}", field="data")

    @property
    def label(self) -> str:
        """Where the data came from, for reports."""
        return self.uri if self.uri is not None else "<in-memory table>"

    def batches(self, columns: list[str] | None) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """The full schema and the batches (only `columns` when given)."""
        if self.table is not None:
            table = self.table.select(columns) if columns is not None else self.table
            return self.table.schema, iter(table.to_batches(max_chunksize=BATCH_ROWS))
        assert self.uri is not None
        return read_batches(self.uri, self.file_type, columns)


#: IPC bodies are LZ4-compressed: wasmtime-py copies `list<u8>` at a few MB/s, so fewer bytes
#: is faster even though the engine decompresses them.
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")


def ipc_stream(schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> memoryview:
    """One Arrow IPC stream: the schema message, then the batches."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema, options=_IPC_OPTIONS) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return memoryview(sink.getvalue())


def feed_all(session: Session, feed: tuple[str, str], handle: Any, schema: pa.Schema,
             batches: Iterator[pa.RecordBatch], wants_rows: tuple[str, str] | None = None) -> None:
    """Feeds the batches in IPC streams of about `FEED_BYTES`, stopping early when the engine wants no more rows."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in batches:
        pending.append(batch)
        size += batch.nbytes
        if size >= FEED_BYTES:
            session.call(*feed, handle, ipc_stream(schema, pending))
            pending, size = [], 0
            if wants_rows and not session.call(*wants_rows, handle):
                return
    if pending:
        session.call(*feed, handle, ipc_stream(schema, pending))


def run_info(started: float, engine_name: str, source: Source) -> Any:
    """The facts the engine cannot know: time taken, clock, engine name, source."""
    return record(execution_time_ms=(time.perf_counter() - started) * 1000.0, timestamp=utc_now(),
                  engine_name=engine_name, source=source.label)


def with_context(envelope_json: str) -> dict[str, Any]:
    """The engine's envelope with the execution context in `result.metadata.context` (as the CLI)."""
    envelope = json.loads(envelope_json)
    metadata = envelope.get("result", {}).get("metadata")
    if isinstance(metadata, dict):
        metadata["context"] = get_execution_context().to_dict()
    return envelope


@dataclass
class CheckJob:
    """What a check needs."""

    rules: str
    engine_name: str = "truthound"
    sample_failures: int = 100
    min_severity: str = "low"
    timeout_seconds: float = 300.0


def check(source: Source, job: CheckJob) -> tuple[dict[str, Any], dict[str, Any]]:
    """Runs a check; returns the engine's check result (plain) and the Kestra envelope."""
    started = time.perf_counter()
    options = record(sample_failures=job.sample_failures, min_severity=job.min_severity, shard_count=1, shard_index=0,
                     rule_format=rule_format(job.engine_name))
    with _runtime.runtime().session(job.timeout_seconds) as session:
        checker = session.call("check", "[static]checker.create", job.rules, options)
        required = session.call("check", "[method]checker.required-columns", checker)
        schema, _ = source.batches([])
        projected = [name for name in schema.names if name in set(required)]
        if len(projected) < len(schema.names):
            session.call("check", "[method]checker.declare-source-schema", checker, ipc_stream(schema, []))
            schema, batches = source.batches(projected)
            schema = pa.schema([schema.field(name) for name in projected])
        else:
            schema, batches = source.batches(None)
        feed_all(session, ("check", "[method]checker.feed"), checker, schema, batches)
        result = session.call("check", "[method]checker.finish", checker)
        checker.drop(session.store)
        info = run_info(started, canonical_engine(job.engine_name), source)
        envelope = session.call("report", "render-check", result, info, "json-compact")
    return plain(result), with_context(envelope)


def profile_options(include_stats: bool = True, include_histograms: bool = False, sample_size: int = 0,
                    top_n: int = 10, distinct_limit: int = 100_000, infer_patterns: bool = False) -> Any:
    """The component's profile options (the CLI's defaults)."""
    return record(include_stats=include_stats, include_histograms=include_histograms, sample_size=sample_size,
                  top_n=top_n, distinct_limit=distinct_limit, infer_patterns=infer_patterns)


def _profile_in(session: Session, source: Source, options: Any) -> Any:
    profiler = session.call("profile", "[static]profiler.create", options)
    schema, batches = source.batches(None)
    feed_all(session, ("profile", "[method]profiler.feed"), profiler, schema, batches,
             wants_rows=("profile", "[method]profiler.wants-rows"))
    result = session.call("profile", "[method]profiler.finish", profiler)
    profiler.drop(session.store)
    return result


def profile(source: Source, options: Any, engine_name: str, timeout_seconds: float) -> tuple[dict, dict]:
    """Profiles the data; returns the profile (plain) and the Kestra envelope."""
    started = time.perf_counter()
    with _runtime.runtime().session(timeout_seconds) as session:
        result = _profile_in(session, source, options)
        info = run_info(started, canonical_engine(engine_name), source)
        envelope = session.call("report", "render-profile", result, info, "json-compact")
    return plain(result), with_context(envelope)


def learn(source: Source, options: Any, sample_size: int, engine_name: str, timeout_seconds: float,
          verify: bool = True) -> tuple[dict, dict]:
    """Learns rules (one profiling pass), then, like the CLI, drops any that fail on the same data."""
    started = time.perf_counter()
    with _runtime.runtime().session(timeout_seconds) as session:
        wanted = session.call("learn", "profile-options-for", options, sample_size)
        profiled = _profile_in(session, source, wanted)
        result = session.call("learn", "learn", profiled, options)
        rules = getattr(result, "rules")
        if verify and rules and not getattr(profiled, "sampled"):
            remaining = max(timeout_seconds - (time.perf_counter() - started), 0.001)
            checked, _ = check(source, CheckJob(getattr(result, "rule-document"), sample_failures=0,
                                                timeout_seconds=remaining))
            failed = {r["index"] for r in checked["rule_results"] if r["status"] != "passed"}
            if failed:
                kept = [rule for i, rule in enumerate(rules) if i not in failed]
                setattr(result, "rules", kept)
                setattr(result, "rule-document",
                        session.call("learn", "rule-document", kept, getattr(profiled, "row-count")))
        info = run_info(started, canonical_engine(engine_name), source)
        envelope = session.call("report", "render-learn", result, getattr(profiled, "row-count"), info, "json-compact")
    return plain(result), with_context(envelope)
