"""Trajectory export: a run's chosen branch (or the branch to any node) in a peer's format.

``mini``: mini-swe-agent's ``<id>.traj.json``; ``swe-agent``: SWE-agent's ``<id>.traj``;
``jsonl``: our own ``trajectory.jsonl`` cut to the branch (its events, unchanged, in order).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from common import atomic_write
from swe_agent.errors import BadInput
from swe_agent.export.branch import Branch, read_branch
from swe_agent.runs import RunPaths

__all__ = ["Export", "ExportFormat", "branch_events", "export_run", "read_branch", "write_export"]


class ExportFormat(StrEnum):
    """The formats ``swe-agent export --format`` writes."""

    MINI = "mini"
    SWE_AGENT = "swe-agent"
    JSONL = "jsonl"


SUFFIXES = {
    ExportFormat.MINI: ".traj.json",
    ExportFormat.SWE_AGENT: ".traj",
    ExportFormat.JSONL: ".jsonl",
}


@dataclass(frozen=True)
class Export:
    """One exported branch: the file's text and the name it goes by."""

    text: str
    filename: str
    format: ExportFormat
    node: int
    chosen: bool
    steps: int


def export_run(run: RunPaths, *, fmt: ExportFormat, node: int | None = None) -> Export:
    """The branch to ``node`` (default: the chosen node) of ``run`` in format ``fmt``."""
    branch = read_branch(run, node)
    if fmt is ExportFormat.MINI:
        from swe_agent.export.mini import to_mini

        text = json.dumps(to_mini(branch), indent=2, default=str) + "\n"
    elif fmt is ExportFormat.SWE_AGENT:
        from swe_agent.export.sweagent import to_sweagent

        text = json.dumps(to_sweagent(branch), indent=2, default=str) + "\n"
    else:
        text = "".join(json.dumps(e, default=str) + "\n" for e in branch_events(branch))
    stem = run.run_id if node is None else f"{run.run_id}.node{branch.node}"
    return Export(
        text=text,
        filename=stem + SUFFIXES[fmt],
        format=fmt,
        node=branch.node,
        chosen=branch.node == branch.chosen,
        steps=len(branch.steps),
    )


def branch_events(branch: Branch) -> list[dict[str, Any]]:
    """The lines of trajectory.jsonl that belong to the branch: the run's own events (start,
    localization, tests), the expansions of its nodes and the calls that judged them."""
    kept = [*branch.head, *(e for step in branch.steps for e in step.events), *branch.judged]
    return sorted(kept, key=lambda event: event.get("seq", 0) if isinstance(event, dict) else 0)


def write_export(export: Export, out: Path) -> Path:
    """Write the export to ``out`` (a file, or a folder that gets the default name), whole or
    not at all; returns the file written."""
    target = out / export.filename if out.is_dir() else out
    if not target.parent.is_dir():
        raise BadInput(
            f"cannot write {target}: {target.parent} is not a folder",
            hint="pass --out FILE in an existing folder, or --out FOLDER",
        )
    try:
        atomic_write(target, export.text)
    except OSError as exc:
        raise BadInput(
            f"cannot write {target}: {exc.strerror}", hint="choose another --out"
        ) from None
    return target
