"""The seed README's Python examples, as written (examples/orders.csv in place of the S3 URIs),
and their results against the CLI's on the same data and rules."""

from __future__ import annotations

import io
import json
import contextlib

import pytest

from conftest import ORDER_RULES, ORDERS, protocol

DATA = str(ORDERS)


def captured(function, *args, **kwargs):
    """Calls `function`, returning its value and what it printed as protocol events."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        value = function(*args, **kwargs)
    return value, protocol(out.getvalue())


def test_check_script_example_equals_the_cli_learn_then_check(cli, tmp_path):
    from truthound_kestra.scripts import check_quality_script, CheckScriptConfig

    result, printed = captured(
        check_quality_script,
        data_uri=DATA,
        config=CheckScriptConfig(
            engine_name="truthound",
            fail_on_error=True,
            auto_schema=True,
            parallel=True,
        ),
    )
    print(f"Status: {result.status}")
    print(f"Passed: {result.passed_count}, Failed: {result.failed_count}")
    # No rules: a schema learned from the data, as `learn` then `check` do with the CLI.
    learned = tmp_path / "rules.yaml"
    assert cli("learn", DATA, "--output", learned)[0] == 0
    code, events, _ = cli("check", DATA, "--rules", learned)
    expected = events["outputs"][0]["result"]
    assert code == 0
    for key in ("status", "passed_count", "failed_count", "warning_count", "total_rows"):
        assert result["result"][key] == expected[key], key
    assert printed["outputs"][0]["result"]["passed_count"] == expected["passed_count"] > 0


def test_check_with_rules_equals_the_cli_rule_by_rule(cli):
    from truthound_kestra.scripts import check_quality_script

    result, printed = captured(check_quality_script, input_uri=DATA, rules=str(ORDER_RULES), fail_on_error=True)
    code, events, _ = cli("check", DATA, "--rules", ORDER_RULES)
    ours, theirs = printed["outputs"][0], events["outputs"][0]
    assert code == 0 and result.status == theirs["status"] == "warning"
    assert [f["rule_type"] for f in ours["result"]["failures"]] == [f["rule_type"] for f in theirs["result"]["failures"]]
    for key in ("passed_count", "failed_count", "warning_count", "total_rows"):
        assert ours["result"][key] == theirs["result"][key], key
    assert [m["name"] for m in printed["metrics"][0]] == [m["name"] for m in events["metrics"][0]]
    assert printed["logs"][0][0]["level"] == events["logs"][0][0]["level"] == "INFO"


def test_failing_rules_raise_after_printing_and_match_the_cli_exit(cli, tmp_path):
    from truthound_kestra.scripts import check_quality_script
    from truthound_kestra.utils.exceptions import DataQualityError

    rules = [{"type": "unique", "column": "email"}, {"column": "amount", "check": "in_range", "min": 0}]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(DataQualityError) as raised:
        check_quality_script(input_uri=DATA, rules=rules)
    ours = protocol(out.getvalue())["outputs"][0]
    (tmp_path / "r.json").write_text(json.dumps(rules))
    code, events, _ = cli("check", DATA, "--rules", tmp_path / "r.json")
    assert code == raised.value.exit_code == 1
    assert ours["result"]["failed_count"] == events["outputs"][0]["result"]["failed_count"] == 2
    assert ours["error"]["type"] == events["outputs"][0]["error"]["type"] == "DataQualityError"
    assert "failed=2" in str(raised.value)


def test_profile_example_equals_the_cli(cli):
    from truthound_kestra.scripts import profile_data_script, ProfileScriptConfig

    result, _ = captured(
        profile_data_script,
        data_uri=DATA,
        config=ProfileScriptConfig(
            include_stats=True,
            sample_size=10000,
        ),
    )
    lines = [f"{column.name}: {column.dtype}, null_rate={column.null_rate}" for column in result.columns]
    _, events, _ = cli("profile", DATA)
    expected = [f"{c['column_name']}: {c['dtype']}, null_rate={c['null_percentage'] / 100.0}"
                for c in events["outputs"][0]["result"]["columns"]]
    assert lines == expected and len(lines) == 6
    assert any("null_rate=0.01" in line for line in lines)


def test_learn_example_equals_the_cli(cli):
    from truthound_kestra.scripts import learn_schema_script, LearnScriptConfig

    result, printed = captured(
        learn_schema_script,
        data_uri=DATA,
        config=LearnScriptConfig(
            min_confidence=0.8,
            include_patterns=True,
        ),
    )
    lines = [f"{rule.column}: {rule.type} (confidence={rule.confidence})" for rule in result.rules]
    _, events, _ = cli("learn", DATA, "--min-confidence", "0.8")
    expected = [f"{r['column']}: {r['rule_type']} (confidence={r['confidence']})"
                for r in events["outputs"][0]["result"]["rules"]]
    assert lines == expected and len(lines) > 6
    assert printed["outputs"][0]["learned_rules"] == events["outputs"][0]["learned_rules"]


FLOW_EXAMPLES = {
    "check": ("generate_check_flow", dict(
        flow_id="validate_users", namespace="production", input_uri=DATA,
        rules=[{"type": "not_null", "column": "id"}, {"type": "unique", "column": "email"}],
        fail_on_error=True, schedule="0 0 * * *")),
    "profile": ("generate_profile_flow", dict(
        flow_id="profile_users", namespace="production", input_uri=DATA, schedule="0 6 * * 0")),
    "learn": ("generate_learn_flow", dict(
        flow_id="learn_schema", namespace="production", input_uri=DATA, min_confidence=0.8)),
    "pipeline": ("generate_quality_pipeline", dict(
        flow_id="data_quality_pipeline", namespace="production", input_uri=DATA,
        rules=[{"type": "not_null", "column": "id"}, {"type": "in_range", "column": "amount", "min": 0}],
        include_profile=True, include_learn=False, fail_on_error=True, schedule="0 6 * * *")),
    # Not in the seed README: the fan-out, its partitions listed when the flow runs.
    "fanout": ("generate_fanout_flow", dict(
        flow_id="orders_fanout", namespace="production", input_uri="s3://bucket/orders/day=*/*.parquet",
        rules=[{"type": "not_null", "column": "id"}, {"type": "unique", "column": "email"}], concurrency_limit=4)),
}


@pytest.mark.parametrize("kind", sorted(FLOW_EXAMPLES))
def test_flow_examples_equal_the_cli_and_validate(cli, tmp_path, kind):
    import truthound_kestra.flows as flows

    name, params = FLOW_EXAMPLES[kind]
    yaml_content = getattr(flows, name)(**params)
    (tmp_path / "params.json").write_text(json.dumps(params))
    code, _, expected = cli("flow", "generate", kind, "--config", tmp_path / "params.json")
    assert code == 0 and yaml_content == expected
    flow = tmp_path / f"{kind}.yaml"
    flow.write_text(yaml_content)
    assert cli("flow", "validate", flow)[0] == 0
    assert flows.validate_flow(yaml_content) == []


def test_flow_configuration_example_generates_valid_python_tasks(cli, tmp_path):
    from truthound_kestra.flows import (
        FlowConfig, TaskConfig, TriggerConfig, InputConfig, RetryConfig, TaskType, TriggerType, RetryPolicy,
        FlowGenerator,
    )

    config = FlowConfig(
        id="custom_flow",
        namespace="production",
        description="Custom data quality flow",
        inputs=(
            InputConfig(name="data_uri", type="STRING", required=True),
        ),
        tasks=(
            TaskConfig(
                id="validate",
                task_type=TaskType.CHECK,
                input_uri="{{ inputs.data_uri }}",
                rules=({"type": "not_null", "column": "id"},),
                fail_on_error=True,
            ),
        ),
        triggers=(
            TriggerConfig(
                id="schedule",
                type=TriggerType.SCHEDULE,
                cron="0 */6 * * *",
            ),
        ),
        retry=RetryConfig(
            max_attempts=3,
            initial_delay_seconds=30.0,
            policy=RetryPolicy.EXPONENTIAL,
        ),
    )
    generator = FlowGenerator(python_version="3.11")
    yaml_content = generator.generate(config)
    flow = generator.generate_dict(config)
    task = flow["tasks"][0]
    assert task["type"] == "io.kestra.plugin.scripts.python.Script"
    assert task["containerImage"] == "python:3.11-slim"
    assert "check_quality_script(" in task["script"] and task["retry"]["maxAttempt"] == 3
    (tmp_path / "custom.yaml").write_text(yaml_content)
    assert cli("flow", "validate", tmp_path / "custom.yaml")[0] == 0


def test_output_handler_examples_print_kestra_lines(cli):
    from truthound_kestra.outputs import send_check_result, send_outputs, KestraOutputHandler
    from truthound_kestra.scripts import check_quality_script

    result = check_quality_script(input_uri=DATA, rules=str(ORDER_RULES), output_to_kestra=False)

    def examples():
        send_check_result(result)
        send_outputs({
            "status": result.status,
            "passed_count": result.passed_count,
            "failed_count": result.failed_count,
        })
        handler = KestraOutputHandler()
        handler.send("custom_metric", 42)

    _, printed = captured(examples)
    sent = printed["outputs"]
    assert sent[0]["status"] == "warning" and sent[0]["check_result"]["summary"]["passed_count"] == 7
    assert sent[1] == {"status": "warning", "passed_count": 7, "failed_count": 0}
    assert sent[2] == {"custom_metric": 42}


def test_sla_examples_and_presets_match_the_engine():
    from truthound_kestra import sla, _runtime
    from truthound_kestra.sla import (
        SLAConfig, SLAMonitor, SLAMetrics, PRODUCTION_SLA_CONFIG, register_sla, evaluate_sla, get_sla_registry,
        LoggingSLAHook, MetricsSLAHook, CallbackSLAHook, KestraNotificationHook, CompositeSLAHook,
    )

    config = SLAConfig(
        enabled=True,
        max_failure_rate=0.05,
        min_pass_rate=0.95,
        max_execution_time_seconds=300.0,
        max_consecutive_failures=3,
    )
    monitor = SLAMonitor(config=config)
    metrics = SLAMetrics(
        passed_count=950,
        failed_count=50,
        execution_time_seconds=120.5,
        row_count=1000,
        flow_id="validate_users",
        task_id="check_quality",
    )
    result = monitor.evaluate(metrics)

    if not result.is_compliant:
        for violation in result.violations:
            print(f"{violation.violation_type.value}: {violation.message}")
    assert result.pass_rate == 0.95
    assert result.consecutive_failures == (0 if result.is_compliant else 1)
    monitor.reset_consecutive_failures()
    assert monitor.evaluate(SLAMetrics(passed_count=960, failed_count=40, execution_time_seconds=1.0)).is_compliant
    slow = monitor.evaluate(SLAMetrics(passed_count=900, failed_count=100, execution_time_seconds=400.0))
    messages = [f"{v.violation_type.value}: {v.message}" for v in slow.violations]
    assert messages == ["failure_rate_exceeded: Failure rate 10.0% exceeds maximum 5.0%",
                        "pass_rate_below_minimum: Pass rate 90.0% below minimum 95.0%",
                        "execution_time_exceeded: Execution time 400.00s exceeds maximum 300.00s"]
    assert slow.consecutive_failures == monitor.consecutive_failures == 1

    calls = []
    metrics_hook = MetricsSLAHook()
    composite = CompositeSLAHook([LoggingSLAHook(), metrics_hook, KestraNotificationHook(),
                                  CallbackSLAHook(on_violation=lambda r: calls.append(len(r.violations)))])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        SLAMonitor(config=PRODUCTION_SLA_CONFIG, hooks=[composite]).evaluate(
            SLAMetrics(passed_count=1, failed_count=1))
    alert = protocol(out.getvalue())["outputs"][0]["sla_alert"]
    assert alert["level"] == "error" and "SLA Violation Alert" in alert["message"]
    assert calls == [2] and metrics_hook.violation_count == 1

    register_sla("users_check", SLAConfig(min_pass_rate=0.95))
    register_sla("orders_check", SLAConfig(min_pass_rate=0.99))
    assert evaluate_sla("users_check", metrics, raise_on_violation=False).is_compliant
    assert not evaluate_sla("orders_check", metrics).is_compliant
    assert set(get_sla_registry().get_all_results()) == {"users_check", "orders_check"}

    # The Python presets are the engine's presets.
    for name in ("default", "strict", "lenient", "production"):
        ours = getattr(sla, f"{name.upper()}_SLA_CONFIG").to_record()
        engine = _runtime.with_session(10, lambda s: s.call("sla", "preset", name))
        assert _runtime.plain(ours) == _runtime.plain(engine), name


def test_script_presets_engines_and_utilities(monkeypatch, tmp_path):
    from truthound_kestra.scripts import (
        DEFAULT_SCRIPT_CONFIG, STRICT_SCRIPT_CONFIG, LENIENT_SCRIPT_CONFIG, PRODUCTION_SCRIPT_CONFIG,
        check_quality_script, get_engine,
    )
    from truthound_kestra.utils import (
        load_data, detect_data_source_type, DataSourceType, get_kestra_variable, get_execution_context,
        create_kestra_output,
    )
    from truthound_kestra.utils.exceptions import ConfigurationError, DataQualityError, EngineError

    assert DEFAULT_SCRIPT_CONFIG.engine_name == "truthound"
    strict, _ = captured(check_quality_script, data_uri=DATA, config=STRICT_SCRIPT_CONFIG)
    production, _ = captured(check_quality_script, data_uri=DATA, config=PRODUCTION_SCRIPT_CONFIG)
    lenient, _ = captured(check_quality_script, data_uri=DATA, rules=[{"type": "unique", "column": "email"}],
                          config=LENIENT_SCRIPT_CONFIG)
    assert strict.status == production.status == "passed" and lenient.status == "failed"

    for name in ("truthound", "great_expectations", "pandera"):
        assert get_engine(name).engine_name == name
    suite = (ORDERS.parent / "orders.gx.json").read_text()
    assert get_engine("great_expectations").check(DATA, rules=suite).status in ("passed", "failed", "warning")
    with pytest.raises(ConfigurationError):
        get_engine("nonexistent_engine")

    data = load_data(DATA)
    assert data.num_rows == 1000 and data.column_names[0] == "order_id"
    assert detect_data_source_type("s3://bucket/data.parquet") == DataSourceType.URI
    assert detect_data_source_type("/path/to/file.csv") == DataSourceType.FILE
    assert detect_data_source_type('[{"id": 1}]') == DataSourceType.INLINE

    monkeypatch.setenv("KESTRA_DATA_URI", '"s3://x/y.parquet"')
    assert get_kestra_variable("data_uri", default="s3://default/path") == "s3://x/y.parquet"
    assert get_kestra_variable("missing", default=3) == 3
    monkeypatch.setenv("KESTRA_EXECUTION_ID", "e1")
    monkeypatch.setenv("KESTRA_FLOW_ID", "f1")
    monkeypatch.chdir(tmp_path)
    context = get_execution_context()
    assert (context["flow_id"], context["execution_id"]) == ("f1", "e1")
    output = create_kestra_output("result", {"status": "passed"})
    assert output == {"result": {"status": "passed"}}
    envelope = create_kestra_output({"status": "passed", "passed_count": 3, "failed_count": 1})
    assert envelope["summary"]["pass_rate_formatted"] == "75.0%" and envelope["status"] == "passed"

    with pytest.raises(DataQualityError) as missing:
        check_quality_script(data_uri=str(tmp_path / "absent.parquet"), rules=[{"type": "not_null", "column": "a"}])
    assert missing.value.exit_code == 3 and "absent.parquet" in str(missing.value)
    with pytest.raises(ConfigurationError) as unknown:
        check_quality_script(data_uri=DATA, rules=[{"type": "not_null", "column": "nope"}], output_to_kestra=False)
    assert "nope" in str(unknown.value) and unknown.value.exit_code == 2
    assert issubclass(EngineError, DataQualityError)


def test_serialization_examples():
    from truthound_kestra.scripts import check_quality_script
    from truthound_kestra.utils.serialization import JsonSerializer, YamlSerializer, MarkdownSerializer

    result = check_quality_script(input_uri=DATA, rules=[{"type": "unique", "column": "email"}],
                                  fail_on_error=False, output_to_kestra=False)
    serializer = JsonSerializer()
    json_str = serializer.serialize(result)
    restored = serializer.deserialize(json_str)
    assert restored["result"]["failed_count"] == 1
    serializer = YamlSerializer()
    yaml_str = serializer.serialize(result)
    assert serializer.deserialize(yaml_str) == restored
    serializer = MarkdownSerializer()
    report = serializer.serialize(result)
    assert report.startswith("# Data Quality Report") and "- **Failed:** 1" in report
    assert "| Column | Rule | Message | Severity |" in report and "| email | unique |" in report
