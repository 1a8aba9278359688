"""Result serialisation (the seed's `utils.serialization`): JSON, YAML (needs PyYAML) and a
Markdown report of a result or output envelope."""

from __future__ import annotations

import json
from typing import Any

from . import utc_now
from .exceptions import SerializationError

_STATUS_ICONS = {"passed": "\u2705", "failed": "\u274c", "warning": "\u26a0\ufe0f", "skipped": "\u23ed\ufe0f",
                 "error": "\U0001f4a5"}


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return dict(result)
    if hasattr(result, "to_dict"):
        return result.to_dict()
    raise SerializationError(f"cannot serialise a {type(result).__name__}", format="dict", direction="serialize")


class JsonSerializer:
    """Indented JSON (compact with `compact=True`); non-JSON values as text."""

    def __init__(self, compact: bool = False) -> None:
        self.compact = compact

    def serialize(self, result: Any) -> str:
        """The result as JSON."""
        return json.dumps(_as_dict(result), indent=None if self.compact else 2, ensure_ascii=False, default=str)

    def deserialize(self, text: str) -> dict[str, Any]:
        """JSON back to a dict."""
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise SerializationError(f"not JSON: {error}", format="json", direction="deserialize") from error


class YamlSerializer:
    """Block-style YAML in the result's key order."""

    def serialize(self, result: Any) -> str:
        """The result as YAML."""
        return _yaml().safe_dump(json.loads(JsonSerializer().serialize(result)), allow_unicode=True, sort_keys=False)

    def deserialize(self, text: str) -> dict[str, Any]:
        """YAML back to a dict."""
        try:
            return _yaml().safe_load(text)
        except Exception as error:  # noqa: BLE001 (PyYAML's errors have no common base we import)
            raise SerializationError(f"not YAML: {error}", format="yaml", direction="deserialize") from error


def _yaml() -> Any:
    try:
        import yaml
    except ImportError as error:
        raise SerializationError("YAML needs PyYAML: pip install pyyaml", format="yaml") from error
    return yaml


class MarkdownSerializer:
    """The seed's Markdown report: summary, failures, column profiles, learned rules."""

    def serialize(self, result: Any) -> str:
        """The result (or an envelope's `result`) as Markdown."""
        data = _as_dict(result)
        data = data["result"] if isinstance(data.get("result"), dict) else data
        status = str(data.get("status", "unknown"))
        lines = [f"# Data Quality Report {_STATUS_ICONS.get(status, chr(0x2753))}", "", "## Summary", "",
                 f"- **Status:** {status}"]
        for key, label in (("passed_count", "Passed"), ("failed_count", "Failed"), ("total_rows", "Total Rows")):
            if key in data:
                lines.append(f"- **{label}:** {data[key]}")
        if "execution_time_ms" in data:
            lines.append(f"- **Execution Time:** {float(data['execution_time_ms']):.2f}ms")
        lines.append("")
        tables = (
            ("Validation Failures", ("Column", "Rule", "Message", "Severity"), data.get("failures") or [],
             lambda f: (f.get("column"), f.get("rule_type"), f.get("message"), f.get("severity"))),
            ("Column Profiles", ("Column", "Type", "Nulls", "Unique"), data.get("columns") or [],
             lambda c: (c.get("column_name"), c.get("dtype"), f"{c.get('null_percentage', 0):.1f}%",
                        f"{c.get('unique_percentage', 0):.1f}%")),
            ("Learned Rules", ("Column", "Rule Type", "Confidence"), data.get("rules") or [],
             lambda r: (r.get("column"), r.get("rule_type"), f"{r.get('confidence', 0):.2f}")),
        )
        for title, header, rows, cells in tables:
            if rows:
                lines += [f"## {title}", "", "| " + " | ".join(header) + " |",
                          "|" + "|".join("--------" for _ in header) + "|"]
                lines += ["| " + " | ".join("-" if c is None else str(c) for c in cells(row)) + " |" for row in rows]
                lines.append("")
        lines += ["---", f"*Generated at: {data.get('timestamp') or utc_now()}*"]
        return "\n".join(lines) + "\n"

    def deserialize(self, text: str) -> dict[str, Any]:
        """Markdown is not parsed back: the raw text."""
        return {"_raw_markdown": text, "_type": "markdown"}


def get_serializer(fmt: Any) -> Any:
    """The serializer for `json`, `yaml` or `markdown`."""
    name = str(getattr(fmt, "value", fmt)).lower()
    serializers = {"json": JsonSerializer, "yaml": YamlSerializer, "markdown": MarkdownSerializer}
    if name not in serializers:
        raise ValueError(f"Unsupported format: {fmt}")
    return serializers[name]()


def serialize_to_format(result: Any, format: str = "json") -> str:
    """The result in `format`."""
    return get_serializer(format).serialize(result)


__all__ = ["JsonSerializer", "YamlSerializer", "MarkdownSerializer", "get_serializer", "serialize_to_format"]
