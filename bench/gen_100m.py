#!/usr/bin/env python3
"""The 100M-row scale point: ten chunks of the shared generator's data, made disjoint.

Usage: gen_100m.py SHARED_BENCH_DIR OUT_DIR

Chunk k is `generate(10_000_000, SEED + k)` of `shared/bench/gen_bench_data.py` with every id
turned into `id * 10 + k` (the digit k appended), in the `id` column and inside the email, so
ids and emails stay unique over the whole file and every other distribution is the shared one.
Written as snappy Parquet with row groups of 1,000,000 rows, streamed chunk by chunk; the suite's
ground truth (`bench_100m.expected.json`) is the sum of the chunks' (the chunks share no email).
"""
import json
import os
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CHUNKS = 10
CHUNK_ROWS = 10_000_000


def disjoint_chunk(gen, k):
    t = gen.generate(CHUNK_ROWS, gen.SEED + k)
    ids = pc.add(pc.multiply(t["id"], 10), k)
    email = pc.replace_substring_regex(t["email"], r"\.(\d+)(@| at )", ".\\1" + str(k) + "\\2")
    return t.set_column(0, "id", ids).set_column(1, "email", email)


def main():
    shared, out_dir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, shared)
    import gen_bench_data as gen

    path = os.path.join(out_dir, "bench_100m.parquet")
    totals = {}
    rows = 0
    with pq.ParquetWriter(path + ".part", gen.generate(10, gen.SEED).schema, compression="snappy") as writer:
        for k in range(CHUNKS):
            t = disjoint_chunk(gen, k)
            writer.write_table(t, row_group_size=1_000_000)
            suite = gen.expected(t.select(["id", "email", "amount", "status"]))["suite"]
            for name, value in suite.items():
                totals[name] = totals.get(name, 0) + value
            rows += t.num_rows
            print(f"chunk {k}: {t.num_rows} rows", flush=True)
    os.replace(path + ".part", path)
    with open(os.path.join(out_dir, "bench_100m.expected.json"), "w") as f:
        json.dump({"row_count": rows, "suite": totals}, f, indent=2)
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
