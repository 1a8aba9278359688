#!/usr/bin/env python3
"""Hand-written pandas profile of a Parquet file, the statistics a data engineer would compute:
per column null count, distinct count (nulls excluded), min, max, and for numbers mean, standard
deviation and the p1..p99 quantiles. Usage: pandas_profile.py PATH.parquet
Prints one JSON line {tool, mode, import_s, work_s, result} like the shared peer scripts."""
import json, sys, time
T0 = time.perf_counter()
import pandas as pd
T_IMPORT = time.perf_counter() - T0

QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]


def profile(path):
    df = pd.read_parquet(path)
    out = {}
    for name in df.columns:
        column = df[name]
        stats = {"null_count": int(column.isna().sum()), "distinct_count": int(column.nunique(dropna=True)),
                 "min": str(column.min()), "max": str(column.max())}
        if pd.api.types.is_numeric_dtype(column):
            stats.update(mean=float(column.mean()), std=float(column.std()),
                         quantiles=[float(v) for v in column.quantile(QUANTILES, interpolation="lower")])
        out[name] = stats
    return out


if __name__ == "__main__":
    started = time.perf_counter()
    result = profile(sys.argv[1])
    print(json.dumps({"tool": "pandas " + pd.__version__, "mode": "profile", "import_s": round(T_IMPORT, 3),
                      "work_s": round(time.perf_counter() - started, 3), "result": result}, default=str))
