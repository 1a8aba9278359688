"""The sandbox's limits hold in Python too: timeout_seconds stops the engine with an EngineError
(exit code 4), and the next job runs normally."""

from __future__ import annotations

import pyarrow as pa
import pytest

from conftest import ORDER_RULES, ORDERS


def test_timeout_stops_the_engine_and_the_next_job_runs():
    from truthound_kestra.scripts import check_quality_script
    from truthound_kestra.utils.exceptions import EngineError

    rows = 2_000_000
    table = pa.table({"email": pa.array([f"user{i}@example.com" for i in range(rows)])})
    with pytest.raises(EngineError) as stopped:
        check_quality_script(table, rules=[{"type": "unique", "column": "email"}], timeout_seconds=0.2,
                             output_to_kestra=False)
    assert "timeout_seconds=0.2" in str(stopped.value) and stopped.value.exit_code == 4
    after = check_quality_script(input_uri=str(ORDERS), rules=str(ORDER_RULES), output_to_kestra=False)
    assert after.status == "warning"
