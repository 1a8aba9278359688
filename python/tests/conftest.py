"""Shared helpers: the repository's example data, the CLI to compare with, protocol parsing."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ORDERS = REPO / "examples" / "orders.csv"
ORDER_RULES = REPO / "examples" / "orders.rules.yaml"


def protocol(text: str) -> dict[str, list[Any]]:
    """The `::{...}::` lines of a script's stdout, as Kestra reads them, grouped by kind."""
    found: dict[str, list[Any]] = {"outputs": [], "metrics": [], "logs": []}
    for line in text.splitlines():
        if line.startswith("::{") and line.endswith("}::"):
            event = json.loads(line[2:-2])
            for kind, value in event.items():
                found.setdefault(kind, []).append(value)
    return found


@pytest.fixture(scope="session")
def cli() -> Any:
    """Runs the truthound-kestra CLI (TRUTHOUND_KESTRA_BIN) and returns (exit code, protocol, stdout)."""
    binary = os.environ.get("TRUTHOUND_KESTRA_BIN")
    if not binary or not Path(binary).is_file():
        pytest.fail("TRUTHOUND_KESTRA_BIN must name the truthound-kestra binary (scripts/python-test sets it)")

    def run(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, list[Any]], str]:
        done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)
        return done.returncode, protocol(done.stdout), done.stdout

    return run
