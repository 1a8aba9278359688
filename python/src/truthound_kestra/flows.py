"""Kestra flow generation (the seed's `flows`), done by the component's generator so the CLI,
the web page and Python give the same, valid YAML. Tasks run the CLI
(`io.kestra.plugin.scripts.shell.Commands`) or, with `python_version`, this package
(`io.kestra.plugin.scripts.python.Script`)."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field, replace
from typing import Any

from . import _runtime
from .utils.exceptions import ConfigurationError, FlowError

_FLOW_TIMEOUT_SECONDS = 60.0


class TaskType(str, enum.Enum):
    """What a task runs."""

    CHECK = "check"
    PROFILE = "profile"
    LEARN = "learn"
    PYTHON_SCRIPT = "python_script"


class TriggerType(str, enum.Enum):
    """How executions start (`polling` does not exist in Kestra and is refused)."""

    SCHEDULE = "schedule"
    FLOW = "flow"
    WEBHOOK = "webhook"
    POLLING = "polling"


class RetryPolicy(str, enum.Enum):
    """Retry strategy (`linear` has no Kestra equivalent and is refused)."""

    NONE = "none"
    CONSTANT = "constant"
    EXPONENTIAL = "exponential"
    RANDOM = "random"
    LINEAR = "linear"


def _clean(value: Any) -> Any:
    """Config values as the component's JSON document: enums by value, sets and tuples as lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple, frozenset, set)):
        items = sorted(value) if isinstance(value, (frozenset, set)) else value
        return [_clean(v) for v in items]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


@dataclass(frozen=True)
class RetryConfig:
    """Task retry: `max_attempts` total attempts, delays in seconds."""

    max_attempts: int = 3
    initial_delay_seconds: float = 10.0
    policy: RetryPolicy = RetryPolicy.EXPONENTIAL
    max_delay_seconds: float = 300.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.max_attempts < 0:
            raise ConfigurationError("max_attempts must be 0 or more", field="max_attempts", value=self.max_attempts)
        if self.initial_delay_seconds < 0:
            raise ConfigurationError("initial_delay_seconds must be 0 or more", field="initial_delay_seconds",
                                     value=self.initial_delay_seconds)

    def with_max_attempts(self, max_attempts: int) -> "RetryConfig":
        """A copy with another attempt count."""
        return replace(self, max_attempts=max_attempts)

    def to_dict(self) -> dict[str, Any]:
        """The component's `retry` document."""
        return _clean(self.__dict__)


@dataclass(frozen=True)
class InputConfig:
    """A flow input."""

    name: str
    type: str = "STRING"
    required: bool = True
    default: Any = None
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The component's input document."""
        return _clean(self.__dict__)


@dataclass(frozen=True)
class OutputConfig:
    """A flow output (Kestra needs its `type`)."""

    name: str
    value: str
    description: str = ""
    type: str = "STRING"

    def to_dict(self) -> dict[str, Any]:
        """The component's output document."""
        return _clean(self.__dict__)


@dataclass(frozen=True)
class TriggerConfig:
    """A trigger: `schedule` needs `cron`, `flow` needs `flow_id`, `webhook` takes `key`."""

    id: str
    type: TriggerType = TriggerType.SCHEDULE
    cron: str | None = None
    flow_id: str | None = None
    namespace: str | None = None
    timezone: str | None = None
    key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The component's trigger document."""
        return _clean(self.__dict__)


@dataclass(frozen=True)
class TaskConfig:
    """One task."""

    id: str
    task_type: TaskType = TaskType.CHECK
    input_uri: str | None = None
    rules: tuple[dict[str, Any], ...] | str = ()
    engine_name: str = "truthound"
    fail_on_error: bool = True
    timeout_seconds: float = 300.0
    retry: RetryConfig | None = None
    depends_on: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    description: str = ""
    min_confidence: float = 0.8

    def with_rules(self, rules: Any) -> "TaskConfig":
        """A copy with these rules."""
        return replace(self, rules=rules if isinstance(rules, str) else tuple(rules))

    def with_depends_on(self, *ids: str) -> "TaskConfig":
        """A copy depending on more tasks."""
        return replace(self, depends_on=self.depends_on + ids)

    def to_dict(self) -> dict[str, Any]:
        """The component's task document (rules only for check tasks that have them)."""
        data = _clean(self.__dict__)
        if not self.rules:
            data.pop("rules", None)
        return data


@dataclass(frozen=True)
class FlowConfig:
    """A whole flow."""

    id: str
    namespace: str = "default"
    description: str = ""
    tasks: tuple[TaskConfig, ...] = ()
    inputs: tuple[InputConfig, ...] = ()
    outputs: tuple[OutputConfig, ...] = ()
    triggers: tuple[TriggerConfig, ...] = ()
    retry: RetryConfig | None = None
    labels: Any = field(default_factory=dict)
    disabled: bool = False
    variables: dict[str, Any] = field(default_factory=dict)
    concurrency: int | None = None

    def with_namespace(self, namespace: str) -> "FlowConfig":
        """A copy in another namespace."""
        return replace(self, namespace=namespace)

    def with_tasks(self, *tasks: TaskConfig) -> "FlowConfig":
        """A copy with these tasks."""
        return replace(self, tasks=tuple(tasks))

    def add_task(self, task: TaskConfig) -> "FlowConfig":
        """A copy with one more task."""
        return replace(self, tasks=self.tasks + (task,))

    def with_triggers(self, *triggers: TriggerConfig) -> "FlowConfig":
        """A copy with these triggers."""
        return replace(self, triggers=tuple(triggers))

    def to_dict(self) -> dict[str, Any]:
        """The component's FlowConfig document."""
        return _clean(self.__dict__)


DEFAULT_FLOW_CONFIG = FlowConfig("data_quality", "default")
PRODUCTION_FLOW_CONFIG = FlowConfig("data_quality", "production", retry=RetryConfig(3, 30.0, RetryPolicy.EXPONENTIAL),
                                    concurrency=1)


def _generate(kind: str, document: dict[str, Any]) -> str:
    """The component's generator; its `options` errors name the field and become `FlowError`s."""
    text = json.dumps(_clean(document))
    try:
        return _runtime.with_session(_FLOW_TIMEOUT_SECONDS, lambda s: s.call("flows", "generate", kind, text))
    except ConfigurationError as error:
        raise FlowError(error.message, flow_id=document.get("flow_id") or document.get("id"),
                        namespace=document.get("namespace")) from None


class FlowGenerator:
    """Turns a `FlowConfig` into Kestra YAML; `python_version` makes the tasks python.Script
    tasks using this package (the seed's default, 3.11), `None` makes them CLI tasks."""

    def __init__(self, python_version: str | None = "3.11", python_requirement: str | None = None) -> None:
        self.python_version = python_version
        self.python_requirement = python_requirement

    def _document(self, config: FlowConfig | dict[str, Any]) -> dict[str, Any]:
        document = config.to_dict() if isinstance(config, FlowConfig) else dict(config)
        document.update(python_version=self.python_version, python_requirement=self.python_requirement)
        return document

    def generate(self, config: FlowConfig | dict[str, Any]) -> str:
        """The flow's YAML."""
        return _generate("custom", self._document(config))

    def generate_dict(self, config: FlowConfig | dict[str, Any]) -> dict[str, Any]:
        """The flow as a mapping (the YAML parsed back)."""
        import yaml

        return yaml.safe_load(self.generate(config))


def generate_flow_yaml(config: FlowConfig, python_version: str | None = None) -> str:
    """A `FlowConfig` as YAML (CLI tasks unless `python_version` is given)."""
    return FlowGenerator(python_version).generate(config)


def _template(kind: str, flow_id: str, params: dict[str, Any]) -> str:
    if "retry" in params and isinstance(params["retry"], RetryConfig):
        params["retry"] = params["retry"].to_dict()
    if "data_source" in params and params.get("input_uri") is None:
        params["input_uri"] = params.pop("data_source")
    params.pop("data_source", None)
    description = params.pop("description", None)
    if description:
        params["description"] = description
    return _generate(kind, {"flow_id": flow_id, **{k: v for k, v in params.items() if v is not None}})


def generate_check_flow(flow_id: str, namespace: str = "default", input_uri: str | None = None, rules: Any = None,
                        engine_name: str = "truthound", fail_on_error: bool = True, schedule: str | None = None,
                        description: str = "", **options: Any) -> str:
    """A flow with one `check_quality` task (options: retry, timezone, task_runner, container_image,
    sla, python_version, ... as the CLI's `flow generate check`)."""
    return _template("check", flow_id, dict(namespace=namespace, input_uri=input_uri, rules=_rules(rules),
                                            engine_name=engine_name, fail_on_error=fail_on_error,
                                            schedule=schedule, description=description, **options))


def generate_profile_flow(flow_id: str, namespace: str = "default", input_uri: str | None = None,
                          engine_name: str = "truthound", schedule: str | None = None, description: str = "",
                          **options: Any) -> str:
    """A flow with one `profile_data` task."""
    return _template("profile", flow_id, dict(namespace=namespace, input_uri=input_uri, engine_name=engine_name,
                                              schedule=schedule, description=description, **options))


def generate_learn_flow(flow_id: str, namespace: str = "default", input_uri: str | None = None,
                        engine_name: str = "truthound", min_confidence: float = 0.8, schedule: str | None = None,
                        description: str = "", **options: Any) -> str:
    """A flow with one `learn_schema` task writing `rules.yaml`."""
    return _template("learn", flow_id, dict(namespace=namespace, input_uri=input_uri, engine_name=engine_name,
                                            min_confidence=min_confidence, schedule=schedule,
                                            description=description, **options))


def generate_quality_pipeline(flow_id: str, namespace: str = "default", input_uri: str | None = None,
                              rules: Any = None, engine_name: str = "truthound", include_profile: bool = True,
                              include_learn: bool = False, fail_on_error: bool = True, schedule: str | None = None,
                              description: str = "", **options: Any) -> str:
    """`profile`, `learn` (optional) and `check` tasks."""
    return _template("pipeline", flow_id, dict(namespace=namespace, input_uri=input_uri, rules=_rules(rules),
                                               engine_name=engine_name, include_profile=include_profile,
                                               include_learn=include_learn, fail_on_error=fail_on_error,
                                               schedule=schedule, description=description, **options))


def generate_fanout_flow(flow_id: str, partitions: list[str] | None = None, rules: Any = None,
                         namespace: str = "default", **options: Any) -> str:
    """A `ForEach` of partial checks over `partitions`, then one merge (CLI tasks). Without
    `partitions` the flow lists them when it runs: the data files of `input_uri` (a glob or
    directory), or of its `data_uri` input."""
    listed = None if partitions is None else list(partitions)
    return _template("fanout", flow_id, dict(namespace=namespace, partitions=listed, rules=_rules(rules), **options))


def _rules(rules: Any) -> Any:
    if rules is None or isinstance(rules, str):
        return rules
    return [dict(rule) for rule in rules]


def is_valid_id(value: str, kind: str = "flow") -> bool:
    """Whether `value` matches Kestra's id pattern for `kind` (flow, namespace, task)."""
    return _runtime.with_session(_FLOW_TIMEOUT_SECONDS, lambda s: s.call("flows", "is-valid-id", value, kind))


def validate_flow(yaml_text: str) -> list[dict[str, str]]:
    """The offline validator's findings (`path`, `severity`, `message`); empty when valid."""
    found = _runtime.with_session(_FLOW_TIMEOUT_SECONDS, lambda s: s.call("flow-lint", "validate-flow", yaml_text))
    return _runtime.plain(found)


__all__ = [
    "TaskType", "TriggerType", "RetryPolicy", "RetryConfig", "InputConfig", "OutputConfig", "TriggerConfig",
    "TaskConfig", "FlowConfig", "FlowGenerator", "DEFAULT_FLOW_CONFIG", "PRODUCTION_FLOW_CONFIG",
    "generate_flow_yaml", "generate_check_flow", "generate_profile_flow", "generate_learn_flow",
    "generate_quality_pipeline", "generate_fanout_flow", "is_valid_id", "validate_flow",
]
