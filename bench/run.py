#!/usr/bin/env python3
"""Times truthound-kestra beside hand-written polars and DuckDB in one run, as whole processes.

    bench/run.py [--env ENV_DIR] [--runs N] [--binary PATH] [--only suite,profile,...]

Measures (wall time and peak RSS from /usr/bin/time, medians over N runs):
  1. start-up: a check of the bundled 1,000-row CSV (warm), the same right after dropping the
     page cache (cold, when permitted), and `doctor`'s component load and instantiate times;
  2. the peer suite on the 10M-row Parquet file (ours with one engine instance, and with
     --parallel: one per core, beside polars, DuckDB, pandera on pandas and on polars, and Soda
     Core): not_null(id), unique(email), in_range(amount, min 0), in_set(status), regex(email),
     row_count; every tool's answer is compared with the generator's ground truth;
  3. a profile of the same file: ours (nulls, distinct counts, extremes, exact moments, quantiles,
     top values, duplicate rows) beside hand-written polars, DuckDB and pandas profiles and
     DuckDB's SUMMARIZE;
  4. the suite as a Great Expectations suite (bench/suite.gx.json) run natively by ours
     (--engine great_expectations) beside Great Expectations itself (pandas engine, ENV/venv-gx).
  5. scale: the suite on 100M rows (bench/gen_100m.py) for ours and the two fastest peers
     (polars, DuckDB), one run each: peak RSS against the 10M figure.
Prints a Markdown report with ratios to ours.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench"))
# Rule index in bench/suite.rules.yaml -> key of the ground truth.
SUITE_KEYS = ["not_null_id_failures", "unique_email_duplicates", "in_range_amount_failures",
              "in_set_status_failures", "regex_email_failures", "row_count"]


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (wall s, peak RSS MB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", t.name] + cmd, capture_output=True, text=True,
                           env={**os.environ, **(env or {})})
        wall, rss = t.read().split()[-2:]
    if p.returncode not in (0, 1):
        sys.exit(f"{cmd} failed ({p.returncode}): {p.stderr}")
    return float(wall), int(rss) / 1024, p.stdout


def ours_result(stdout):
    line = next(l for l in stdout.splitlines() if l.startswith('::{"outputs"'))
    outputs = json.loads(line[2:-2])["outputs"]
    rules = outputs["result"]["rule_results"]
    result = {key: rules[i]["unexpected_count"] for i, key in enumerate(SUITE_KEYS[:-1])}
    result["row_count"] = outputs["result"]["total_rows"]
    return result


def wall_ms(cmd):
    """Wall time of one run in milliseconds, measured here (finer than /usr/bin/time's 10 ms)."""
    started = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=False)
    return (time.perf_counter() - started) * 1000


def median_runs(cmd, runs, env=None, parse=None):
    walls, rsss, result = [], [], None
    for _ in range(runs):
        wall, rss, out = timed(cmd, env)
        walls.append(wall)
        rsss.append(rss)
        result = parse(out) if parse else None
    return statistics.median(walls), statistics.median(rsss), result


def drop_page_cache():
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", default=os.path.expanduser("~/.cache/truthound-kestra/bench-env"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=os.environ.get("TRUTHOUND_KESTRA", ""))
    ap.add_argument("--only", default="startup,suite,profile,gx,scale", help="comma-separated sections to run")
    a = ap.parse_args()
    sections = set(a.only.split(","))
    env_dir = Path(a.env)
    py = str(env_dir / "venv" / "bin" / "python")
    data = env_dir / "data" / "bench_10m.parquet"
    truth = json.loads((env_dir / "data" / "bench_10m.expected.json").read_text())
    truth_suite = {**truth["suite"], "row_count": truth["row_count"]}
    binary = a.binary or str(Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "truthound-kestra")

    if "startup" in sections:
        startup(binary)
    if "suite" in sections:
        peer_suite(binary, py, data, truth_suite, a.runs)
    if "profile" in sections:
        profile(binary, py, data, a.runs)
    if "gx" in sections:
        gx_suite(binary, str(env_dir / "venv-gx" / "bin" / "python"), data, truth_suite, a.runs)
    if "scale" in sections:
        big = env_dir / "data" / "bench_100m.parquet"
        big_truth = json.loads((env_dir / "data" / "bench_100m.expected.json").read_text())
        scale(binary, py, big, {**big_truth["suite"], "row_count": big_truth["row_count"]})


def startup(binary):
    small = [binary, "check", str(ROOT / "examples/orders.csv"), "--rules", str(ROOT / "examples/orders.rules.yaml")]
    cold = wall_ms(small) if drop_page_cache() else None
    warm = [wall_ms(small) for _ in range(20)]
    doctor = subprocess.run([binary, "doctor"], capture_output=True, text=True).stdout.strip()
    print("## Start-up (1,000-row CSV check, whole process)\n")
    print(f"- warm: median {statistics.median(warm):.1f} ms, min {min(warm):.1f} ms over 20 runs")
    print(f"- cold (page cache dropped): {cold:.1f} ms" if cold is not None else "- cold: page cache could not be dropped here")
    print("- " + doctor.replace("\n", "\n- "))


def table(title, rows):
    """Prints rows of (name, wall, rss, note) with each wall time divided by the first row's."""
    print(f"\n## {title}\n")
    print("| tool | wall s | peak RSS MB | note | wall / ours |")
    print("|---|---|---|---|---|")
    ours = rows[0][1]
    for name, wall, rss, note in rows:
        print(f"| {name} | {wall:.2f} | {rss:.0f} | {note} | {wall / ours:.2f} |")


def peer_result(out):
    """The suite counts a peer script printed (its last line), restricted to the suite's keys."""
    result = json.loads(out.strip().splitlines()[-1])["result"]
    return {key: result.get(key) for key in SUITE_KEYS}


def run_suite(jobs, truth_suite, runs):
    """Times each (name, cmd, env, parse) job; returns table rows with the answers checked."""
    rows = []
    for name, cmd, env, parse in jobs:
        wall, rss, result = median_runs(cmd, runs, env, parse or peer_result)
        rows.append((name, wall, rss, "answers match truth" if result == truth_suite else "WRONG: " + json.dumps(result)))
    return rows


def peer_suite(binary, py, data, truth_suite, runs):
    suite = [binary, "check", str(data), "--rules", str(HERE / "suite.rules.yaml")]
    peer = SHARED / "peer-bench"
    soda_py = str(Path(py).parent.parent.parent / "venv-soda" / "bin" / "python")
    jobs = [
        ("truthound-kestra", suite, None, ours_result),
        ("truthound-kestra --parallel", suite + ["--parallel"], None, ours_result),
        ("polars", [py, str(peer / "polars_bench.py"), str(data), "suite"], None, None),
        ("duckdb", [py, str(peer / "duckdb_bench.py"), str(data), "suite"], None, None),
        ("polars_1t", [py, str(peer / "polars_bench.py"), str(data), "suite"], {"POLARS_MAX_THREADS": "1"}, None),
        ("duckdb_1t", [py, str(peer / "duckdb_bench.py"), str(data), "suite"], {"DUCKDB_THREADS": "1"}, None),
        ("pandera (pandas)", [py, str(peer / "pandera_pandas_bench.py"), str(data), "suite"], None, None),
        ("pandera (polars)", [py, str(peer / "pandera_polars_bench.py"), str(data), "suite"], None, None),
        ("Soda Core (DuckDB)", [soda_py, str(peer / "soda_bench.py"), str(data), "suite"], None, None),
    ]
    table(f"Peer suite, 10M rows ({data.name}), median of {runs} runs", run_suite(jobs, truth_suite, runs))


def scale(binary, py, data, truth_suite):
    peer = SHARED / "peer-bench"
    jobs = [
        ("truthound-kestra", [binary, "check", str(data), "--rules", str(HERE / "suite.rules.yaml")], None, ours_result),
        ("polars", [py, str(peer / "polars_bench.py"), str(data), "suite"], None, None),
        ("duckdb", [py, str(peer / "duckdb_bench.py"), str(data), "suite"], None, None),
    ]
    table(f"Peer suite, 100M rows ({data.name}), one run", run_suite(jobs, truth_suite, 1))


def profile(binary, py, data, runs):
    peer = SHARED / "peer-bench"
    jobs = [
        ("truthound-kestra profile", [binary, "profile", str(data)], None, "all statistics, quantiles, top values, duplicate rows"),
        ("truthound-kestra profile --no-stats", [binary, "profile", str(data), "--no-stats"], None, "no moments, quantiles"),
        ("polars (hand-written)", [py, str(peer / "polars_bench.py"), str(data), "profile"], None, "nulls, exact distinct, min, max, mean"),
        ("duckdb (hand-written)", [py, str(peer / "duckdb_bench.py"), str(data), "profile"], None, "nulls, exact distinct, min, max, mean"),
        ("duckdb SUMMARIZE", [py, str(peer / "duckdb_bench.py"), str(data), "summarize"], None, "approximate distinct and quantiles"),
        ("pandas (hand-written)", [py, str(HERE / "pandas_profile.py"), str(data)], None, "nulls, exact distinct, min, max, mean, std, quantiles"),
    ]
    rows = [(name, *median_runs(cmd, runs, env)[:2], note) for name, cmd, env, note in jobs]
    table(f"Profile, 10M rows ({data.name}), median of {runs} runs", rows)


def gx_suite(binary, gx_py, data, truth_suite, runs):
    ours = [binary, "check", str(data), "--engine", "great_expectations", "--rules", str(HERE / "suite.gx.json")]
    gx = [gx_py, str(SHARED / "peer-bench/gx_bench.py"), str(data), "suite"]
    jobs = [("truthound-kestra --engine great_expectations", ours, None, ours_result),
            ("Great Expectations 1.x (pandas)", gx, None, None)]
    table(f"The suite as a GX expectation suite, 10M rows, median of {runs} runs", run_suite(jobs, truth_suite, runs))


if __name__ == "__main__":
    main()
