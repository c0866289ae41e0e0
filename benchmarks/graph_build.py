"""Benchmark of the code graph on Django 5.1.4's source distribution (2,788 Python files).

Measures, each in a fresh process: the cold build, the warm load, a rebuild after editing one
file (in a new process, and as an in-process ``refresh()``), and peak memory; and, in the same
run, two baselines over the same files: tree-sitter parsing alone and ``ast.parse``.

    .venv/bin/python benchmarks/graph_build.py                 # table
    .venv/bin/python benchmarks/graph_build.py --json          # one JSON object
    .venv/bin/python benchmarks/graph_build.py --fetch         # download + unpack Django first

The tree lives outside the repository (default ~/.cache/swe-agent-bench/Django-5.1.4);
``--fetch`` gets it with ``pip download --no-deps --no-binary :all: django==5.1.4``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_TREE = Path.home() / ".cache" / "swe-agent-bench" / "Django-5.1.4"
EDITED = "django/utils/text.py"  # a module imported all over Django
TARGETS = {
    "cold_s": 10.0,
    "warm_s": 1.0,
    "rebuild_refresh_s": 0.3,
    "peak_mb": 2048.0,
    "localize_p50_s": 0.1,
}
# Issue texts in the style of Django's tracker, for the localize latency.
ISSUES = (
    "QuerySet.bulk_create() crashes on mixed case columns in unique_fields/update_fields",
    "`slugify()` does not strip leading dashes and underscores\n\n```python\n"
    "from django.utils import text\ntext.slugify('___This is a test ---')\n```",
    'Traceback (most recent call last):\n  File "django/db/models/sql/compiler.py", '
    "line 1500, in execute_sql\n    cursor.execute(sql, params)\n"
    "ValueError: Cannot use None as a query value",
    "ModelAdmin with custom list_filter raises FieldError when the lookup spans a relation",
    "`makemigrations --check` writes migrations; it should exit without writing them",
    "Paginator.__iter__ should yield pages; Paginator.page_range is used instead",
    "DurationField.to_python() error message shows the wrong format for invalid input",
    "The `autoreload` of runserver misses changes in manage.py when run with -m",
)


def fetch(tree: Path) -> None:
    """Download Django 5.1.4's sdist from PyPI and unpack it at ``tree``."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                ":all:",
                "django==5.1.4",
                "-d",
                tmp,
                "-q",
            ],
            check=True,
        )
        archive = next(Path(tmp).glob("*.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(Path(tmp) / "unpacked", filter="data")
        (top,) = (Path(tmp) / "unpacked").iterdir()  # the sdist's one top-level folder
        tree.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(top), tree)


# --- steps, each run in its own process --------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the parse workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Timer:
    """Wall and CPU seconds of a ``with`` block: on a shared machine CPU time is the steadier."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu


def step_cold(tree: Path) -> dict[str, Any]:
    from repo_graph import build_graph
    from repo_graph.cache import cache_dir_for

    shutil.rmtree(cache_dir_for(tree.resolve()), ignore_errors=True)
    with Timer() as timer:
        graph = build_graph(tree)
    return {"seconds": timer.wall, "cpu": timer.cpu, "stats": graph.stats.to_json()}


def step_warm(tree: Path) -> dict[str, Any]:
    from repo_graph import build_graph

    with Timer() as timer:
        graph = build_graph(tree)
    return {"seconds": timer.wall, "cpu": timer.cpu, "mode": graph.stats.mode}


def step_rebuild(tree: Path) -> dict[str, Any]:
    """A new process after one file changed: load the cache, update, save."""
    from repo_graph import build_graph

    build_graph(tree)  # make sure the cache matches the tree before the edit
    with edited(tree, "rebuild"), Timer() as timer:
        graph = build_graph(tree)
    build_graph(tree)  # leave the cache matching the restored tree
    mode, parsed = graph.stats.mode, graph.stats.files_parsed
    return {"seconds": timer.wall, "cpu": timer.cpu, "mode": mode, "parsed": parsed}


def step_refresh(tree: Path, repeat: int) -> dict[str, Any]:
    """In one process, as an agent session would: edit a file, refresh the graph."""
    from repo_graph import build_graph

    graph = build_graph(tree)
    graph = graph.refresh()  # the first refresh loads the parse records: a one-time cost
    walls, cpus = [], []
    for index in range(repeat):
        with edited(tree, f"refresh{index}"), Timer() as timer:
            graph = graph.refresh()
        walls.append(timer.wall)
        cpus.append(timer.cpu)
        graph = graph.refresh()  # back to the original text (not timed)
    return {"seconds": statistics.median(walls), "cpu": statistics.median(cpus), "all": walls}


def step_jedi(tree: Path, files: int) -> dict[str, Any]:
    """The opt-in jedi pass on a sample of files: what it adds per call, and at what cost."""
    from repo_graph import build_graph
    from repo_graph.jedi_pass import resolve_with_jedi

    graph = build_graph(tree)
    unresolved_before = graph.stats.unresolved_calls
    sample = sorted(p for p, k in graph.graph.nodes(data="kind") if k == "file")
    sample = [p for p in sample if p.startswith("django/")][:: max(1, 900 // max(files, 1))][:files]
    with Timer() as timer:
        report = resolve_with_jedi(graph, sample)
    per_call = timer.wall / max(report.calls, 1)
    return {
        "files": report.files,
        "calls": report.calls,
        "resolved": report.resolved,
        "seconds": timer.wall,
        "cpu": timer.cpu,
        "per_call_ms": 1000 * per_call,
        "whole_repo_estimate_s": per_call * unresolved_before,
    }


def step_localize(tree: Path, repeat: int) -> dict[str, Any]:
    """The lexical index built (cold), then loaded from the cache; localize latency."""
    from localization import GraphLocalizer
    from repo_graph import build_graph
    from repo_graph.cache import cache_dir_for

    graph = build_graph(tree)
    for item in cache_dir_for(tree.resolve()).glob("artifact-lexical-*"):
        item.unlink()
    with Timer() as cold:
        GraphLocalizer(graph)
    with Timer() as warm:
        localizer = GraphLocalizer(build_graph(tree))
    times = []
    for _ in range(repeat):
        for issue in ISSUES:
            started = time.perf_counter()
            localizer.localize(issue, top=10)
            times.append(time.perf_counter() - started)
    return {
        "index_cold_s": cold.wall,
        "index_cold_cpu": cold.cpu,
        "index_warm_s": warm.wall,
        "index_warm_cpu": warm.cpu,
        "localize_p50_s": statistics.median(times),
        "localize_max_s": max(times),
    }


def step_baselines(tree: Path) -> dict[str, Any]:
    """Single-process parse of every .py file: tree-sitter alone, then ``ast.parse``."""
    import ast

    from repo_graph.parse import _tools

    sources = [p.read_bytes() for p in sorted(tree.rglob("*.py")) if ".swe-agent" not in p.parts]
    parser, _ = _tools()
    with Timer() as tree_sitter:
        for data in sources:
            parser.parse(data)
    with Timer() as python_ast:
        for data in sources:
            # Django ships a test file with a deliberate syntax error.
            with contextlib.suppress(SyntaxError):
                ast.parse(data)
    return {
        "files": len(sources),
        "tree_sitter_parse_s": tree_sitter.wall,
        "tree_sitter_parse_cpu": tree_sitter.cpu,
        "ast_parse_s": python_ast.wall,
        "ast_parse_cpu": python_ast.cpu,
    }


class edited:
    """Append a function to one file for the duration of a ``with`` block."""

    def __init__(self, tree: Path, tag: str) -> None:
        self.path = tree / EDITED
        self.tag = tag

    def __enter__(self) -> None:
        self.original = self.path.read_bytes()
        extra = f"\n\ndef bench_{self.tag}(value):\n    return slugify(value)\n"
        self.path.write_bytes(self.original + extra.encode())

    def __exit__(self, *exc: object) -> None:
        self.path.write_bytes(self.original)


def run_step(name: str, tree: Path, repeat: int) -> dict[str, Any]:
    """Run one step in a fresh interpreter; add its peak memory (itself and its workers)."""
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, "--tree", str(tree), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def child_main(name: str, tree: Path, repeat: int) -> None:
    import resource

    steps = {
        "cold": lambda: step_cold(tree),
        "warm": lambda: step_warm(tree),
        "rebuild": lambda: step_rebuild(tree),
        "refresh": lambda: step_refresh(tree, repeat),
        "baselines": lambda: step_baselines(tree),
        "jedi": lambda: step_jedi(tree, repeat),
        "localize": lambda: step_localize(tree, repeat),
    }
    result = steps[name]()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_mb"] = max(own, workers) / 1024  # Linux reports KiB
    print(json.dumps(result))


# --- the report ----------------------------------------------------------------------------------


def measure(tree: Path, repeat: int, jedi_files: int) -> dict[str, Any]:
    baselines = run_step("baselines", tree, repeat)
    cold = run_step("cold", tree, repeat)
    warm = [run_step("warm", tree, repeat) for _ in range(repeat)]
    rebuild = [run_step("rebuild", tree, repeat) for _ in range(repeat)]
    refresh = run_step("refresh", tree, repeat)
    jedi = run_step("jedi", tree, jedi_files) if jedi_files else None
    localize = run_step("localize", tree, repeat)
    return {
        "jedi": jedi,
        "localize": localize,
        "tree": str(tree),
        "files": baselines["files"],
        "baseline_tree_sitter_parse_s": baselines["tree_sitter_parse_s"],
        "baseline_tree_sitter_parse_cpu": baselines["tree_sitter_parse_cpu"],
        "baseline_ast_parse_s": baselines["ast_parse_s"],
        "baseline_ast_parse_cpu": baselines["ast_parse_cpu"],
        "cold_s": cold["seconds"],
        "cold_cpu": cold["cpu"],
        "cold_timings": cold["stats"]["timings"],
        "nodes": cold["stats"]["nodes"],
        "edges": cold["stats"]["edges"],
        "warm_s": statistics.median(w["seconds"] for w in warm),
        "warm_cpu": statistics.median(w["cpu"] for w in warm),
        "rebuild_new_process_s": statistics.median(r["seconds"] for r in rebuild),
        "rebuild_new_process_cpu": statistics.median(r["cpu"] for r in rebuild),
        "rebuild_refresh_s": refresh["seconds"],
        "rebuild_refresh_cpu": refresh["cpu"],
        "peak_mb": max(cold["peak_mb"], *(w["peak_mb"] for w in warm)),
        "load_average": list(os.getloadavg()),
        "repeat": repeat,
    }


def print_table(report: dict[str, Any]) -> None:
    def row(label: str, key: str, target: float | None) -> str:
        wall, cpu = report[f"{key}_s"], report[f"{key}_cpu"]
        goal = "" if target is None else f"{target:.1f}s"
        verdict = "" if target is None else ("yes" if wall <= target else "NO")
        return f"{label:42} {wall:>8.3f}s {cpu:>8.3f}s {goal:>8}  {verdict}"

    files, repeat = report["files"], report["repeat"]
    print(f"graph build on {report['tree']} ({files} .py files, median of {repeat})")
    print(f"{'measure':42} {'wall':>9} {'cpu':>9} {'target':>8}  ok")
    print(row("baseline: tree-sitter parse, 1 process", "baseline_tree_sitter_parse", None))
    print(row("baseline: ast.parse, 1 process", "baseline_ast_parse", None))
    print(row("cold build (list, parse, resolve, save)", "cold", TARGETS["cold_s"]))
    print(row("warm load (new process)", "warm", TARGETS["warm_s"]))
    print(row("rebuild after 1 edit: refresh()", "rebuild_refresh", TARGETS["rebuild_refresh_s"]))
    print(row("rebuild after 1 edit: new process", "rebuild_new_process", None))
    peak, goal = report["peak_mb"], TARGETS["peak_mb"]
    verdict = "yes" if peak <= goal else "NO"
    print(f"{'peak memory':42} {peak:>8.0f}MB {'':>9} {goal:>6.0f}MB  {verdict}")
    ratio = report["cold_s"] / report["baseline_ast_parse_s"]
    print(f"cold build / ast.parse baseline (wall): {ratio:.2f}x")
    print("cold timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in report["cold_timings"].items()))
    print("nodes: " + json.dumps(report["nodes"]) + "  edges: " + json.dumps(report["edges"]))
    jedi = report["jedi"]
    if jedi:
        print(
            f"jedi pass (opt-in) on {jedi['files']} files: {jedi['resolved']} of {jedi['calls']}"
            f" unresolved calls resolved, {jedi['per_call_ms']:.1f} ms per call,"
            f" whole repository estimate {jedi['whole_repo_estimate_s']:.0f}s"
        )
    loc = report["localize"]
    verdict = "yes" if loc["localize_p50_s"] <= TARGETS["localize_p50_s"] else "NO"
    print(
        f"localize: p50 {1000 * loc['localize_p50_s']:.0f} ms (target"
        f" {1000 * TARGETS['localize_p50_s']:.0f} ms: {verdict}), max"
        f" {1000 * loc['localize_max_s']:.0f} ms over {len(ISSUES)} issues;"
        f" lexical index built in {loc['index_cold_s']:.2f}s ({loc['index_cold_cpu']:.2f}s cpu),"
        f" loaded from the cache in {loc['index_warm_s']:.2f}s (graph load included)"
    )
    print("load average during the run: " + ", ".join(f"{x:.1f}" for x in report["load_average"]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="unpacked Django sdist")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--fetch", action="store_true", help="download Django 5.1.4 if missing")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the quick measures")
    parser.add_argument("--jedi", type=int, default=10, help="files for the jedi sample (0: skip)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child_main(args.step, args.tree, args.repeat)
        return
    if not args.tree.is_dir():
        if not args.fetch:
            sys.exit(f"{args.tree} is missing: run with --fetch (or pass --tree)")
        fetch(args.tree)
    report = measure(args.tree, args.repeat, args.jedi)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
