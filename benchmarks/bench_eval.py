"""Benchmark `bench eval`: per-instance overhead beyond the test command, and throughput.

Run (after the environment images of the chosen instances are cached, e.g. by one eval):

    .venv/bin/python benchmarks/bench_eval.py data.jsonl --instances ID,ID,... [--repos DIR]

For each worker count (1 and 2) it evaluates the gold patches into a fresh folder and prints,
per instance, the total time, the test command's own time and the overhead (container start,
patches, parsing, report); then throughput in instances per minute. The baseline, measured in
the same run, is the bare cost of `docker run --rm IMAGE true` on the same image: the floor
that any container-per-instance harness pays. Target: overhead <= 5 s per instance.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate

TARGET_OVERHEAD_S = 5.0


def _rows(out: Path, ids: list[str]) -> list[dict[str, Any]]:
    import json

    return [json.loads((out / i / "eval.json").read_text()) for i in ids]


def _bare_container(image: str, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.monotonic()
        subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"], check=True)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def _table(rows: list[dict[str, Any]], workers: int) -> list[float]:
    print(f"\nworkers={workers}")
    print(
        f"{'instance':38} {'resolved':>8} {'total_s':>8} {'tests_s':>8} {'overhead':>8} "
        f"{'env_s':>7} {'harness':>8}"
    )
    overheads = []
    for row in rows:
        t = row["timings"]
        overhead = t["total_s"] - t.get("tests_s", 0.0)
        overheads.append(overhead)
        # harness: the overhead without env_setup's cache look-up and verification
        print(
            f"{row['instance_id']:38} {row['resolved']!s:>8} {t['total_s']:8.2f} "
            f"{t.get('tests_s', 0.0):8.2f} {overhead:8.2f} {t.get('env_s', 0.0):7.2f} "
            f"{overhead - t.get('env_s', 0.0):8.2f}"
        )
    return overheads


def main() -> None:
    """Measure and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--instances", required=True)
    parser.add_argument(
        "--repos", type=Path, default=Path(os.environ.get("SWE_AGENT_MIRRORS", "mirrors"))
    )
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    ids = args.instances.split(",")
    instances = load_instances(args.dataset, instances=ids)
    summary_lines = []
    image = None
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as tmp:
        # Warm-up: builds or finds every environment image; its env records seed the runs.
        warm = Path(tmp) / "warm"
        evaluate(instances, "gold", EvalOptions(out=warm, mirrors=args.repos, workers=2))
        for workers in (int(w) for w in args.workers.split(",")):
            out = Path(tmp) / f"w{workers}"
            shutil.copytree(warm / "locks", out / "locks")
            options = EvalOptions(out=out, mirrors=args.repos, workers=workers)
            started = time.monotonic()
            summary = evaluate(instances, "gold", options)
            wall = time.monotonic() - started
            rows = _rows(out, [i.instance_id for i in instances])
            image = image or next((r["image"] for r in rows if r.get("image")), None)
            overheads = _table(rows, workers)
            per_min = 60 * len(rows) / wall
            summary_lines.append(
                f"workers={workers}: {len(rows)} instances in {wall:.1f} s = {per_min:.2f}/min, "
                f"resolved {summary['resolved_count']}, overhead median "
                f"{statistics.median(overheads):.2f} s, max {max(overheads):.2f} s "
                f"(target <= {TARGET_OVERHEAD_S:.0f} s)"
            )
    if image:
        summary_lines.append(
            f"baseline: docker run --rm {image} true = {_bare_container(image):.2f} s"
        )
    print("\n" + "\n".join(summary_lines))


if __name__ == "__main__":
    main()
