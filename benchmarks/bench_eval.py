"""Benchmark `bench eval`: per-instance overhead beyond the test command, and throughput.

Run (the environment images of the instances are built by the warm-up when missing):

    .venv/bin/python benchmarks/bench_eval.py data/swebench_lite_dev.jsonl [--repos DIR]

A warm-up evaluation makes sure every environment image is cached. Then, for 1 and 2 workers,
the gold patches are evaluated into a fresh folder (a fresh batch: each repository and version
resolves its environment once, through env_setup's cache path) and the script prints per
instance the total time, the test command's own time and the overhead (total minus tests:
workdir, environment look-up, container start, patches, parsing, report), then p50 / p95 of
the overhead and the throughput in instances per minute. The baseline, measured in the same
run, is `docker run --rm IMAGE true` on the same image: the floor that any
container-per-instance harness pays. Target: overhead <= 5 s per instance.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate

TARGET_OVERHEAD_S = 5.0
# Lite dev instances whose repositories fetch whole: four versions share an environment.
DEFAULT_IDS = (
    "sqlfluff__sqlfluff-1733,sqlfluff__sqlfluff-1517,sqlfluff__sqlfluff-1763,"
    "marshmallow-code__marshmallow-1359,marshmallow-code__marshmallow-1343,"
    "pydicom__pydicom-1413,pydicom__pydicom-1256,pylint-dev__astroid-1866"
)


def _rows(out: Path, ids: list[str]) -> list[dict[str, Any]]:
    return [json.loads((out / i / "eval.json").read_text()) for i in ids]


def _bare_container(image: str, repeats: int = 5) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.monotonic()
        subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"], check=True)
        times.append(time.monotonic() - started)
    return times


def _pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank; p95 of a handful of values is their maximum)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _table(rows: list[dict[str, Any]], workers: int) -> dict[str, list[float]]:
    print(f"\nworkers={workers}")
    print(f"{'instance':36} {'resolved':>8} {'shared':>6} {'total_s':>8} {'tests_s':>8} "
          f"{'overhead':>8} {'env_s':>6} {'sandbox':>7} {'patch':>6}")  # fmt: skip
    series: dict[str, list[float]] = {"overhead": [], "env": [], "harness": []}
    for row in rows:
        t = row["timings"]
        overhead = t["total_s"] - t.get("tests_s", 0.0)
        series["overhead"].append(overhead)
        # env_setup's share: its look-up, and modules it installed for skipped named tests
        env = t.get("env_s", 0.0) + t.get("modules_s", 0.0)
        series["env"].append(env)
        series["harness"].append(overhead - env)
        print(f"{row['instance_id']:36} {row['resolved']!s:>8} {row.get('env_shared')!s:>6} "
              f"{t['total_s']:8.2f} {t.get('tests_s', 0.0):8.2f} {overhead:8.2f} "
              f"{t.get('env_s', 0.0):6.2f} {t.get('sandbox_s', 0.0):7.2f} "
              f"{t.get('patch_s', 0.0):6.2f}")  # fmt: skip
        if row.get("error"):
            print(f"    error: {row['error'][:300]}")
    return series


def _line(name: str, values: list[float]) -> str:
    return f"{name} p50 {statistics.median(values):.2f} s, p95 {_pct(values, 95):.2f} s"


def _run(instances: list[Any], repos: Path, out: Path, workers: int) -> tuple[str, str | None]:
    options = EvalOptions(out=out, mirrors=repos, workers=workers)
    started, cpu = time.monotonic(), os.times()
    summary = evaluate(instances, "gold", options)
    wall = time.monotonic() - started
    spent = os.times()
    cpu_s = sum(spent[:4]) - sum(cpu[:4])
    rows = _rows(out, [i.instance_id for i in instances])
    series = _table(rows, workers)
    line = (
        f"workers={workers}: {len(rows)} instances in {wall:.1f} s = "
        f"{60 * len(rows) / wall:.2f}/min, resolved {summary['resolved_count']}, "
        f"{_line('overhead', series['overhead'])} (target <= {TARGET_OVERHEAD_S:.0f} s); "
        f"without env look-up {_line('', series['harness']).strip()}; "
        f"host CPU of the harness {cpu_s:.1f} s"
    )
    return line, next((r["image"] for r in rows if r.get("image")), None)


def main() -> None:
    """Measure and print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--instances", default=DEFAULT_IDS, help="Comma-separated ids.")
    parser.add_argument(
        "--repos", type=Path, default=Path(os.environ.get("SWE_AGENT_MIRRORS", "mirrors"))
    )
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    instances = load_instances(args.dataset, instances=args.instances.split(","))
    lines, image = [f"load average at start: {os.getloadavg()[0]:.2f}"], None
    with tempfile.TemporaryDirectory(prefix="bench-eval-") as tmp:
        evaluate(instances, "gold", EvalOptions(out=Path(tmp) / "warm", mirrors=args.repos))
        for workers in (int(w) for w in args.workers.split(",")):
            line, found = _run(instances, args.repos, Path(tmp) / f"w{workers}", workers)
            lines.append(line)
            image = image or found
    if image:
        lines.append(f"baseline: docker run --rm {image} true: {_line('', _bare_container(image))}")
    lines.append(f"load average at end: {os.getloadavg()[0]:.2f}")
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
