"""A generated python.Script flow passes `flow validate`, and each task's script runs in this
(fresh) environment, printing the outputs Kestra parses, equal to the CLI's."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from conftest import ORDER_RULES, ORDERS, protocol


def run_task(task: dict, tmp_path, env: dict[str, str]):
    """Runs a python.Script task as Kestra would: inputFiles in the working directory, env set."""
    for name, content in (task.get("inputFiles") or {}).items():
        (tmp_path / name).write_text(content)
    script = tmp_path / "main.py"
    script.write_text(task["script"])
    rendered = {k: v.replace("{{ flow.id }}", "orders").replace("{{ flow.namespace }}", "company.data")
                .replace("{{ execution.id }}", "exec-1").replace("{{ task.id }}", task["id"])
                for k, v in task["env"].items()}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env, **rendered})
    return done.returncode, protocol(done.stdout), done.stderr


def test_generated_python_pipeline_validates_and_its_scripts_run(cli, tmp_path):
    from truthound_kestra.flows import generate_quality_pipeline

    flow_yaml = generate_quality_pipeline(
        flow_id="orders", namespace="company.data", input_uri=str(ORDERS), rules=ORDER_RULES.read_text(),
        include_profile=True, include_learn=False, python_version="3.11")
    flow_file = tmp_path / "flow.yaml"
    flow_file.write_text(flow_yaml)
    assert cli("flow", "validate", flow_file)[0] == 0
    tasks = {task["id"]: task for task in yaml.safe_load(flow_yaml)["tasks"]}
    assert {task["type"] for task in tasks.values()} == {"io.kestra.plugin.scripts.python.Script"}

    check_dir = tmp_path / "check"
    check_dir.mkdir()
    code, printed, stderr = run_task(tasks["check"], check_dir, {})
    assert code == 0, stderr
    assert stderr == ""  # Kestra turns any stderr line into a WARNING state
    outputs = printed["outputs"][0]
    cli_code, events, _ = cli("check", ORDERS, "--rules", ORDER_RULES)
    expected = events["outputs"][0]
    assert cli_code == 0 and outputs["status"] == expected["status"] == "warning"
    for key in ("passed_count", "failed_count", "warning_count", "total_rows"):
        assert outputs["result"][key] == expected["result"][key], key
    context = outputs["result"]["metadata"]["context"]
    assert (context["flow_id"], context["execution_id"], context["task_id"]) == ("orders", "exec-1", "check")

    profile_dir = tmp_path / "profile"
    profile_dir.mkdir()
    code, printed, stderr = run_task(tasks["profile"], profile_dir, {})
    assert code == 0, stderr
    assert printed["outputs"][0]["result"]["total_rows"] == 1000


def test_generated_learn_flow_writes_the_rule_file(cli, tmp_path):
    from truthound_kestra.flows import generate_learn_flow

    flow_yaml = generate_learn_flow(flow_id="learn", namespace="company.data", input_uri=str(ORDERS),
                                    min_confidence=0.9, python_version="3.11")
    (tmp_path / "flow.yaml").write_text(flow_yaml)
    assert cli("flow", "validate", tmp_path / "flow.yaml")[0] == 0
    task = yaml.safe_load(flow_yaml)["tasks"][0]
    assert task["outputFiles"] == ["rules.yaml"]
    code, printed, stderr = run_task(task, tmp_path, {})
    assert code == 0, stderr
    learned = (tmp_path / "rules.yaml").read_text()
    cli_rules = tmp_path / "cli.yaml"
    assert cli("learn", ORDERS, "--min-confidence", "0.9", "--output", cli_rules)[0] == 0
    assert yaml.safe_load(learned)["rules"] == yaml.safe_load(cli_rules.read_text())["rules"]
    assert printed["outputs"][0]["learned_rules"]


def test_failing_check_script_exits_non_zero_with_outputs(tmp_path):
    from truthound_kestra.flows import generate_check_flow

    flow_yaml = generate_check_flow(flow_id="strict", input_uri=str(ORDERS),
                                    rules=[{"type": "unique", "column": "email"}], python_version="3.11")
    task = yaml.safe_load(flow_yaml)["tasks"][0]
    code, printed, stderr = run_task(task, tmp_path, {})
    assert code == 1 and "Data quality check failed: 1 failures" in stderr
    assert printed["outputs"][0]["status"] == "failed"
