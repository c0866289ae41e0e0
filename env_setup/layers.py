"""Layers: a base image plus the venv and a current pip, then the system packages, each shared.

Creating the venv and upgrading pip is the same for every repository on one base image, and
costs 15-35 s; the first setup commits it as `swe-agent/env-base:<hash>`, later ones start there.
A known spec's system packages (`apt-get update && apt-get install -y graphviz`, every sphinx
7.2+ and pyvista version; 47-50 s for sphinx-11510) are the same for every commit of a release
line: they run next, before the pip steps (they touch neither the venv nor the checkout), and
are committed on top as a second layer keyed by the first and their commands.

The venv is handed to the sandbox user before a layer is saved: a chown in a later container
copies every file it touches from the layers below into its own (the tooling layer's venv,
17.5 MB, 3.8 s at load 5), even when the owner does not change.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from env_setup.cache import image_exists
from env_setup.install import InstallLog, Progress, install
from env_setup.model import Plan, Step, StepKind
from env_setup.record import CommandResult
from env_setup.repair import Repairer

LAYER_REPOSITORY = "swe-agent/env-base"
# Later sandboxes run as this user (sandbox.Limits' default): they own the venv and the checkout.
SANDBOX_OWNER = "1000:1000"
# Part of every layer's key: layers saved before their venv was handed over are not reused.
_LAYER_FORMAT = b"venv-owned-by-1000"
_LAYER_KINDS = (StepKind.VENV, StepKind.TOOLING)
# One apt-get call, maybe behind environment assignments (DEBIAN_FRONTEND=noninteractive).
_APT_CALL = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*apt-get(?:\s+[-\w.+=:/]+)+$")


@dataclass(frozen=True)
class Layer:
    """A group of leading steps committed as one image, and whether that image exists."""

    tag: str
    steps: tuple[Step, ...]
    ready: bool


def system_install(step: Step) -> bool:
    """A pre-install step made only of apt-get calls joined by && (no venv, no checkout)."""
    if step.kind is not StepKind.PRE_INSTALL:
        return False
    parts = step.command.split("&&")
    return all(_APT_CALL.match(part.strip()) for part in parts)


def split_layers(plan: Plan) -> tuple[tuple[tuple[Step, ...], ...], tuple[Step, ...]]:
    """The layer groups (venv and tooling; system installs) and the rest of the plan in order.

    System installs join a layer only behind a venv and tooling group, and keep their order.
    """
    count = 0
    for step in plan.steps:
        if step.kind not in _LAYER_KINDS:
            break
        count += 1
    tooling, after = plan.steps[:count], plan.steps[count:]
    if not tooling:
        return (), plan.steps
    system = tuple(step for step in after if system_install(step))
    rest = tuple(step for step in after if not system_install(step))
    return tuple(group for group in (tooling, system) if group), rest


def split_tooling(plan: Plan) -> tuple[tuple[Step, ...], tuple[Step, ...]]:
    """Every step the layers hold, in the order they run, and the rest of the plan."""
    groups, rest = split_layers(plan)
    return tuple(step for group in groups for step in group), rest


def plan_layers(client: Any, plan: Plan) -> tuple[Layer, ...]:
    """The layers for this base image (by id): each tag covers its steps and those below it."""
    import docker

    groups, _ = split_layers(plan)
    if client is None or not groups:
        return ()
    try:
        base_id = client.images.get(plan.base_image).id
    except docker.errors.DockerException:
        return ()
    digest = hashlib.sha256(_LAYER_FORMAT + b"\0" + str(base_id).encode())
    layers = []
    for group in groups:
        for step in group:
            digest.update(b"\0" + step.command.encode())
        tag = f"{LAYER_REPOSITORY}:{digest.hexdigest()[:16]}"
        layers.append(Layer(tag, group, image_exists(client, tag)))
    return tuple(layers)


def own_command(*paths: str) -> str:
    """A shell command handing the sandbox user whatever under ``paths`` it does not own yet.

    Unlike ``chown -R``, it leaves alone what the user owns already: a chown of a file from a
    lower image layer copies the whole file up into the container's layer, for nothing.
    Symbolic links are changed themselves, never followed (as ``chown -R`` does).
    """
    uid, _, gid = SANDBOX_OWNER.partition(":")
    where = " ".join(shlex.quote(path) for path in paths)
    return (
        f"find {where} \\( ! -user {uid} -o ! -group {gid} \\) "
        f"-exec chown -h {SANDBOX_OWNER} {{}} +"
    )


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


def run_layers(
    box: Any,
    plan: Plan,
    layers: tuple[Layer, ...],
    *,
    repairers: Sequence[Repairer],
    log: InstallLog,
    progress: Progress,
) -> CommandResult | None:
    """The layers' steps: reused up to the top layer that exists, the others run and saved.

    A layer is saved only when every one of its steps worked (an optional apt install that
    failed is not kept as done). Without layers (no Docker client) the steps simply run.
    """
    if not layers:
        steps = split_tooling(plan)[0]
        return install(
            box, replace(plan, steps=steps), repairers=repairers, log=log, progress=progress
        )
    top = max((i for i, layer in enumerate(layers) if layer.ready), default=-1)
    for layer in layers[: top + 1]:
        log.results.extend(reused_results(layer.steps, layer.tag))
    for layer in layers[top + 1 :]:
        first = len(log.results)
        layered = replace(plan, steps=layer.steps)
        failed = install(box, layered, repairers=repairers, log=log, progress=progress)
        if failed is not None:
            return failed
        if all(result.ok for result in log.results[first:]):
            progress(f"saving the layer {layer.tag}")
            box.run(own_command(plan.venv), timeout=600)
            box.commit(layer.tag)
    return None
