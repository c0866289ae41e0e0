"""The end of a run: the chosen patch, per-node diffs, final tests and report.json."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from common import atomic_write, resolve_commit
from sandbox import SandboxError
from search import Node, SearchResult
from swe_agent.runs import RunPaths, undo_ref
from swe_agent.solve.options import SolveOptions
from swe_agent.solve.outcome import RunStatus, SolveReport, Tokens
from swe_agent.solve.reduce import Reduction, reduce_by_tests
from swe_agent.solve.resume import node_diff_path, save_node_diff
from swe_agent.solve.session import Session


def write_run_start(run: RunPaths, options: SolveOptions) -> None:
    """Create the run folder with the issue and the effective configuration."""
    run.root.mkdir(parents=True, exist_ok=False)
    ignore = run.root.parents[1] / ".gitignore"  # keeps .swe-agent/ out of the user's git
    if not ignore.exists():
        # everything but the project file (.swe-agent/config.yaml), the user's to commit
        ignore.write_text("*\n!config.yaml\n", encoding="utf-8")
    run.issue.write_text(options.issue, encoding="utf-8")
    config = options.model_dump(mode="json", exclude={"issue"})
    atomic_write(run.config, yaml.safe_dump(config, sort_keys=False))


def finish_run(session: Session, result: SearchResult, *, started: float) -> SolveReport:
    """Write patch.diff, nodes/*.diff and report.json; apply when asked. Returns the report."""
    run, options, box, model = session.run, session.options, session.box, session.model
    for node in result.tree.root.walk():  # the root, and any node added before a crash
        if not node_diff_path(run, node.id).exists():
            save_node_diff(run, box, node)
    best = result.best
    chosen = _picked_patch(session, result, started=started)
    picked, patch, problems = chosen.node, chosen.patch, chosen.problems
    atomic_write(run.patch, patch)
    status = _status(best, patch, problems)
    autosubmitted = None
    if best is None and picked is not None and patch:
        autosubmitted = _autosubmitted(picked, result)
    applied = None
    if options.apply and best is not None and patch and not problems:
        applied = apply_to_repo(options.repo, run, patch)
    usage = model.usage
    report = SolveReport(
        run_id=run.run_id,
        run_dir=run.root,
        base_commit=resolve_commit(options.repo, options.commit),
        status=status,
        patch=patch,
        patch_problems=problems,
        tests=dict(chosen.tests) if chosen.tests is not None else None,
        choice=tuple(result.choice.reasons) if result.choice else (),
        cost_usd=round(usage.cost_usd, 6),
        tokens=Tokens(usage.tokens_in, usage.tokens_out, usage.tokens_cached),
        model_calls=usage.calls,
        model=model.name,
        elapsed_s=round(time.monotonic() - started, 2),
        search={"mode": options.search, **result.summary()},
        environment=_env_summary(session.env.record),
        issue_title=options.issue.strip().splitlines()[0][:120] if options.issue.strip() else "",
        issue_url=options.issue_url,
        notes=session.notes,
        applied=applied,
        autosubmitted=autosubmitted,
        reduced=dict(chosen.reduced) if chosen.reduced is not None else None,
    )
    atomic_write(run.report, json.dumps(report.to_dict(), indent=2, default=str))
    return report


@dataclass(frozen=True)
class Picked:
    """The node whose diff is the run's patch, the minimised patch, its validation problems,
    the tests record of the patch's state, and the ``reduced`` record when files were tried."""

    node: Node | None
    patch: str = ""
    problems: tuple[str, ...] = ()
    tests: Mapping[str, Any] | None = None
    reduced: Mapping[str, Any] | None = None


def _picked_patch(session: Session, result: SearchResult, *, started: float) -> Picked:
    """The chosen finished node's patch (when none finished, the best-scored changed state's),
    less the files its tests do not need (``reduce_by_tests``, in what is left of the run's
    wall time)."""
    picked = result.best if result.best is not None else result.fallback
    if picked is None:
        return Picked(None)
    session.say("checking the patch")
    box = session.box
    tests: Mapping[str, Any] | None = picked.tests if isinstance(picked.tests, dict) else None
    reduction = Reduction(picked.state, tests)
    if session.probe is not None and session.options.reduce_tries:
        try:
            reduction = reduce_by_tests(
                box,
                session.probe,
                picked.state,
                tests,
                core=session.probe.about,
                tries=session.options.reduce_tries,
                deadline=started + wall if (wall := session.options.wall_time_s) else None,
            )
        except SandboxError as exc:  # the picked patch stands as it is
            session.say(f"kept every file of the patch: putting files back failed ({exc})")
    reduced = {"node": picked.id, **reduction.to_dict()} if reduction.tries else None
    if reduced is not None:
        session.trajectory.record("reduced", **reduced)
    if reduction.dropped:
        session.say(f"put back {len(reduction.dropped)} file(s) the tests do not need: "
                    f"{', '.join(reduction.dropped)}")  # fmt: skip
    patch, problems = final_patch(session.options, box.diff(box.base_state, reduction.state))
    return Picked(picked, patch, tuple(problems), reduction.tests, reduced)


def final_patch(options: SolveOptions, diff: str) -> tuple[str, list[str]]:
    """The minimised patch and the problems validation found (none: it can be applied)."""
    import patches  # its functions minimise and validate share their modules' names

    text = patches.minimise(diff).text if diff.strip() else ""
    if not text.strip() or not (options.repo / ".git").exists():
        return text, []
    check = patches.validate(text, options.repo, options.commit)
    return text, [str(p) for p in check.problems]


def apply_to_repo(repo: Path, run: RunPaths, patch: str) -> dict[str, Any]:
    """Commit the patch to the user's repository (the one change they asked for)."""
    from patches import apply_patch

    applied = apply_patch(
        repo,
        patch,
        message=f"swe-agent: run {run.run_id}",
        run_dir=run.root,
        undo_ref=undo_ref(repo, run),
    )
    return applied.to_dict()


def _status(best: Node | None, patch: str, problems: Sequence[str]) -> RunStatus:
    from search import Verdict, verdict_of

    if best is None:
        return RunStatus.UNFINISHED
    if problems:
        return RunStatus.INVALID_PATCH
    if not patch.strip():
        return RunStatus.EMPTY_PATCH
    return RunStatus.RESOLVED if verdict_of(best) is Verdict.RESOLVED else RunStatus.SUBMITTED


def _autosubmitted(node: Node, result: SearchResult) -> dict[str, Any]:
    """report.json's record of a patch the model did not submit (the run ended first)."""
    from search import verdict_of

    reward = node.reward.value if node.reward is not None else None
    why = (
        f"the search stopped ({result.stop_reason}) before the model submitted: patch.diff is "
        f"the best-scored state, node {node.id} ({verdict_of(node)}), not submitted by the model"
    )
    return {"node": node.id, "reward": reward, "verdict": str(verdict_of(node)), "why": why}


def _env_summary(env: Mapping[str, object] | None) -> dict[str, object] | None:
    if env is None:
        return None
    keys = ("success", "python", "image", "test_command", "cache_hit")
    return {k: env.get(k) for k in keys}
