"""Compare `bench env` runs: success, and cold set-up time per instance (median, p90).

Run `swe-agent bench env DATASET --json > RUN.json` once per code version or tooling mode
(`--tooling isolated|dated`), on the same instances and machine, then:

    .venv/bin/python benchmarks/env_setup_runs.py base=main.json isolated=new.json dated=d.json

The first run is the baseline. Cold time counts the instances that built their environment in
every run compared (no cache hit in any), so each figure covers the same instances; the last
column is the change of the median against the baseline. Target: no more than +20%.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

TARGET_GROWTH = 0.20


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {row["instance_id"]: row for row in data["rows"]}


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def compare(runs: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One summary per run over the instances common to all runs."""
    common = set.intersection(*(set(rows) for rows in runs.values()))
    cold = sorted(
        i for i in common if all(not r[i]["cache_hit"] and r[i]["python"] for r in runs.values())
    )
    out = []
    base = None
    for label, rows in runs.items():
        times = [rows[i]["seconds"] for i in cold]
        median = statistics.median(times) if times else 0.0
        base = median if base is None else base
        out.append(
            {
                "run": label,
                "instances": len(common),
                "success": sum(rows[i]["success"] for i in common),
                "cold": len(cold),
                "cold_median_s": round(median, 1),
                "cold_p90_s": round(_p90(times), 1) if times else 0.0,
                "median_change": round(median / base - 1, 3) if base else 0.0,
                "failed": sorted(i for i in common if not rows[i]["success"]),
            }
        )
    return out


def main() -> None:
    """Print the comparison table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="LABEL=bench-env.json, the baseline first")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    runs = {}
    for item in args.runs:
        label, _, path = item.partition("=")
        runs[label] = _rows(Path(path))
    table = compare(runs)
    if args.json:
        print(json.dumps(table, indent=2))
        return
    print(f"{'run':<12}{'success':>12}{'cold':>6}{'median s':>10}{'p90 s':>8}{'change':>8}")
    for row in table:
        success = f"{row['success']}/{row['instances']}"
        print(
            f"{row['run']:<12}{success:>12}{row['cold']:>6}{row['cold_median_s']:>10}"
            f"{row['cold_p90_s']:>8}{row['median_change']:>+8.1%}"
        )
    for row in table:
        if row["failed"]:
            print(f"{row['run']} failed: {', '.join(row['failed'])}")
    print(f"target: cold median within +{TARGET_GROWTH:.0%} of the baseline")


if __name__ == "__main__":
    main()
