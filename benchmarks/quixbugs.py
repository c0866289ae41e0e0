"""QuixBugs with the embedded model: MCTS against linear mode at the same cap on model calls.

For each program: check the repository out at its base commit (from git mirrors), solve the
issue, then verify independently: apply patch.diff to a clean copy and run the program's test
file. Prints a table per mode (resolved, model calls, tokens, minutes) and, with --json, one
object with every row.

    python benchmarks/quixbugs.py --repos MIRRORS --modes linear,mcts --calls 12
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The dataset lives in shared/data beside the checkout (or beside a folder of worktrees).
DATA = next(
    (p / "shared" / "data" / "quixbugs_dev.jsonl" for p in ROOT.parents if (p / "shared").is_dir()),
    ROOT.parent / "shared" / "data" / "quixbugs_dev.jsonl",
)


def main() -> None:
    args = _parse()
    from swe_agent.bench import default_cache_dir, load_instances

    ids = args.instances.split(",") if args.instances else []
    instances = load_instances(args.dataset, instances=ids, limit=args.limit)
    rows = []
    for mode in args.modes.split(","):
        for inst in instances:
            row = run_one(inst, mode=mode, args=args, cache=default_cache_dir())
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    summary = summarise(rows)
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, indent=2))
    else:
        print_table(summary, cap=args.calls)


def run_one(inst: Any, *, mode: str, args: argparse.Namespace, cache: Path) -> dict[str, Any]:
    """Solve one program in one mode and verify the patch on a clean copy."""
    from swe_agent.bench import materialize
    from swe_agent.solve import SolveOptions, solve

    checkout = materialize(inst.repo, inst.base_commit, mirrors=args.repos, cache_dir=cache)
    work = args.out / mode / inst.instance_id
    repo = fresh_repo(checkout.root, work / "repo")
    tests = list(inst.FAIL_TO_PASS)
    options = SolveOptions(
        repo=repo,
        issue=inst.problem_statement,
        model=args.model,
        search=mode,
        iterations=args.calls,
        max_calls=args.calls,
        max_steps=args.calls,
        expansions=args.expansions,
        sandbox=args.sandbox,
        setup_env=args.sandbox == "docker",
        tests=tests,
        test_timeout_s=120,
        test_command=args.test_command,
        wall_time_s=args.minutes * 60,
    )
    started = time.monotonic()
    try:
        report = solve(options)
    except Exception as exc:  # a benchmark row records any failure and goes on
        return {"id": inst.instance_id, "mode": mode, "error": f"{type(exc).__name__}: {exc}"}
    usage = json.loads(Path(report["run_dir"], "report.json").read_text())
    return {
        "id": inst.instance_id,
        "mode": mode,
        "status": report["status"],
        "resolved": verify(checkout.root, work / "verify", report["patch"], tests),
        "calls": report["model_calls"],
        "tokens": usage["tokens"]["in"] + usage["tokens"]["out"],
        "nodes": report["search"].get("nodes"),
        "minutes": round((time.monotonic() - started) / 60, 2),
    }


def fresh_repo(source: Path, dest: Path) -> Path:
    """A git repository holding a copy of ``source``, committed."""
    shutil.rmtree(dest, ignore_errors=True)
    # The reference solutions ship in the repository: they are the answer key, so they go.
    skip = shutil.ignore_patterns(".swe-agent-checkout.json", "correct_*programs")
    shutil.copytree(source, dest, ignore=skip)
    git = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench"]
    subprocess.run([*git, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*git, "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=dest, check=True)
    return dest


def verify(source: Path, dest: Path, patch: str, tests: list[str]) -> bool:
    """Apply the patch to a clean copy and run the failing tests there."""
    if not patch.strip():
        return False
    repo = fresh_repo(source, dest)
    applied = subprocess.run(["git", "apply", "-"], cwd=repo, input=patch, text=True)
    if applied.returncode != 0:
        return False
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout=30", *tests]
    done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=300)
    return done.returncode == 0


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Resolved count, calls per resolved program and minutes, per mode."""
    out: dict[str, dict[str, Any]] = {}
    for mode in sorted({r["mode"] for r in rows}):
        mine = [r for r in rows if r["mode"] == mode]
        resolved = [r for r in mine if r.get("resolved")]
        calls = sum(r.get("calls", 0) for r in mine)
        out[mode] = {
            "programs": len(mine),
            "resolved": len(resolved),
            "errors": sum(1 for r in mine if "error" in r),
            "calls": calls,
            "calls_per_resolved": round(calls / len(resolved), 1) if resolved else None,
            "tokens_per_program": round(sum(r.get("tokens", 0) for r in mine) / len(mine)),
            "minutes_per_program": round(sum(r.get("minutes", 0) for r in mine) / len(mine), 2),
        }
    return out


def print_table(summary: dict[str, dict[str, Any]], *, cap: int) -> None:
    print(f"QuixBugs, cap of {cap} model calls per program")
    print(
        f"{'mode':8} {'resolved':>9} {'calls':>6} {'calls/res':>10} {'tok/prog':>9} {'min/prog':>9}"
    )
    for mode, s in summary.items():
        print(
            f"{mode:8} {s['resolved']:>4}/{s['programs']:<4} {s['calls']:>6} "
            f"{s['calls_per_resolved'] or '-':>10} {s['tokens_per_program']:>9} "
            f"{s['minutes_per_program']:>9}"
        )


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DATA)
    parser.add_argument(
        "--repos", type=Path, default=Path(os.environ.get("SWE_AGENT_MIRRORS", "mirrors"))
    )
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache/swe-agent-bench/qb")
    parser.add_argument("--modes", default="linear,mcts")
    parser.add_argument("--calls", type=int, default=10, help="model-call cap per program")
    parser.add_argument("--expansions", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=15.0, help="wall time per program")
    parser.add_argument("--model", default=None, help="default: the embedded model")
    parser.add_argument("--sandbox", default="local", choices=["local", "docker"])
    parser.add_argument(
        "--test-command",
        default="python -m pytest -q -p no:cacheprovider --timeout=1",
        help="buggy programs loop forever on some inputs: a per-test timeout keeps runs short",
    )
    parser.add_argument("--instances", default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    main()
