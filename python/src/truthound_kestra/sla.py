"""SLA monitoring (the seed's `sla`): thresholds evaluated by the component, which keeps no
state; the monitor here keeps the consecutive-failure counter and history, and runs hooks."""

from __future__ import annotations

import enum
import json
import logging
import sys
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from . import _runtime
from ._runtime import plain, record
from .outputs import outputs_line
from .utils import utc_now
from .utils.exceptions import SLAViolationError

_SLA_TIMEOUT_SECONDS = 30.0
logger = logging.getLogger("truthound_kestra.sla")


class AlertLevel(str, enum.Enum):
    """How loud a violation is, ordered `info < warning < error < critical`."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"

    def _rank(self) -> int:
        return list(AlertLevel).index(self)

    def __lt__(self, other: object) -> bool:
        return self._rank() < AlertLevel(other)._rank()  # type: ignore[arg-type]

    def __ge__(self, other: object) -> bool:
        return not self < other


class SLAViolationType(str, enum.Enum):
    """Which threshold a violation broke."""

    FAILURE_RATE_EXCEEDED = "failure_rate_exceeded"
    PASS_RATE_BELOW_MINIMUM = "pass_rate_below_minimum"
    EXECUTION_TIME_EXCEEDED = "execution_time_exceeded"
    ROW_COUNT_BELOW_MINIMUM = "row_count_below_minimum"
    ROW_COUNT_ABOVE_MAXIMUM = "row_count_above_maximum"
    CONSECUTIVE_FAILURES = "consecutive_failures"
    CUSTOM = "custom"


@dataclass(frozen=True)
class SLAConfig:
    """Thresholds of an SLA; unset thresholds are not checked."""

    enabled: bool = True
    max_failure_rate: float | None = None
    min_pass_rate: float | None = None
    max_execution_time_seconds: float | None = None
    min_row_count: int | None = None
    max_row_count: int | None = None
    max_consecutive_failures: int = 3
    alert_on_warning: bool = False
    alert_level: AlertLevel = AlertLevel.ERROR
    tags: frozenset[str] = frozenset()
    flow_id: str | None = None
    task_id: str | None = None
    namespace: str | None = None

    def __post_init__(self) -> None:
        for name in ("max_failure_rate", "min_pass_rate"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        object.__setattr__(self, "alert_level", AlertLevel(getattr(self.alert_level, "value", self.alert_level)))

    def with_failure_rate(self, rate: float) -> "SLAConfig":
        """A copy with another maximum failure rate."""
        return replace(self, max_failure_rate=rate)

    def with_pass_rate(self, rate: float) -> "SLAConfig":
        """A copy with another minimum pass rate."""
        return replace(self, min_pass_rate=rate)

    def with_execution_time(self, seconds: float) -> "SLAConfig":
        """A copy with another time limit."""
        return replace(self, max_execution_time_seconds=seconds)

    def with_row_count(self, min_count: int | None = None, max_count: int | None = None) -> "SLAConfig":
        """A copy with row-count bounds (None keeps a bound)."""
        return replace(self, min_row_count=self.min_row_count if min_count is None else min_count,
                       max_row_count=self.max_row_count if max_count is None else max_count)

    def with_kestra_context(self, flow_id: str, task_id: str | None = None, namespace: str | None = None) -> "SLAConfig":
        """A copy naming the Kestra flow and task."""
        return replace(self, flow_id=flow_id, task_id=task_id, namespace=namespace)

    def to_record(self) -> Any:
        """The component's `sla-config`."""
        fields = {k: v for k, v in self.__dict__.items()}
        fields["alert_level"] = self.alert_level.value
        fields["tags"] = sorted(self.tags)
        return record(**fields)

    def to_dict(self) -> dict[str, Any]:
        """Every field (tags as a sorted list, the level by value)."""
        return {**self.__dict__, "tags": sorted(self.tags), "alert_level": self.alert_level.value}


DEFAULT_SLA_CONFIG = SLAConfig()
STRICT_SLA_CONFIG = SLAConfig(max_failure_rate=0.01, min_pass_rate=0.99, max_execution_time_seconds=60.0,
                              max_consecutive_failures=1, alert_level=AlertLevel.CRITICAL)
LENIENT_SLA_CONFIG = SLAConfig(max_failure_rate=0.10, min_pass_rate=0.90, max_execution_time_seconds=600.0,
                               max_consecutive_failures=5, alert_level=AlertLevel.WARNING)
PRODUCTION_SLA_CONFIG = SLAConfig(max_failure_rate=0.05, min_pass_rate=0.95, max_execution_time_seconds=300.0,
                                  max_consecutive_failures=3, alert_on_warning=True)


class SLAMetrics:
    """What one run measured; time as `execution_time_ms` or `execution_time_seconds`."""

    def __init__(self, passed_count: int = 0, failed_count: int = 0, warning_count: int = 0,
                 execution_time_ms: float = 0.0, row_count: int | None = None, timestamp: str | None = None,
                 flow_id: str | None = None, task_id: str | None = None, execution_id: str | None = None,
                 execution_time_seconds: float | None = None) -> None:
        self.passed_count, self.failed_count, self.warning_count = passed_count, failed_count, warning_count
        self.execution_time_ms = execution_time_seconds * 1000.0 if execution_time_seconds is not None \
            else execution_time_ms
        self.row_count, self.timestamp = row_count, timestamp or utc_now()
        self.flow_id, self.task_id, self.execution_id = flow_id, task_id, execution_id

    @property
    def execution_time_seconds(self) -> float:
        """The time in seconds."""
        return self.execution_time_ms / 1000.0

    @property
    def pass_rate(self) -> float:
        """passed / (passed + failed), 1 when nothing was decided."""
        total = self.passed_count + self.failed_count
        return self.passed_count / total if total else 1.0

    @classmethod
    def from_check_result(cls, result: Any, flow_id: str | None = None, task_id: str | None = None,
                          execution_id: str | None = None) -> "SLAMetrics":
        """The metrics of a check result or envelope (`total_rows` is the row count)."""
        data = dict(result)
        data = data.get("result", data) if isinstance(data.get("result"), dict) else data
        return cls(passed_count=data.get("passed_count", 0), failed_count=data.get("failed_count", 0),
                   warning_count=data.get("warning_count", 0), execution_time_ms=data.get("execution_time_ms", 0.0),
                   row_count=data.get("total_rows"), flow_id=flow_id, task_id=task_id, execution_id=execution_id)

    def to_record(self) -> Any:
        """The component's `sla-metrics`."""
        return record(passed_count=self.passed_count, failed_count=self.failed_count,
                      warning_count=self.warning_count, execution_time_ms=float(self.execution_time_ms),
                      row_count=self.row_count, timestamp=self.timestamp, flow_id=self.flow_id,
                      task_id=self.task_id, execution_id=self.execution_id)

    def to_dict(self) -> dict[str, Any]:
        """The metrics with `pass_rate` and `failure_rate`."""
        return {**self.__dict__, "pass_rate": self.pass_rate, "failure_rate": 1.0 - self.pass_rate}


@dataclass(frozen=True)
class SLAViolation:
    """One broken threshold."""

    violation_type: SLAViolationType
    message: str
    threshold: float | None = None
    actual: float | None = None
    alert_level: AlertLevel = AlertLevel.ERROR
    timestamp: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The violation with enums by value."""
        return {**self.__dict__, "violation_type": self.violation_type.value, "alert_level": self.alert_level.value}


@dataclass(frozen=True)
class SLAEvaluationResult:
    """The outcome of one evaluation."""

    config: SLAConfig
    metrics: SLAMetrics
    violations: tuple[SLAViolation, ...]
    evaluated_at: str | None
    consecutive_failures: int
    pass_rate: float
    failure_rate: float

    @property
    def is_compliant(self) -> bool:
        """No violations."""
        return not self.violations

    @property
    def has_critical_violations(self) -> bool:
        """Any violation at critical level."""
        return any(v.alert_level == AlertLevel.CRITICAL for v in self.violations)

    @property
    def max_alert_level(self) -> AlertLevel | None:
        """The loudest level, if any."""
        return max((v.alert_level for v in self.violations), key=lambda level: level._rank(), default=None)

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as plain data."""
        return {"config": self.config.to_dict(), "metrics": self.metrics.to_dict(),
                "violations": [v.to_dict() for v in self.violations], "evaluated_at": self.evaluated_at,
                "consecutive_failures": self.consecutive_failures, "is_compliant": self.is_compliant,
                "violation_count": len(self.violations), "pass_rate": self.pass_rate,
                "failure_rate": self.failure_rate}


def _evaluate(config: SLAConfig, metrics: SLAMetrics, previous: int) -> SLAEvaluationResult:
    raw = plain(_runtime.with_session(_SLA_TIMEOUT_SECONDS, lambda s: s.call(
        "sla", "evaluate", config.to_record(), metrics.to_record(), previous)))
    violations = tuple(SLAViolation(SLAViolationType(v["violation_type"].replace("-", "_")), v["message"],
                                    v["threshold"], v["actual"], AlertLevel(v["alert_level"]), v["timestamp"],
                                    json.loads(v["metadata"] or "{}")) for v in raw["violations"])
    return SLAEvaluationResult(config, metrics, violations, raw["evaluated_at"], raw["consecutive_failures"],
                               raw["pass_rate"], raw["failure_rate"])


class BaseSLAHook:
    """A hook called after each evaluation of an enabled SLA."""

    def on_sla_pass(self, result: SLAEvaluationResult) -> None:
        """The SLA held."""

    def on_sla_violation(self, result: SLAEvaluationResult) -> None:
        """The SLA was violated."""

    def on_consecutive_failures(self, result: SLAEvaluationResult, count: int) -> None:
        """`count` failing runs in a row reached the configured maximum."""


class LoggingSLAHook(BaseSLAHook):
    """Logs passes (info or debug) and violations (warning, one line per violation)."""

    def __init__(self, log_level: str = "info", include_details: bool = True) -> None:
        self.log_level, self.include_details = log_level, include_details

    def on_sla_pass(self, result: SLAEvaluationResult) -> None:
        log = logger.debug if self.log_level == "debug" else logger.info
        log(f"SLA passed: pass_rate={result.pass_rate:.2%}, execution_time={result.metrics.execution_time_seconds:.2f}s")

    def on_sla_violation(self, result: SLAEvaluationResult) -> None:
        logger.warning(f"SLA violated: {len(result.violations)} violation(s), "
                       f"consecutive_failures={result.consecutive_failures}")
        if self.include_details:
            for v in result.violations:
                logger.warning(f"  [{v.alert_level.value.upper()}] {v.violation_type.value}: {v.message}")

    def on_consecutive_failures(self, result: SLAEvaluationResult, count: int) -> None:
        logger.error(f"CRITICAL: {count} consecutive SLA failures "
                     f"(threshold: {result.config.max_consecutive_failures})")


class MetricsSLAHook(BaseSLAHook):
    """Counts passes and violations by type and level."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forgets everything counted."""
        self.pass_count = 0
        self.violation_count = 0
        self.violations_by_type: dict[str, int] = {}
        self.violations_by_level: dict[str, int] = {}
        self.total_violations = 0
        self.last_evaluation: SLAEvaluationResult | None = None

    def on_sla_pass(self, result: SLAEvaluationResult) -> None:
        self.pass_count += 1
        self.last_evaluation = result

    def on_sla_violation(self, result: SLAEvaluationResult) -> None:
        self.violation_count += 1
        self.last_evaluation = result
        for v in result.violations:
            self.total_violations += 1
            self.violations_by_type[v.violation_type.value] = self.violations_by_type.get(v.violation_type.value, 0) + 1
            self.violations_by_level[v.alert_level.value] = self.violations_by_level.get(v.alert_level.value, 0) + 1

    @property
    def total_count(self) -> int:
        """Evaluations seen."""
        return self.pass_count + self.violation_count

    @property
    def pass_rate(self) -> float:
        """Share of evaluations that passed (1 when none)."""
        return self.pass_count / self.total_count if self.total_count else 1.0

    def to_dict(self) -> dict[str, Any]:
        """The counters."""
        return {"pass_count": self.pass_count, "violation_count": self.violation_count,
                "violations_by_type": dict(self.violations_by_type),
                "violations_by_level": dict(self.violations_by_level), "total_violations": self.total_violations,
                "total_count": self.total_count, "pass_rate": self.pass_rate}


class CallbackSLAHook(BaseSLAHook):
    """Calls the functions given."""

    def __init__(self, on_pass: Callable[[SLAEvaluationResult], Any] | None = None,
                 on_violation: Callable[[SLAEvaluationResult], Any] | None = None,
                 on_consecutive: Callable[[SLAEvaluationResult, int], Any] | None = None) -> None:
        self._pass, self._violation, self._consecutive = on_pass, on_violation, on_consecutive

    def on_sla_pass(self, result: SLAEvaluationResult) -> None:
        if self._pass:
            self._pass(result)

    def on_sla_violation(self, result: SLAEvaluationResult) -> None:
        if self._violation:
            self._violation(result)

    def on_consecutive_failures(self, result: SLAEvaluationResult, count: int) -> None:
        if self._consecutive:
            self._consecutive(result, count)


_EMOJI = {AlertLevel.INFO: "\u2139\ufe0f", AlertLevel.WARNING: "\u26a0\ufe0f", AlertLevel.ERROR: "\u274c",
          AlertLevel.CRITICAL: "\U0001f534"}


class KestraNotificationHook(BaseSLAHook):
    """Prints an `sla_alert` Kestra output (channel, message, level, timestamp) on violations at
    or above `min_alert_level`, for a later notification task."""

    def __init__(self, channel: str = "slack", min_alert_level: AlertLevel | str = AlertLevel.WARNING,
                 include_metrics: bool = True) -> None:
        self.channel, self.min_alert_level = channel, AlertLevel(getattr(min_alert_level, "value", min_alert_level))
        self.include_metrics = include_metrics

    def _send(self, message: str, level: AlertLevel) -> None:
        alert = {"channel": self.channel, "message": message, "level": level.value, "timestamp": utc_now()}
        sys.stdout.write(outputs_line({"sla_alert": alert}) + "\n")
        sys.stdout.flush()

    def on_sla_violation(self, result: SLAEvaluationResult) -> None:
        relevant = [v for v in result.violations if v.alert_level >= self.min_alert_level]
        if not relevant:
            return
        config = result.config
        lines = ["\U0001f6a8 SLA Violation Alert", "", f"**Flow:** {result.metrics.flow_id or config.flow_id or 'N/A'}",
                 f"**Task:** {result.metrics.task_id or config.task_id or 'N/A'}", f"**Violations:** {len(relevant)}", ""]
        for v in relevant:
            lines += [f"{_EMOJI[v.alert_level]} **{v.violation_type.value}**", f"   {v.message}"]
        if self.include_metrics:
            lines += ["", "**Metrics:**", f"- Pass Rate: {result.pass_rate:.1%}",
                      f"- Execution Time: {result.metrics.execution_time_seconds:.2f}s",
                      f"- Consecutive Failures: {result.consecutive_failures}"]
        self._send("\n".join(lines), result.max_alert_level or AlertLevel.ERROR)

    def on_consecutive_failures(self, result: SLAEvaluationResult, count: int) -> None:
        self._send(f"\U0001f534 CRITICAL: {count} consecutive SLA failures\n\n**Flow:** "
                   f"{result.metrics.flow_id or 'N/A'}\n**Task:** {result.metrics.task_id or 'N/A'}\n"
                   f"**Threshold:** {result.config.max_consecutive_failures}", AlertLevel.CRITICAL)


class CompositeSLAHook(BaseSLAHook):
    """Calls several hooks; one hook's failure does not stop the others."""

    def __init__(self, hooks: list[BaseSLAHook] | None = None) -> None:
        self.hooks = list(hooks or [])

    def add_hook(self, hook: BaseSLAHook) -> None:
        """Adds a hook."""
        self.hooks.append(hook)

    def remove_hook(self, hook: BaseSLAHook) -> bool:
        """Removes a hook; False when it was not there."""
        if hook in self.hooks:
            self.hooks.remove(hook)
            return True
        return False

    def _each(self, method: str, *args: Any) -> None:
        for hook in self.hooks:
            try:
                getattr(hook, method)(*args)
            except Exception:  # noqa: BLE001 (hooks must not break monitoring)
                logger.exception(f"SLA hook {type(hook).__name__}.{method} failed")

    def on_sla_pass(self, result: SLAEvaluationResult) -> None:
        self._each("on_sla_pass", result)

    def on_sla_violation(self, result: SLAEvaluationResult) -> None:
        self._each("on_sla_violation", result)

    def on_consecutive_failures(self, result: SLAEvaluationResult, count: int) -> None:
        self._each("on_consecutive_failures", result, count)


class SLAMonitor:
    """Evaluates metrics against one SLA, counting failing runs in a row and keeping a history."""

    def __init__(self, config: SLAConfig = DEFAULT_SLA_CONFIG, hooks: list[BaseSLAHook] | None = None) -> None:
        self.config = config
        self.hooks = CompositeSLAHook(hooks)
        self.consecutive_failures = 0
        self._history: list[SLAEvaluationResult] = []

    def evaluate(self, metrics: SLAMetrics, raise_on_violation: bool = False) -> SLAEvaluationResult:
        """Evaluates; hooks run for enabled SLAs; `raise_on_violation` raises `SLAViolationError`."""
        result = _evaluate(self.config, metrics, self.consecutive_failures)
        if not self.config.enabled:
            return result
        self.consecutive_failures = result.consecutive_failures
        self._history.append(result)
        if result.is_compliant:
            self.hooks.on_sla_pass(result)
        else:
            self.hooks.on_sla_violation(result)
            if any(v.violation_type == SLAViolationType.CONSECUTIVE_FAILURES for v in result.violations):
                self.hooks.on_consecutive_failures(result, result.consecutive_failures)
        if raise_on_violation and result.violations:
            raise SLAViolationError(f"SLA violated: {len(result.violations)} violation(s)", list(result.violations))
        return result

    @property
    def history(self) -> list[SLAEvaluationResult]:
        """Evaluations so far (a copy)."""
        return list(self._history)

    def clear_history(self) -> None:
        """Forgets the history."""
        self._history.clear()

    def reset_consecutive_failures(self) -> None:
        """Starts counting failing runs from zero."""
        self.consecutive_failures = 0


class SLARegistry:
    """Named monitors."""

    def __init__(self) -> None:
        self._monitors: dict[str, SLAMonitor] = {}

    def register(self, name: str, config: SLAConfig, hooks: list[BaseSLAHook] | None = None) -> SLAMonitor:
        """A new monitor under `name` (replacing any)."""
        self._monitors[name] = SLAMonitor(config, hooks)
        return self._monitors[name]

    def get(self, name: str) -> SLAMonitor | None:
        """The monitor named `name`."""
        return self._monitors.get(name)

    def evaluate(self, name: str, metrics: SLAMetrics, raise_on_violation: bool = False) -> SLAEvaluationResult | None:
        """Evaluates with the monitor `name`; None (and a warning) when there is none."""
        monitor = self._monitors.get(name)
        if monitor is None:
            logger.warning(f"no SLA registered as {name!r}")
            return None
        return monitor.evaluate(metrics, raise_on_violation)

    def list_names(self) -> list[str]:
        """Names in registration order."""
        return list(self._monitors)

    def remove(self, name: str) -> bool:
        """Removes a monitor; False when there was none."""
        return self._monitors.pop(name, None) is not None

    def clear(self) -> None:
        """Removes every monitor."""
        self._monitors.clear()

    def get_all_results(self) -> dict[str, list[SLAEvaluationResult]]:
        """Every monitor's history."""
        return {name: monitor.history for name, monitor in self._monitors.items()}


_REGISTRY: SLARegistry | None = None


def get_sla_registry() -> SLARegistry:
    """The process-wide registry."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = SLARegistry()
    return _REGISTRY


def reset_sla_registry() -> None:
    """Replaces the process-wide registry with an empty one."""
    global _REGISTRY
    _REGISTRY = SLARegistry()


def register_sla(name: str, config: SLAConfig, hooks: list[BaseSLAHook] | None = None) -> SLAMonitor:
    """Registers an SLA in the process-wide registry."""
    return get_sla_registry().register(name, config, hooks)


def evaluate_sla(name: str, metrics: SLAMetrics, raise_on_violation: bool = False) -> SLAEvaluationResult | None:
    """Evaluates a registered SLA."""
    return get_sla_registry().evaluate(name, metrics, raise_on_violation)


__all__ = [
    "AlertLevel", "SLAViolationType", "SLAConfig", "SLAMetrics", "SLAViolation", "SLAEvaluationResult",
    "SLAMonitor", "SLARegistry", "BaseSLAHook", "LoggingSLAHook", "MetricsSLAHook", "CallbackSLAHook",
    "KestraNotificationHook", "CompositeSLAHook", "DEFAULT_SLA_CONFIG", "STRICT_SLA_CONFIG", "LENIENT_SLA_CONFIG",
    "PRODUCTION_SLA_CONFIG", "get_sla_registry", "reset_sla_registry", "register_sla", "evaluate_sla",
]
