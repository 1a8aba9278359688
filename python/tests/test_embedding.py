"""The component embedded with nothing but wasmtime's own `wasmtime.component` API and pyarrow:
check with Arrow IPC bytes, and the flow generator; same results as the CLI on the same data."""

from __future__ import annotations

import json
from importlib import resources

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
import wasmtime
from wasmtime import component
from wasmtime.component import Record

from conftest import ORDER_RULES, ORDERS


@pytest.fixture(scope="module")
def engine():
    """A store and an instance of the bundled component, with WASI p2 and nothing granted."""
    wasm = resources.files("truthound_kestra") / "engine.wasm"
    wasm_engine = wasmtime.Engine()
    compiled = component.Component(wasm_engine, wasm.read_bytes())
    linker = component.Linker(wasm_engine)
    linker.add_wasip2()
    store = wasmtime.Store(wasm_engine)
    store.set_wasi(wasmtime.WasiConfig())
    instance = linker.instantiate(store, compiled)

    def export(interface: str, name: str):
        outer = instance.get_export_index(store, f"truthound:quality/{interface}@0.1.0")
        return instance.get_func(store, instance.get_export_index(store, name, outer))

    return store, export


def record(**fields):
    value = Record()
    for key, item in fields.items():
        setattr(value, key.replace("_", "-"), item)
    return value


def test_check_with_pyarrow_ipc_bytes_equals_the_cli(engine, cli):
    store, export = engine
    options = record(sample_failures=5, min_severity="low", shard_count=1, shard_index=0, rule_format="truthound")
    checker = export("check", "[static]checker.create")(store, ORDER_RULES.read_text(), options)
    assert isinstance(checker, component.ResourceAny)
    # The CSV read the way the CLI reads it: empty fields are nulls, also in string columns.
    table = pa_csv.read_csv(ORDERS, convert_options=pa_csv.ConvertOptions(strings_can_be_null=True))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=300)
    assert export("check", "[method]checker.feed")(store, checker, sink.getvalue().to_pybytes()) is None
    finished = export("check", "[method]checker.finish")(store, checker)
    assert finished.tag == "ok"
    result = finished.payload
    code, events, _ = cli("check", ORDERS, "--rules", ORDER_RULES, "--sample-failures", "5")
    expected = events["outputs"][0]["result"]
    assert code == 0
    assert (result.status, getattr(result, "passed-count"), getattr(result, "failed-count"),
            getattr(result, "warning-count"), getattr(result, "row-count")) == (
        expected["status"], expected["passed_count"], expected["failed_count"], expected["warning_count"],
        expected["total_rows"])
    ours = [(r.name, r.status, getattr(r, "unexpected-count")) for r in getattr(result, "rule-results")]
    theirs = [(r["name"], r["status"], r["unexpected_count"]) for r in expected["rule_results"]]
    assert ours == theirs and sum(status == "warning" for _, status, _ in ours) == 4


def test_bad_rules_come_back_as_a_quality_error(engine):
    store, export = engine
    options = record(sample_failures=0, min_severity="low", shard_count=1, shard_index=0, rule_format="truthound")
    error = export("check", "[static]checker.create")(store, "- {type: no_such_rule, column: a}", options)
    assert isinstance(error, Record) and error.kind == "rule-document"
    assert "no_such_rule" in error.message


def test_flow_generator_equals_the_cli(engine, cli, tmp_path):
    store, export = engine
    params = {"flow_id": "orders_check", "namespace": "company.data", "input_uri": str(ORDERS),
              "rules": [{"type": "not_null", "column": "order_id"}], "schedule": "@daily"}
    yaml_text = export("flows", "generate")(store, "check", json.dumps(params))
    assert isinstance(yaml_text, str)
    (tmp_path / "params.json").write_text(json.dumps(params))
    code, _, expected = cli("flow", "generate", "check", "--config", tmp_path / "params.json")
    assert code == 0 and yaml_text == expected
    assert export("flow-lint", "validate-flow")(store, yaml_text) == []
