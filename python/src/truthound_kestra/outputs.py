"""Kestra outputs: real protocol lines (`::{"outputs":{...}}::`, `::{"metrics":[...]}::`,
`::{"logs":[...]}::`) on stdout, which Kestra parses into `outputs.<task>.vars`, never the
seed's fallback `::outputs:: {...}`, which Kestra ignores."""

from __future__ import annotations

import enum
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, TextIO

from .utils import create_kestra_output, format_duration, utc_now
from .utils.exceptions import OutputError

CHECK_RESULT, PROFILE_RESULT, LEARN_RESULT = "check_result", "profile_result", "learn_result"


def protocol_line(payload: dict[str, Any]) -> str:
    """`::<compact JSON>::`, with NEL, LINE and PARAGRAPH SEPARATOR escaped so a line reader keeps one line."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
    for raw, escaped in (("\u0085", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return f"::{text}::"


def outputs_line(outputs: dict[str, Any]) -> str:
    """`::{"outputs":{...}}::`."""
    return protocol_line({"outputs": outputs})


def metrics_line(metrics: Iterable[dict[str, Any]]) -> str:
    """`::{"metrics":[...]}::` for items made by `counter` and `timer`."""
    return protocol_line({"metrics": list(metrics)})


def logs_line(level: str, message: str) -> str:
    """`::{"logs":[{"level":..., "message":...}]}::`."""
    return protocol_line({"logs": [{"level": level, "message": message}]})


def counter(name: str, value: float, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A counter metric."""
    return {"name": name, "type": "counter", "value": float(value), "tags": dict(tags or {})}


def timer(name: str, seconds: float, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A timer metric, in seconds."""
    return {"name": name, "type": "timer", "value": float(seconds), "tags": dict(tags or {})}


class OutputFormat(str, enum.Enum):
    """File formats of `FileOutputHandler`."""

    JSON = "json"
    YAML = "yaml"
    MARKDOWN = "markdown"


@dataclass(frozen=True)
class OutputConfig:
    """How results are formatted (the seed's `OutputConfig`)."""

    format: OutputFormat = OutputFormat.JSON
    include_summary: bool = True
    include_failures: bool = True
    max_failures: int = 100
    include_metadata: bool = True
    file_output: bool = False
    file_path: str | None = None

    def with_format(self, fmt: OutputFormat | str) -> "OutputConfig":
        """A copy writing `fmt`."""
        return replace(self, format=OutputFormat(fmt))

    def with_file_output(self, path: str) -> "OutputConfig":
        """A copy writing to `path`."""
        return replace(self, file_output=True, file_path=path)


def _result_of(result: Any) -> dict[str, Any]:
    """The `result` part of an envelope, a script result or a plain result dict."""
    data = dict(result) if isinstance(result, dict) else result.to_dict() if hasattr(result, "to_dict") else {}
    return data.get("result", data) if isinstance(data.get("result"), dict) else data


def format_check_result(result: Any, config: OutputConfig = OutputConfig()) -> dict[str, Any]:
    """The seed's `format_check_result`: status, summary, failures (capped), metadata, timestamp."""
    data = _result_of(result)
    passed, failed = int(data.get("passed_count", 0)), int(data.get("failed_count", 0))
    formatted: dict[str, Any] = {"status": data.get("status", "unknown"),
                                 "is_success": bool(data.get("is_success", False)),
                                 "operation": data.get("operation", "check")}
    if config.include_summary:
        rate = passed / (passed + failed) if passed + failed else 1.0
        formatted["summary"] = {"passed_count": passed, "failed_count": failed,
                                "warning_count": int(data.get("warning_count", 0)), "total_count": passed + failed,
                                "total_rows": int(data.get("total_rows", 0)), "pass_rate": rate,
                                "pass_rate_formatted": f"{rate * 100:.1f}%",
                                "execution_time": format_duration(float(data.get("execution_time_ms", 0.0)))}
    failures = list(data.get("failures") or [])
    if config.include_failures and failures:
        formatted["failures"] = failures[: config.max_failures] if config.max_failures > 0 else failures
        formatted["failures_count"] = len(failures)
    if config.include_metadata:
        formatted["metadata"] = data.get("metadata", {})
    formatted["timestamp"] = data.get("timestamp") or utc_now()
    return formatted


class KestraOutputHandler:
    """Sends outputs as protocol lines to stdout (or another text stream)."""

    def __init__(self, config: OutputConfig | None = None, stream: TextIO | None = None) -> None:
        self.config = config or OutputConfig()
        self.stream = stream

    def send(self, name_or_outputs: str | dict[str, Any], value: Any = None) -> None:
        """Sends a mapping of outputs, or one output `name` = `value`."""
        outputs = {name_or_outputs: value} if isinstance(name_or_outputs, str) else dict(name_or_outputs)
        stream = self.stream or sys.stdout
        try:
            stream.write(outputs_line(outputs) + "\n")
            stream.flush()
        except (OSError, ValueError, TypeError) as error:
            names = ", ".join(outputs)
            raise OutputError(f"Failed to send outputs to Kestra: {error}", output_name=names, output_type="kestra") from error

    def send_metric(self, name: str, value: float, tags: dict[str, str] | None = None) -> None:
        """Sends one counter metric."""
        (self.stream or sys.stdout).write(metrics_line([counter(name, value, tags)]) + "\n")

    def send_check_result(self, result: Any, output_name: str = CHECK_RESULT) -> None:
        """`{output_name: <formatted>, "status", "is_success"}`."""
        formatted = format_check_result(result, self.config)
        self.send({output_name: formatted, "status": formatted["status"], "is_success": formatted["is_success"]})

    def send_profile_result(self, result: Any, output_name: str = PROFILE_RESULT) -> None:
        """`{output_name: {status, columns, column_count, row_count, metadata, timestamp}}`."""
        data = _result_of(result)
        columns = list(data.get("columns") or [])
        self.send({output_name: {"status": data.get("status", "passed"), "columns": columns,
                                 "column_count": len(columns), "row_count": data.get("total_rows", 0),
                                 "metadata": data.get("metadata", {}), "timestamp": data.get("timestamp") or utc_now()}})

    def send_learn_result(self, result: Any, output_name: str = LEARN_RESULT) -> None:
        """`{output_name: {status, rules, rule_count, learned_rules, ...}, "learned_rules": [...]}`."""
        data = _result_of(result)
        rules = list(data.get("rules") or [])
        learned = [{"type": r["rule_type"], "column": r["column"], **r.get("parameters", {})} for r in rules]
        self.send({output_name: {"status": data.get("status", "passed"), "rules": rules, "rule_count": len(rules),
                                 "learned_rules": learned, "metadata": data.get("metadata", {}),
                                 "timestamp": data.get("timestamp") or utc_now()}, "learned_rules": learned})


class FileOutputHandler(KestraOutputHandler):
    """Writes outputs to `config.file_path` as JSON, YAML or Markdown instead of stdout."""

    def send(self, name_or_outputs: str | dict[str, Any], value: Any = None) -> None:
        outputs = {name_or_outputs: value} if isinstance(name_or_outputs, str) else dict(name_or_outputs)
        if not self.config.file_path:
            raise OutputError("File path not configured", output_type="file")
        from .utils.serialization import get_serializer

        try:
            Path(self.config.file_path).write_text(get_serializer(self.config.format.value).serialize(outputs),
                                                   encoding="utf-8")
        except OSError as error:
            raise OutputError(f"cannot write {self.config.file_path}: {error}", output_name=self.config.file_path,
                              output_type="file") from error


class MultiOutputHandler(KestraOutputHandler):
    """Sends to every handler; fails only when all of them fail."""

    def __init__(self, handlers: list[KestraOutputHandler], config: OutputConfig | None = None) -> None:
        super().__init__(config)
        self.handlers = list(handlers)

    def send(self, name_or_outputs: str | dict[str, Any], value: Any = None) -> None:
        errors = []
        for handler in self.handlers:
            try:
                handler.send(name_or_outputs, value)
            except OutputError as error:
                errors.append(str(error))
        if self.handlers and len(errors) == len(self.handlers):
            raise OutputError(f"All output handlers failed: {errors}", output_type="multi")


def send_outputs(outputs: dict[str, Any]) -> None:
    """Sends outputs with a default handler."""
    KestraOutputHandler().send(outputs)


def send_check_result(result: Any, output_name: str = CHECK_RESULT) -> None:
    """Sends a check result with a default handler."""
    KestraOutputHandler().send_check_result(result, output_name)


def send_profile_result(result: Any, output_name: str = PROFILE_RESULT) -> None:
    """Sends a profile with a default handler."""
    KestraOutputHandler().send_profile_result(result, output_name)


def send_learn_result(result: Any, output_name: str = LEARN_RESULT) -> None:
    """Sends learned rules with a default handler."""
    KestraOutputHandler().send_learn_result(result, output_name)


def send_metric(name: str, value: float, tags: dict[str, str] | None = None) -> None:
    """Sends one counter metric with a default handler."""
    KestraOutputHandler().send_metric(name, value, tags)


__all__ = [
    "OutputFormat", "OutputConfig", "KestraOutputHandler", "FileOutputHandler", "MultiOutputHandler",
    "format_check_result", "send_outputs", "send_check_result", "send_profile_result", "send_learn_result",
    "send_metric", "create_kestra_output", "protocol_line", "outputs_line", "metrics_line", "logs_line",
    "counter", "timer",
]
