"""Validates data files with the real pandera and prints its failure cases as JSON.

    python pandera_run.py SCHEMA.yaml DATA...

SCHEMA is a `DataFrameSchema` in pandera's YAML form, loaded with `DataFrameSchema.from_yaml`.
DATA files are read with pandas defaults (`read_csv`, `read_parquet`) and validated lazily, so
every failure is collected. Prints `{"<data file>": [{"schema_context", "column", "check",
"check_number", "rows": [failing row numbers]}, ...]}`, one entry per failing check.
"""

import json
import math
import sys
import warnings

warnings.filterwarnings("ignore")

import pandas as pd  # noqa: E402
import pandera.pandas as pa  # noqa: E402


def read(path):
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def plain(value):
    """None for pandas' missing markers, a Python int for row and check numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def failures(schema, frame):
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    groups = {}
    for case in cases.itertuples(index=False):
        key = (case.schema_context, case.column, case.check, plain(case.check_number))
        rows = groups.setdefault(key, set())
        if plain(case.index) is not None:
            rows.add(plain(case.index))
    return [
        {"schema_context": context, "column": column, "check": check, "check_number": number, "rows": sorted(rows)}
        for (context, column, check, number), rows in groups.items()
    ]


def main(schema_path, data_paths):
    schema = pa.DataFrameSchema.from_yaml(schema_path)
    json.dump({path: failures(schema, read(path)) for path in data_paths}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
