#!/usr/bin/env bash
# Prepares the benchmark: a Python environment with the peer tools and the deterministic data.
#   bench/setup.sh [ENV_DIR]     (default ~/.cache/truthound-kestra/bench-env)
# The data generator and the peer scripts are the project's shared ones (../shared/bench), so
# every tool is measured on the same files with the same suite.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
env_dir="${1:-$HOME/.cache/truthound-kestra/bench-env}"
shared="${SHARED_BENCH:-$here/../../shared/bench}"
mkdir -p "$env_dir"
if [ ! -x "$env_dir/venv/bin/python" ]; then
  python3 -m venv "$env_dir/venv"
  "$env_dir/venv/bin/pip" install -q pyarrow numpy polars duckdb pandas
fi
if ! "$env_dir/venv/bin/python" -c "import pandera" 2>/dev/null; then
  "$env_dir/venv/bin/pip" install -q "pandera[polars,pandas]==0.35.0"
fi
if [ ! -x "$env_dir/venv-soda/bin/python" ]; then
  # Soda Core pins an older duckdb: a venv of its own (pytz is a missing dependency of it).
  python3 -m venv "$env_dir/venv-soda"
  "$env_dir/venv-soda/bin/pip" install -q soda-core-duckdb==3.5.6 pyarrow pytz
fi
if [ ! -x "$env_dir/venv-gx/bin/python" ]; then
  # Great Expectations pins its own pandas: a venv of its own.
  python3 -m venv "$env_dir/venv-gx"
  "$env_dir/venv-gx/bin/pip" install -q great-expectations==1.24.1 pyarrow
fi
if [ ! -f "$env_dir/data/bench_10m.parquet" ]; then
  "$env_dir/venv/bin/python" "$shared/gen_bench_data.py" "$env_dir/data"
fi
if [ ! -f "$env_dir/data/bench_100m.parquet" ]; then
  # The 100M-row scale point (3.4 GB; about 10 minutes on 2 cores).
  "$env_dir/venv/bin/python" "$here/gen_100m.py" "$shared" "$env_dir/data"
fi
echo "bench environment ready in $env_dir"
