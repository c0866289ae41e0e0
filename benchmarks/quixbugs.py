"""QuixBugs with the embedded models: MCTS against linear mode at the same cap on model calls.

For each model, mode and program: check the repository out at its base commit (from git
mirrors), solve the issue, then verify independently: apply patch.diff to a clean copy and run
the program's test file. Prints one table (resolved by a submitted patch; +auto: by the patch of
a run that ended before the model submitted; model calls, prompt tokens evaluated per
call, minutes per program, the load average before and after) and, with --json, every row.

    python benchmarks/quixbugs.py --repos MIRRORS --modes linear,mcts --calls 10
    python benchmarks/quixbugs.py --repos MIRRORS --models qwen2.5-coder-0.5b,qwen2.5-coder-1.5b
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
    from swe_agent.bench import load_instances

    ids = args.instances.split(",") if args.instances else []
    instances = load_instances(args.dataset, instances=ids, limit=args.limit)
    load_before = _load()
    rows = []
    for model in args.models.split(","):
        for mode in args.modes.split(","):
            for inst in instances:
                row = run_one(inst, model=model or None, mode=mode, args=args)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    summary = summarise(rows)
    loads = {"before": load_before, "after": _load()}
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary, "load": loads}, indent=2))
    else:
        print_table(summary, cap=args.calls, loads=loads)


def _load() -> list[float]:
    """The 1, 5 and 15-minute load averages: llama.cpp slows down badly on a busy machine."""
    return [round(x, 2) for x in os.getloadavg()]


def run_one(inst: Any, *, model: str | None, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    """Solve one program with one model in one mode and verify the patch on a clean copy."""
    from swe_agent.bench import default_cache_dir, materialize
    from swe_agent.solve import solve

    cache = default_cache_dir()
    checkout = materialize(inst.repo, inst.base_commit, mirrors=args.repos, cache_dir=cache)
    work = args.out / (model or "default").replace("/", "+") / mode / inst.instance_id
    tests = list(inst.FAIL_TO_PASS)
    options = _options(inst, fresh_repo(checkout.root, work / "repo"), model, mode, args)
    started = time.monotonic()
    try:
        report = solve(options, model=_model(model, args))
    except Exception as exc:  # a benchmark row records any failure and goes on
        error = f"{type(exc).__name__}: {exc}"
        return {"id": inst.instance_id, "model": model, "mode": mode, "error": error}
    tokens, run_dir = report.tokens, Path(report.run_dir)
    passes = verify(checkout.root, work / "verify", report.patch, tests)
    auto = report.autosubmitted is not None  # the model never submitted this patch
    return {
        "id": inst.instance_id,
        "model": report.model,
        "mode": mode,
        "status": report.status,
        "resolved": passes and not auto,
        "auto_resolved": passes and auto,
        "calls": report.model_calls,
        "tokens": tokens.input + tokens.output,
        "prompt_tokens": tokens.input,
        "prompt_evaluated": tokens.input - tokens.cached,
        "nodes": report.search.get("nodes"),
        "kinds": _kinds(run_dir),
        "judge_calls": _calls_by_role(run_dir).get("judge", 0),
        "vote": any("vote" in reason for reason in report.choice),
        "minutes": round((time.monotonic() - started) / 60, 2),
        "load": _load()[0],
    }


def _options(inst: Any, repo: Path, model: str | None, mode: str, args: argparse.Namespace) -> Any:
    """Solve options of one program: its test file named, the caps of the run."""
    from swe_agent.solve import SolveOptions

    return SolveOptions(
        repo=repo,
        issue=inst.problem_statement,
        model=model,
        api_base=args.api_base,
        judge=args.judge,
        seed=args.seed,
        search=mode,
        iterations=args.calls,
        max_calls=args.calls,
        max_steps=args.calls,
        expansions=args.expansions,
        sandbox=args.sandbox,
        setup_env=args.sandbox == "docker",
        tests=list(inst.FAIL_TO_PASS),
        test_timeout_s=120,
        test_command=args.test_command,
        wall_time_s=args.minutes * 60,
        agent={"rewrite": not args.no_rewrite},
    )


def _model(spec: str | None, args: argparse.Namespace) -> Any:
    """The model to solve with; the embedded one gets the seed and the prompt cache size."""
    from swe_agent.models import get_model
    from swe_agent.models.registry import parse_spec

    if parse_spec(spec)[0] == "local":
        settings = {"seed": args.seed, "prompt_cache_mb": args.prompt_cache_mb}
        if args.threads:  # the load average counts this run's own earlier threads
            settings["n_threads"] = args.threads
        return get_model(spec, **settings)
    return get_model(spec, **({"api_base": args.api_base} if args.api_base else {}))


def _calls_by_role(run_dir: Path) -> dict[str, int]:
    """Model calls per role (policy, judge, vote) from the trajectory."""
    counts: dict[str, int] = {}
    for line in (run_dir / "trajectory.jsonl").read_text().splitlines():
        event = json.loads(line)
        if event.get("type") == "model_call":
            role = event.get("role") or "policy"
            counts[role] = counts.get(role, 0) + 1
    return counts


def _kinds(run_dir: Path) -> dict[str, int]:
    """How many nodes each kind of expansion made."""
    tree = json.loads((run_dir / "tree.json").read_text())
    counts: dict[str, int] = {}
    for node in tree["nodes"]:
        if node.get("kind"):
            counts[node["kind"]] = counts.get(node["kind"], 0) + 1
    return counts


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
    """Resolved count, calls, prompt tokens evaluated per call and minutes, per model and mode."""
    out: dict[str, dict[str, Any]] = {}
    groups = sorted({(str(r.get("model")), r["mode"]) for r in rows})
    for model, mode in groups:
        mine = [r for r in rows if (str(r.get("model")), r["mode"]) == (model, mode)]
        resolved = [r for r in mine if r.get("resolved")]
        calls = sum(r.get("calls", 0) for r in mine)
        prompt = sum(r.get("prompt_tokens", 0) for r in mine)
        evaluated = sum(r.get("prompt_evaluated", 0) for r in mine)
        out[f"{model} {mode}"] = {
            "model": model,
            "mode": mode,
            "programs": len(mine),
            "resolved": len(resolved),
            "auto_resolved": sum(1 for r in mine if r.get("auto_resolved")),
            "errors": sum(1 for r in mine if "error" in r),
            "calls": calls,
            "calls_per_resolved": round(calls / len(resolved), 1) if resolved else None,
            "prompt_per_call": round(prompt / calls) if calls else 0,
            "evaluated_per_call": round(evaluated / calls) if calls else 0,
            "tokens_per_program": round(sum(r.get("tokens", 0) for r in mine) / len(mine)),
            "judge_calls": sum(r.get("judge_calls", 0) for r in mine),
            "votes": sum(1 for r in mine if r.get("vote")),
            "minutes_per_program": round(sum(r.get("minutes", 0) for r in mine) / len(mine), 2),
        }
    return out


def print_table(
    summary: dict[str, dict[str, Any]], *, cap: int, loads: dict[str, list[float]]
) -> None:
    """One line per model and mode."""
    print(f"QuixBugs, cap of {cap} model calls per program; load before {loads['before']}, "
          f"after {loads['after']}")  # fmt: skip
    print(
        f"{'model':30} {'mode':7} {'resolved':>9} {'+auto':>5} {'calls':>6} {'calls/res':>10} "
        f"{'prompt/call':>12} {'evaluated/call':>15} {'min/prog':>9} {'judge':>6} {'votes':>6}"
    )
    for s in summary.values():
        print(
            f"{s['model']:30} {s['mode']:7} {s['resolved']:>4}/{s['programs']:<4} "
            f"{s.get('auto_resolved', 0):>5} "
            f"{s['calls']:>6} {s['calls_per_resolved'] or '-':>10} {s['prompt_per_call']:>12} "
            f"{s['evaluated_per_call']:>15} {s['minutes_per_program']:>9} "
            f"{s['judge_calls']:>6} {s['votes']:>6}"
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
    parser.add_argument(
        "--models", default="", help="comma-separated model specs; default: the embedded model"
    )
    parser.add_argument("--seed", type=int, default=0, help="sampling seed of the embedded model")
    parser.add_argument(
        "--no-rewrite", action="store_true", help="free-form actions only (no rewrite kind)"
    )
    parser.add_argument("--api-base", default=None, help="a self-hosted server for openai/NAME")
    parser.add_argument("--judge", default="auto", choices=["auto", "on", "off"])
    parser.add_argument(
        "--prompt-cache-mb", type=int, default=0, help="saved states of the embedded model"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="llama.cpp threads; default: by the load"
    )
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
