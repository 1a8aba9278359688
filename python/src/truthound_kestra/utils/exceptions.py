"""The seed's exception hierarchy; every error a user sees names its culprit."""

from __future__ import annotations

from typing import Any


class DataQualityError(Exception):
    """Base of every error of the package; `result` carries a failing check's counts."""

    #: Exit code of a script task that ends with this error (the CLI's codes; 1: rules failed).
    exit_code = 1

    def __init__(self, message: str, result: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.result = result
        self.metadata = dict(metadata or {})

    def _parts(self) -> list[tuple[str, Any]]:
        return []

    def __str__(self) -> str:
        parts = [f"{name}={value!r}" for name, value in self._parts() if value is not None]
        if parts:
            return " | ".join([self.message, *parts])
        if self.result:
            return f"{self.message} (status={self.result.get('status', 'UNKNOWN')}, failed={self.result.get('failed_count', 0)})"
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """`type`, `message`, `result`, `metadata`, then the subclass's fields."""
        data = {"type": type(self).__name__, "message": self.message, "result": self.result, "metadata": self.metadata}
        data.update({name: value for name, value in self._fields().items()})
        return data

    def _fields(self) -> dict[str, Any]:
        return {}


class ConfigurationError(DataQualityError):
    """A configuration, rule document or option is wrong (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None, value: Any = None, reason: str | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.field, self.value, self.reason = field, value, reason

    def _parts(self) -> list[tuple[str, Any]]:
        return [("field", self.field), ("value", self.value), ("reason", self.reason)]

    def _fields(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "reason": self.reason}


class EngineError(DataQualityError):
    """The engine could not finish: a trap, the deadline, the memory limit (exit code 4)."""

    exit_code = 4

    def __init__(self, message: str, engine_name: str | None = None, operation: str | None = None,
                 original_error: BaseException | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.engine_name, self.operation, self.original_error = engine_name, operation, original_error

    def _parts(self) -> list[tuple[str, Any]]:
        caused = type(self.original_error).__name__ if self.original_error else None
        return [("engine", self.engine_name), ("operation", self.operation), ("caused_by", caused)]

    def __str__(self) -> str:
        parts = [f"{name}={value!r}" if name != "caused_by" else f"{name}={value}"
                 for name, value in self._parts() if value is not None]
        return " | ".join([self.message, *parts])

    def _fields(self) -> dict[str, Any]:
        return {"engine_name": self.engine_name, "operation": self.operation,
                "original_error": str(self.original_error) if self.original_error else None,
                "original_error_type": type(self.original_error).__name__ if self.original_error else None}


class ScriptError(DataQualityError):
    """A script could not load its data (exit code 3)."""

    exit_code = 3

    def __init__(self, message: str, script_name: str | None = None, task_id: str | None = None,
                 execution_id: str | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.script_name, self.task_id, self.execution_id = script_name, task_id, execution_id

    def _parts(self) -> list[tuple[str, Any]]:
        return [("script", self.script_name), ("task_id", self.task_id), ("execution_id", self.execution_id)]

    def _fields(self) -> dict[str, Any]:
        return {"script_name": self.script_name, "task_id": self.task_id, "execution_id": self.execution_id}


class FlowError(DataQualityError):
    """A flow could not be generated (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, flow_id: str | None = None, namespace: str | None = None,
                 trigger: str | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.flow_id, self.namespace, self.trigger = flow_id, namespace, trigger

    def _parts(self) -> list[tuple[str, Any]]:
        return [("flow_id", self.flow_id), ("namespace", self.namespace), ("trigger", self.trigger)]

    def _fields(self) -> dict[str, Any]:
        return dict(self._parts())


class OutputError(DataQualityError):
    """Outputs could not be sent or written (exit code 6)."""

    exit_code = 6

    def __init__(self, message: str, output_name: str | None = None, output_type: str | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.output_name, self.output_type = output_name, output_type

    def _parts(self) -> list[tuple[str, Any]]:
        return [("output", self.output_name), ("type", self.output_type)]

    def _fields(self) -> dict[str, Any]:
        return {"output_name": self.output_name, "output_type": self.output_type}


class SLAViolationError(DataQualityError):
    """An SLA was violated and the caller asked to raise (exit code 5)."""

    exit_code = 5

    def __init__(self, message: str, violations: list[Any] | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.violations = list(violations or [])

    def __str__(self) -> str:
        return f"{self.message} ({len(self.violations)} violation(s))" if self.violations else self.message

    def _fields(self) -> dict[str, Any]:
        return {"violations": [v.to_dict() if hasattr(v, "to_dict") else str(v) for v in self.violations],
                "violation_count": len(self.violations)}


class SerializationError(DataQualityError):
    """A result could not be serialised or read back (exit code 7)."""

    exit_code = 7

    def __init__(self, message: str, format: str | None = None, direction: str | None = None, **kw: Any):
        super().__init__(message, **kw)
        self.format, self.direction = format, direction

    def _parts(self) -> list[tuple[str, Any]]:
        return [("format", self.format), ("direction", self.direction)]

    def _fields(self) -> dict[str, Any]:
        return dict(self._parts())


__all__ = [
    "DataQualityError", "ConfigurationError", "EngineError", "ScriptError", "FlowError", "OutputError",
    "SLAViolationError", "SerializationError",
]
