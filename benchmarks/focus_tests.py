"""Which test files the base run takes: each sign of ``tests_for`` alone, and together.

With no tests named, ``solve`` runs at the base only the test files that check the functions
under repair (``swe_agent.solve.context.tests_for``), not the whole suite, which on large
repositories gives no outcome in the test timeout. This scores that choice on SWE-bench
instances: the functions under repair are the ones the reference patch changes (an oracle
localization, so only the choice of tests is measured), and a choice hits when it holds a test
file the instance's own test patch changes (one that exists at the base commit: the harness
runs those files). Datasets with no test patch (SWE-bench Verified as ../shared/data holds it,
Loc-Bench) take the test files of the fix's commit in the mirror: the first commit after the
base on the first-parent line that adds at least 80% of the reference patch's added lines (on
SWE-bench Lite dev it finds 21 of 22 instances' commits, whose test files are the test patch's
in 20). A choice with no file means the whole suite.

    python benchmarks/focus_tests.py DATA.jsonl... --repos MIRRORS --cache-dir CHECKOUTS [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SHIPPED = "graph and name, else class (tests_for)"


def _signs() -> dict[str, Callable[[Any, Sequence[str]], list[str]]]:
    from swe_agent.solve.context import (
        tests_for,
        tests_named_after,
        tests_of_classes,
        tests_reaching,
    )

    return {
        "graph, two steps (before)": tests_reaching,
        "named after the module": tests_named_after,
        "its class, one step": tests_of_classes,
        "the first sign that finds any (graph, name, class)": lambda g, ids: (
            tests_reaching(g, ids) or tests_named_after(g, ids) or tests_of_classes(g, ids)
        ),
        SHIPPED: tests_for,
    }


def score_one(instance: Any, mirrors: Path, cache_dir: Path) -> dict[str, Any] | None:
    """The files each sign picks for one instance, and the instance's own test files."""
    from common import is_test_module
    from patches import named_paths
    from repo_graph import build_graph
    from swe_agent.bench.errors import CommitNotAvailable
    from swe_agent.bench.repos import materialize
    from swe_agent.solve.context import changed_entities

    try:
        checkout = materialize(
            instance.repo,
            instance.base_commit,
            mirrors=mirrors,
            cache_dir=cache_dir,
            url_template="",
        )
    except CommitNotAvailable:
        return None
    graph = build_graph(checkout.root, parse_store=cache_dir / ".parse-store")
    changed = [i for i in changed_entities(graph, instance.patch) if ":" in i]
    if not changed:
        return None  # the fix changes no function or class (module level only)
    if instance.test_patch:
        touched: Sequence[str] = named_paths(instance.test_patch)
    else:
        touched = _fix_commit_files(mirrors, instance)
    own = {p for p in touched if is_test_module(p) and (checkout.root / p).is_file()}
    picks = {name: sign(graph, changed) for name, sign in _signs().items()}
    return {"id": instance.instance_id, "targets": changed, "own": sorted(own), "picks": picks}


def _fix_commit_files(mirrors: Path, instance: Any) -> list[str]:
    """The files of the commit that made the reference patch (none found: no files)."""
    from common.git import git_stdout
    from patches import named_paths

    git_dir = mirrors / instance.repo.replace("/", "+") / "repo"
    gold = named_paths(instance.patch)
    wanted = _added_lines(instance.patch)
    line = f"{instance.base_commit}..HEAD"
    found = git_stdout(
        "rev-list",
        "--reverse",
        "--first-parent",
        "--ancestry-path",
        line,
        "--",
        *gold,
        git_dir=git_dir,
    )
    for commit in (found or "").split()[:5]:
        diff = git_stdout("diff", f"{commit}^1", commit, "--", *gold, git_dir=git_dir) or ""
        if wanted and len(wanted & _added_lines(diff)) >= 0.8 * len(wanted):
            names = git_stdout("diff", "--name-only", f"{commit}^1", commit, git_dir=git_dir)
            return (names or "").split()
    return []


def _added_lines(diff: str) -> set[str]:
    from patches import added_lines, named_paths

    return {
        line.strip() for p in named_paths(diff) for line in added_lines(diff, p) if line.strip()
    }


def table(rows: list[dict[str, Any]]) -> list[str]:
    scored = [r for r in rows if r["own"]]
    lines = [
        f"{len(rows)} instances with a changed function or class; {len(scored)} whose test "
        "patch (or fix commit) changes a test file that exists at the base",
        "",
        "| sign | some file (else the whole suite) | holds an own test file | files, median |",
        "|---|---|---|---|",
    ]
    for name in rows[0]["picks"] if rows else ():
        some = [r for r in rows if r["picks"][name]]
        hits = [r for r in scored if set(r["picks"][name]) & set(r["own"])]
        sizes = [len(r["picks"][name]) for r in some] or [0]
        lines.append(
            f"| {name} | {len(some)}/{len(rows)} | {len(hits)}/{len(scored)} "
            f"| {statistics.median(sizes):g} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="+", type=Path)
    parser.add_argument("--repos", type=Path, required=True, help="git mirrors (bench --repos)")
    parser.add_argument("--cache-dir", type=Path, required=True, help="checkouts at base")
    parser.add_argument("--json", type=Path, help="also write every instance's picks here")
    args = parser.parse_args(argv)
    from swe_agent.bench.datasets import load_instances

    rows, started = [], time.perf_counter()
    for path in args.data:
        for instance in load_instances(path):
            if not (args.repos / instance.repo.replace("/", "+")).is_dir():
                continue
            row = score_one(instance, args.repos, args.cache_dir)
            if row is not None:
                rows.append(row)
                print(f"{row['id']}: {len(row['picks'][SHIPPED])} files", file=sys.stderr)
    print("\n".join(table(rows)))
    print(f"\n{time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
