"""Validates data files with the real Great Expectations and prints its results as JSON.

    python gx_run.py SUITE.json DATA...

SUITE is a GX expectation suite (`type` or the older `expectation_type` keys); a top-level
`result_format` (truthound's extension) is passed to the validation, as a checkpoint would.
DATA files are read with pandas defaults (`read_csv`, `read_parquet`), as a GX user would.
Prints `{"<data file>": <the validation result's to_json_dict()>, ...}` with the results in
suite order (GX groups them by column). Exits 1 when an expectation raised, so a broken
comparison fails instead of comparing an error.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")
warnings.filterwarnings("ignore")

import great_expectations as gx  # noqa: E402
import pandas as pd  # noqa: E402


def read(path):
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def main(suite_path, data_paths):
    with open(suite_path, encoding="utf-8") as f:
        suite = json.load(f)
    result_format = suite.pop("result_format", "SUMMARY")
    expectations = []
    for written in suite["expectations"]:
        config = {"type": written.get("type") or written["expectation_type"], "kwargs": written["kwargs"]}
        for key in ("meta", "severity"):
            if key in written:
                config[key] = written[key]
        expectations.append(config)
    context = gx.get_context(mode="ephemeral")
    batch_definition = (
        context.data_sources.add_pandas("files").add_dataframe_asset("data").add_batch_definition_whole_dataframe("all")
    )
    name = suite.get("name") or suite.get("expectation_suite_name") or "suite"
    gx_suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    results = {}
    for path in data_paths:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": read(path)})
        result = batch.validate(gx_suite, result_format=result_format).to_json_dict()
        order = {expectation.id: i for i, expectation in enumerate(gx_suite.expectations)}
        result["results"].sort(key=lambda item: order[item["expectation_config"]["id"]])
        for item in result["results"]:
            if item["exception_info"].get("raised_exception"):
                sys.exit(f"{path}: {item['expectation_config']['type']} raised: {item['exception_info']}")
        results[path] = result
    # Some aggregate results hold numpy scalars (e.g. quantile success details).
    json.dump(results, sys.stdout, default=lambda value: value.item() if hasattr(value, "item") else str(value))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
