"""Script entry points for `io.kestra.plugin.scripts.python.Script` tasks (the seed's `scripts`):
check, profile and learn with the seed's configs, presets and aliases. They print the same
Kestra outputs, metrics and summary log as the CLI and return the output envelope."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Any

from . import _jobs
from .outputs import counter, logs_line, metrics_line, outputs_line, timer
from .utils.exceptions import ConfigurationError, DataQualityError, ScriptError

#: The seed's names for the data argument.
DATA_ALIASES = ("input_uri", "data_uri", "data_path", "data_source")


class Severity(str, enum.Enum):
    """The report severity scale, ordered `info < low < medium < high < critical`."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    def __lt__(self, other: object) -> bool:
        order = list(Severity)
        return order.index(self) < order.index(Severity(other))  # type: ignore[arg-type]


class OperationType(str, enum.Enum):
    """What a script does."""

    CHECK = "check"
    PROFILE = "profile"
    LEARN = "learn"


@dataclass(frozen=True)
class ScriptConfig:
    """Settings every script shares."""

    engine_name: str = "truthound"
    enabled: bool = True
    timeout_seconds: float = 300.0
    tags: frozenset[str] = frozenset()
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.timeout_seconds > 0:
            raise ConfigurationError("timeout_seconds must be positive", field="timeout_seconds",
                                     value=self.timeout_seconds)
        _jobs.rule_format(self.engine_name)

    def with_engine(self, engine_name: str) -> Any:
        """A copy (of the same class) with another engine."""
        return replace(self, engine_name=engine_name)

    def with_timeout(self, timeout_seconds: float) -> Any:
        """A copy with another timeout."""
        return replace(self, timeout_seconds=timeout_seconds)

    def with_tags(self, *tags: str) -> Any:
        """A copy with more tags."""
        return replace(self, tags=self.tags | frozenset(tags))

    def with_metadata(self, **metadata: Any) -> Any:
        """A copy with merged metadata."""
        return replace(self, metadata={**self.metadata, **metadata})

    def to_dict(self) -> dict[str, Any]:
        """Every field; enums as values, tags as a sorted list."""
        out = {}
        for item in fields(self):
            value = getattr(self, item.name)
            out[item.name] = sorted(value) if isinstance(value, frozenset) else value.value if isinstance(
                value, enum.Enum) else list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        """The config of `to_dict`."""
        known = {item.name for item in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "tags" in values:
            values["tags"] = frozenset(values["tags"])
        return cls(**values)


@dataclass(frozen=True)
class CheckScriptConfig(ScriptConfig):
    """A check's settings (the seed's `CheckScriptConfig`)."""

    rules: tuple[dict[str, Any], ...] = ()
    fail_on_error: bool = True
    auto_schema: bool = False
    min_severity: Severity = Severity.LOW
    sample_failures: int = 100
    parallel: bool = False
    max_workers: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "min_severity", Severity(str(getattr(self.min_severity, "value",
                                                                      self.min_severity)).lower()))
        object.__setattr__(self, "rules", tuple(self.rules))
        if self.sample_failures < 0:
            raise ConfigurationError("sample_failures must be 0 or more", field="sample_failures",
                                     value=self.sample_failures)
        if self.max_workers is not None and self.max_workers < 1:
            raise ConfigurationError("max_workers must be at least 1", field="max_workers", value=self.max_workers)

    def with_rules(self, rules: Any) -> "CheckScriptConfig":
        """A copy with these rules."""
        return replace(self, rules=tuple(rules))

    def with_fail_on_error(self, fail_on_error: bool) -> "CheckScriptConfig":
        """A copy that fails (or not) on failed rules."""
        return replace(self, fail_on_error=fail_on_error)

    def with_auto_schema(self, auto_schema: bool) -> "CheckScriptConfig":
        """A copy that learns a schema when no rules are given."""
        return replace(self, auto_schema=auto_schema)

    def with_min_severity(self, severity: Severity | str) -> "CheckScriptConfig":
        """A copy with another minimum severity."""
        return replace(self, min_severity=Severity(str(getattr(severity, "value", severity)).lower()))

    def with_parallel(self, parallel: bool, max_workers: int | None = None) -> "CheckScriptConfig":
        """A copy with parallelism settings (the Python host runs one instance; kept for compatibility)."""
        return replace(self, parallel=parallel, max_workers=max_workers if max_workers is not None else self.max_workers)


@dataclass(frozen=True)
class ProfileScriptConfig(ScriptConfig):
    """A profile's settings."""

    include_stats: bool = True
    include_histograms: bool = False
    sample_size: int = 0
    top_n: int = 10

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("sample_size", "top_n"):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"{name} must be 0 or more", field=name, value=getattr(self, name))

    def with_stats(self, include_stats: bool) -> "ProfileScriptConfig":
        """A copy with or without statistics."""
        return replace(self, include_stats=include_stats)

    def with_sample_size(self, sample_size: int) -> "ProfileScriptConfig":
        """A copy profiling the first `sample_size` rows."""
        return replace(self, sample_size=sample_size)


@dataclass(frozen=True)
class LearnScriptConfig(ScriptConfig):
    """Rule learning's settings."""

    min_confidence: float = 0.8
    include_patterns: bool = True
    include_ranges: bool = True
    include_categories: bool = True
    categorical_threshold: int = 50
    sample_size: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigurationError("min_confidence must be from 0 to 1", field="min_confidence",
                                     value=self.min_confidence)
        if self.categorical_threshold < 1:
            raise ConfigurationError("categorical_threshold must be at least 1", field="categorical_threshold",
                                     value=self.categorical_threshold)

    def with_min_confidence(self, min_confidence: float) -> "LearnScriptConfig":
        """A copy with another confidence threshold."""
        return replace(self, min_confidence=min_confidence)

    def with_sample_size(self, sample_size: int) -> "LearnScriptConfig":
        """A copy learning from the first `sample_size` rows."""
        return replace(self, sample_size=sample_size)


DEFAULT_SCRIPT_CONFIG = ScriptConfig()
STRICT_SCRIPT_CONFIG = CheckScriptConfig(fail_on_error=True, min_severity=Severity.LOW, sample_failures=1000)
LENIENT_SCRIPT_CONFIG = CheckScriptConfig(fail_on_error=False, min_severity=Severity.HIGH, sample_failures=10)
PRODUCTION_SCRIPT_CONFIG = CheckScriptConfig(fail_on_error=True, min_severity=Severity.MEDIUM, sample_failures=100,
                                             parallel=True, timeout_seconds=600.0)


def create_script_config(operation: OperationType | str, **kwargs: Any) -> ScriptConfig:
    """A check, profile or learn config."""
    try:
        kind = OperationType(getattr(operation, "value", operation))
    except ValueError:
        raise ConfigurationError(f"Invalid operation type: {operation}", field="operation", value=operation,
                                 reason="Must be one of: check, profile, learn") from None
    return {OperationType.CHECK: CheckScriptConfig, OperationType.PROFILE: ProfileScriptConfig,
            OperationType.LEARN: LearnScriptConfig}[kind](**kwargs)


class _View(dict):
    """A dict with attribute access and the seed's attribute names (`name`, `type`, `null_rate`)."""

    _ALIASES = {"name": "column_name", "type": "rule_type"}

    def __getattr__(self, name: str) -> Any:
        if name == "null_rate" and "null_percentage" in self:
            return self["null_percentage"] / 100.0
        key = name if name in self else self._ALIASES.get(name, name)
        if key not in self:
            raise AttributeError(name)
        return _view(self[key])


def _view(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, _View):
        return _View(value)
    if isinstance(value, list):
        return [_view(item) for item in value]
    return value


class ScriptResult(dict):
    """The Kestra output envelope a script emitted; its `result` fields read as attributes
    (`result.status`, `result.passed_count`, `result.columns`, `result.rules`, ...)."""

    def __getattr__(self, name: str) -> Any:
        inner = dict.get(self, "result", {})
        if name in inner:
            return _view(inner[name])
        if name in self:
            return _view(self[name])
        raise AttributeError(name)

    @property
    def is_success(self) -> bool:
        """Passed or warning."""
        return bool(dict.get(self, "is_success"))

    @property
    def pass_rate(self) -> float:
        """passed / (passed + failed), 1 when nothing was decided."""
        inner = self["result"]
        decided = inner.get("passed_count", 0) + inner.get("failed_count", 0)
        return inner.get("passed_count", 0) / decided if decided else 1.0

    @property
    def rule_count(self) -> int:
        """Learned rules."""
        return len(self["result"].get("rules", []))

    @property
    def column_count(self) -> int:
        """Profiled columns."""
        return len(self["result"].get("columns", []))

    def to_rule_dicts(self) -> list[dict[str, Any]]:
        """Learned rules as rule dicts (`{type, column, **parameters}`)."""
        return [{"type": r["rule_type"], "column": r["column"], **r.get("parameters", {})}
                for r in self["result"].get("rules", [])]


def _source(data: Any, input_uri: Any, kwargs: dict[str, Any], script: str) -> _jobs.Source:
    uri = input_uri
    for alias in DATA_ALIASES[1:]:
        value = kwargs.pop(alias, None)
        if uri is None and value is not None:
            uri = value
    if data is None and uri is None:
        raise ScriptError("Either 'data' or 'input_uri' must be provided", script_name=script)
    return _jobs.Source.of(data if data is not None else uri, kwargs.pop("file_type", None))


def _config(config_class: type, config: ScriptConfig | None, overrides: dict[str, Any]) -> Any:
    """`config` (or the defaults) with the keyword arguments the caller set explicitly."""
    base = config if isinstance(config, config_class) else config_class(
        **{k: v for k, v in (config.to_dict() if config else {}).items() if k in ScriptConfig.__dataclass_fields__})
    known = {item.name for item in fields(config_class)}
    unknown = set(overrides) - known
    if unknown:
        raise ConfigurationError(f"unknown argument(s): {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    return replace(base, **overrides) if overrides else base


def _emit(envelope: dict[str, Any], metrics: list[dict[str, Any]], level: str, message: str) -> None:
    out = sys.stdout
    out.write(outputs_line(envelope) + "\n" + metrics_line(metrics) + "\n" + logs_line(level, message) + "\n")
    out.flush()


def _skipped(operation: str) -> ScriptResult:
    result = {"status": "skipped", "operation": operation, "passed_count": 0, "failed_count": 0, "warning_count": 0,
              "total_rows": 0, "metadata": {"reason": "Script disabled"}}
    return ScriptResult({"result": result, "status": "skipped", "is_success": False})


def check_quality_script(data: Any = None, input_uri: str | None = None, rules: Any = None,
                         config: CheckScriptConfig | None = None, output_to_kestra: bool = True,
                         **kwargs: Any) -> ScriptResult:
    """Checks data against rules; prints outputs, metrics and a summary log; returns the envelope.

    `rules` is a list of rule dicts (`type` or the seed's `check`), a rule document (YAML/JSON
    text) or its path; with no rules and the truthound engine, a schema is learned from the data
    (`auto_schema`). Failing rules raise `DataQualityError` after the outputs are printed when
    `fail_on_error` is on.
    """
    source = _source(data, input_uri, kwargs, "check_quality_script")
    cfg = _config(CheckScriptConfig, config, kwargs)
    if not cfg.enabled:
        return _skipped("check")
    chosen = rules if rules is not None else (cfg.rules or None)
    if chosen is None:
        if _jobs.canonical_engine(cfg.engine_name) != "truthound":
            raise ConfigurationError(f"the {cfg.engine_name} engine needs rules (a suite or schema)", field="rules")
        learned, _ = _jobs.learn(source, _learn_options(LearnScriptConfig()), 0, cfg.engine_name, cfg.timeout_seconds)
        document = learned["rule_document"]
    else:
        document = _jobs.rule_document(chosen)
    job = _jobs.CheckJob(document, cfg.engine_name, cfg.sample_failures, cfg.min_severity.value, cfg.timeout_seconds)
    result, envelope = _jobs.check(source, job)
    inner = envelope["result"]
    passed, failed, ms = result["passed_count"], result["failed_count"], inner["execution_time_ms"]
    fails = cfg.fail_on_error and result["status"] == "failed"
    error = None
    if fails:
        counts = {k: inner.get(k) for k in ("status", "operation", "passed_count", "failed_count", "warning_count",
                                             "total_rows", "pass_rate") if k in inner}
        error = DataQualityError(f"Data quality check failed: {failed} failures", result=counts,
                                 metadata={"context": inner.get("metadata", {}).get("context")})
        envelope["error"] = error.to_dict()
    if output_to_kestra:
        metrics = [counter("rows", result["row_count"]), counter("passed", passed), counter("failed", failed),
                   counter("warnings", result["warning_count"]), timer("duration", ms / 1000.0)]
        verb, level = ("passed", "INFO") if result["status"] in ("passed", "warning") else ("failed", "WARN")
        _emit(envelope, metrics, level, f"Check {verb}: {passed} passed, {failed} failed ({ms:.2f}ms)")
    if error is not None:
        raise error
    return ScriptResult(envelope)


def profile_data_script(data: Any = None, input_uri: str | None = None, config: ProfileScriptConfig | None = None,
                        output_to_kestra: bool = True, **kwargs: Any) -> ScriptResult:
    """Profiles data (per-column statistics); prints the outputs; returns the envelope."""
    source = _source(data, input_uri, kwargs, "profile_data_script")
    cfg = _config(ProfileScriptConfig, config, kwargs)
    if not cfg.enabled:
        return _skipped("profile")
    options = _jobs.profile_options(cfg.include_stats, cfg.include_histograms, cfg.sample_size, cfg.top_n)
    result, envelope = _jobs.profile(source, options, cfg.engine_name, cfg.timeout_seconds)
    if output_to_kestra:
        ms = envelope["result"]["execution_time_ms"]
        metrics = [counter("rows", result["row_count"]), counter("columns", result["column_count"]),
                   timer("duration", ms / 1000.0)]
        _emit(envelope, metrics, "INFO",
              f"Profiled {result['column_count']} columns of {result['row_count']} rows ({ms:.2f}ms)")
    return ScriptResult(envelope)


def _learn_options(cfg: LearnScriptConfig) -> Any:
    return _jobs.record(min_confidence=cfg.min_confidence, include_patterns=cfg.include_patterns,
                        include_ranges=cfg.include_ranges, include_categories=cfg.include_categories,
                        categorical_threshold=cfg.categorical_threshold, range_margin=0.1)


def learn_schema_script(data: Any = None, input_uri: str | None = None, config: LearnScriptConfig | None = None,
                        output_to_kestra: bool = True, **kwargs: Any) -> ScriptResult:
    """Learns rules from good data (verified on it); prints the outputs; returns the envelope,
    whose `rule_document` is a rule file `check_quality_script` takes."""
    source = _source(data, input_uri, kwargs, "learn_schema_script")
    cfg = _config(LearnScriptConfig, config, kwargs)
    if not cfg.enabled:
        return _skipped("learn")
    result, envelope = _jobs.learn(source, _learn_options(cfg), cfg.sample_size, cfg.engine_name, cfg.timeout_seconds)
    envelope["rule_document"] = result["rule_document"]
    if output_to_kestra:
        ms = envelope["result"]["execution_time_ms"]
        rules = len(result["rules"])
        _emit(envelope, [counter("rules", rules), timer("duration", ms / 1000.0)], "INFO",
              f"Learned {rules} rules ({ms:.2f}ms)")
    return ScriptResult(envelope)


class Engine:
    """A rule engine by name: `check`, `profile` and `learn` over any data `Source.of` reads."""

    def __init__(self, engine_name: str = "truthound") -> None:
        self.engine_name = _jobs.canonical_engine(engine_name)
        self.engine_version = _version()

    def check(self, data: Any, rules: Any = None, **kwargs: Any) -> ScriptResult:
        """`check_quality_script` without printing."""
        return check_quality_script(data, rules=rules, engine_name=self.engine_name, output_to_kestra=False, **kwargs)

    def profile(self, data: Any, **kwargs: Any) -> ScriptResult:
        """`profile_data_script` without printing."""
        return profile_data_script(data, engine_name=self.engine_name, output_to_kestra=False, **kwargs)

    def learn(self, data: Any, **kwargs: Any) -> ScriptResult:
        """`learn_schema_script` without printing."""
        return learn_schema_script(data, engine_name=self.engine_name, output_to_kestra=False, **kwargs)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("truthound-kestra")
    except PackageNotFoundError:
        return "0+unknown"


def get_engine(name: str = "truthound", **_ignored: Any) -> Engine:
    """The engine for the rule language `name` (truthound, great_expectations/ge/gx, pandera)."""
    return Engine(name)


__all__ = [
    "Severity", "OperationType", "ScriptConfig", "CheckScriptConfig", "ProfileScriptConfig", "LearnScriptConfig",
    "DEFAULT_SCRIPT_CONFIG", "STRICT_SCRIPT_CONFIG", "LENIENT_SCRIPT_CONFIG", "PRODUCTION_SCRIPT_CONFIG",
    "create_script_config", "check_quality_script", "profile_data_script", "learn_schema_script", "ScriptResult",
    "Engine", "get_engine",
]
