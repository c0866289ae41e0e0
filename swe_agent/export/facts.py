"""What every export format says about the run beside its messages: usage, how it ended, where
it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from swe_agent import __version__
from swe_agent.export.branch import Branch

# Stop reasons (search.StopReason's values) that mean a budget ran out.
SPENT = {"max_cost": "cost", "max_calls": "cost", "max_iterations": "cost", "max_seconds": "time"}


@dataclass(frozen=True)
class Usage:
    """The run's billed model calls (the whole search, as the peers count an instance)."""

    calls: int
    tokens_in: int
    tokens_out: int
    cost_usd: float


def usage(branch: Branch) -> Usage:
    """report.json's totals; summed from trajectory.jsonl while the run has no report."""
    report = branch.report
    tokens = report.get("tokens") if isinstance(report.get("tokens"), dict) else None
    if tokens is not None and isinstance(report.get("model_calls"), int):
        return Usage(
            calls=int(report["model_calls"]),
            tokens_in=int(tokens.get("in") or 0),
            tokens_out=int(tokens.get("out") or 0),
            cost_usd=float(report.get("cost_usd") or 0.0),
        )
    bills = [_bill(e) for e in branch.every_call]
    return Usage(
        calls=len(bills),
        tokens_in=sum(int(b.get("tokens_in") or 0) for b in bills),
        tokens_out=sum(int(b.get("tokens_out") or 0) for b in bills),
        cost_usd=round(sum(float(b.get("cost_usd") or 0.0) for b in bills), 6),
    )


def _bill(event: dict[str, Any]) -> dict[str, Any]:
    response = event.get("response")
    return response if isinstance(response, dict) else event


def ending(branch: Branch) -> str:
    """How the branch ended, in our words: submitted, why the search stopped (on the chosen
    branch), or unfinished (a branch the search left open, or a run that was killed)."""
    if branch.terminal:
        return "submitted"
    if branch.node != branch.chosen and branch.chosen is not None:
        return "unfinished"  # a branch the search left open
    return branch.stop_reason or "unfinished"


def provenance(branch: Branch) -> dict[str, Any]:
    """Where the export came from, so a reader can find the run folder and node again."""
    report = branch.report
    return {
        "exported_by": f"swe-agent {__version__}",
        "run_id": str(report.get("run_id") or branch.run.run_id),
        "node": branch.node,
        "chosen_node": branch.chosen,
        "status": report.get("status"),
        "ending": ending(branch),
        "stop_reason": branch.stop_reason,
        "model": report.get("model") or _first_model(branch),
        "base_commit": report.get("base_commit"),
        "tests": report.get("tests") if branch.node == branch.chosen else _last_tests(branch),
        "search": report.get("search"),
    }


def instance_id(branch: Branch) -> str | None:
    """The benchmark instance a `bench run` folder holds (OUT/runs/<instance_id>/ is named
    for it; a run folder of `solve` is named by its run id)."""
    name = branch.run.root.name
    run_id = branch.report.get("run_id")
    return name if isinstance(run_id, str) and run_id != name else None


def _first_model(branch: Branch) -> str | None:
    for step in branch.steps:
        for call in step.calls:
            if call.model:
                return call.model
    return None


def _last_tests(branch: Branch) -> Any:
    return branch.steps[-1].tests if branch.steps else None
