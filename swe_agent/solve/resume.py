"""Resuming a killed run: its options, and its search states rebuilt in a fresh sandbox.

Node states are git tree ids, content addressed: applying a node's diff (written to
``nodes/<id>.diff`` as soon as the node is added) to the base state in a new sandbox gives the
same tree id, so the saved search tree is valid again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from common import atomic_write
from swe_agent.errors import BadInput
from swe_agent.runs import RunPaths
from swe_agent.solve.options import SolveOptions

if TYPE_CHECKING:
    from sandbox import Observation, Sandbox
    from search import Node

SCRATCH_PATCH = ".swe-agent-apply.diff"


def load_options(run: RunPaths) -> SolveOptions:
    """The options a run was started with (its config.yaml and issue.md)."""
    if not run.config.exists() or not run.issue.exists():
        raise BadInput(
            f"{run.root} is not a resumable run (config.yaml or issue.md is missing)",
            hint="pass the id of a run folder that `swe-agent solve` created",
        )
    if run.report.exists():
        raise BadInput(
            f"run {run.run_id} already finished",
            hint=f"see its report.json; `swe-agent pr {run.run_id}` opens its pull request",
        )
    config = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    return SolveOptions(issue=run.issue.read_text(encoding="utf-8"), **config)


def node_diff_path(run: RunPaths, node_id: int) -> Path:
    """Where a node's diff against the base is kept."""
    return run.root / "nodes" / f"{node_id}.diff"


def save_node_diff(run: RunPaths, box: Sandbox, node: Node) -> None:
    """Write ``nodes/<id>.diff`` for a freshly added node."""
    atomic_write(node_diff_path(run, node.id), box.diff(box.base_state, node.state))


def apply_diff(box: Sandbox, diff: str) -> Observation:
    """Apply a diff to the sandbox's workspace with git; the Observation says how it went."""
    box.write_file(SCRATCH_PATCH, diff)
    applied = box.run(f"git apply --binary {SCRATCH_PATCH}", timeout=60)
    box.run(f"rm -f {SCRATCH_PATCH}", timeout=30)
    return applied


def rebuild_states(run: RunPaths, box: Sandbox) -> list[int]:
    """Recreate every saved node's state in ``box``; returns the ids that came out different."""
    if not run.tree.exists():
        return []
    nodes = json.loads(run.tree.read_text(encoding="utf-8"))["nodes"]
    wrong: list[int] = []
    done = {box.base_state}
    for node in nodes:
        if node["state"] in done or not node_diff_path(run, node["id"]).exists():
            continue
        box.restore(box.base_state)
        apply_diff(box, node_diff_path(run, node["id"]).read_text(encoding="utf-8"))
        state = box.snapshot()
        done.add(state)
        if state != node["state"]:
            wrong.append(node["id"])
    box.restore(box.base_state)
    return wrong
