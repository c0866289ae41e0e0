"""The tooling layer: a base image plus the venv and a current pip, shared by every setup on it.

Creating the venv and upgrading pip is the same for every repository on one base image, and
costs 15-35 s; the first setup commits it as `swe-agent/env-base:<hash>`, later ones start there.
"""

from __future__ import annotations

import hashlib
from typing import Any

from env_setup.model import Plan, Step, StepKind
from env_setup.record import CommandResult

LAYER_REPOSITORY = "swe-agent/env-base"
_LAYER_KINDS = (StepKind.VENV, StepKind.TOOLING)


def split_tooling(plan: Plan) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """The leading venv and tooling steps, and the rest of the plan."""
    count = 0
    for step in plan.steps:
        if step.kind not in _LAYER_KINDS:
            break
        count += 1
    return plan.steps[:count], plan.steps[count:]


def layer_tag(client: Any, plan: Plan) -> str | None:
    """The tag of the tooling layer for this base image (by id) and these tooling commands."""
    import docker

    tooling, _ = split_tooling(plan)
    if client is None or not tooling:
        return None
    try:
        base_id = client.images.get(plan.base_image).id
    except docker.errors.DockerException:
        return None
    digest = hashlib.sha256(str(base_id).encode())
    for step in tooling:
        digest.update(b"\0" + step.command.encode())
    return f"{LAYER_REPOSITORY}:{digest.hexdigest()[:16]}"


def reused_results(steps: tuple[Step, ...], tag: str) -> list[CommandResult]:
    """Log entries for the steps the layer already holds (replays still need them)."""
    return [
        CommandResult(
            command=step.command,
            why=step.why,
            kind=str(step.kind),
            exit_code=0,
            seconds=0.0,
            ok=True,
            optional=step.optional,
            output_tail=f"(already in the tooling layer {tag})",
            source=step.source,
        )
        for step in steps
    ]
