"""Batch tasks on a Ray cluster: declared resources, worker logs in the driver's, shared storage
checked before the first task.

A task reads the repository mirrors and writes OUT/ (work folders, run folders, locks) at the
paths the driver gives it: every node must mount them at the same paths (shared storage). The
instance, the solve settings and scripted replies go with the task. Before any task starts,
a probe on every node reads a file the driver has just written under OUT/ and looks for the
mirrors, so a node without the shared disk is a clear error, not a batch of failed rows.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import math
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swe_agent.errors import BadInput

PROBE_TIMEOUT_S = 120.0
GIB = 1 << 30


@dataclass(frozen=True)
class TaskResources:
    """What one task holds while it runs: its sandbox's CPU quota and memory limit."""

    cpus: float = 1.0
    memory: int = 4 * GIB

    def describe(self) -> str:
        """``2 CPUs and 4.0 GiB``."""
        return f"{self.cpus:g} CPUs and {self.memory / GIB:.1f} GiB"


def sandbox_resources(sandbox: str) -> TaskResources:
    """A task's resources for a sandbox kind: a Docker sandbox's CPU quota and memory limit;
    a local one runs one process under the same memory limit (RLIMIT_AS)."""
    from sandbox import Limits, memory_bytes

    limits = Limits()
    cpus = limits.cpus if sandbox == "docker" else 1.0
    return TaskResources(cpus=cpus, memory=memory_bytes(limits.memory))


class RayExecutor:
    """Tasks on a Ray cluster: ``address`` "auto" / HOST:PORT joins one, None starts a local one
    sized for ``workers`` tasks."""

    def __init__(
        self,
        *,
        workers: int,
        address: str | None,
        resources: TaskResources,
        shared: Sequence[Path] = (),
    ) -> None:
        import ray

        self._ray = ray
        self.resources = resources
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True}
            if address:
                ray.init(address=address, **options)
            else:
                cpus = max(1, math.ceil(workers * resources.cpus))
                ray.init(num_cpus=cpus, **options)
        self._remotes: dict[Callable[[Any], Any], Any] = {}
        try:
            check_fits(ray.nodes(), resources)
            if shared:
                check_shared(ray, [Path(p) for p in shared])
        except BaseException:
            self.close()
            raise

    def stop(self) -> None:
        """Nothing to do before ``close``: leaving the cluster ends the tasks it started."""

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> cf.Future[Any]:
        """Run ``fn(arg)`` as a Ray task holding the task's CPUs and memory."""
        remote = self._remotes.get(fn)
        if remote is None:
            remote = self._ray.remote(
                num_cpus=self.resources.cpus, memory=self.resources.memory, max_retries=0
            )(in_worker)
            self._remotes[fn] = remote
        level = logging.getLogger().getEffectiveLevel()
        return remote.remote(fn, arg, level).future()  # type: ignore[no-any-return]

    def close(self) -> None:
        """Leave the cluster (stopping it when this process started it)."""
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()


def in_worker(fn: Callable[[Any], Any], arg: Any, level: int) -> Any:
    """Run ``fn(arg)`` in a Ray worker with its log records on stderr, which Ray forwards to the
    driver (prefixed with the worker's pid and node)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    root.setLevel(level)
    name = getattr(arg, "instance", {}).get("instance_id") if hasattr(arg, "instance") else None
    logging.getLogger("swe_agent.bench").info(
        "task %s on %s", name or type(arg).__name__, socket.gethostname()
    )
    return fn(arg)


def check_fits(nodes: Sequence[dict[str, Any]], need: TaskResources) -> None:
    """BadInput unless some live node can hold one task (Ray would wait for ever)."""
    alive = [n.get("Resources") or {} for n in nodes if n.get("Alive")]
    if any(
        float(r.get("CPU", 0)) >= need.cpus and float(r.get("memory", 0)) >= need.memory
        for r in alive
    ):
        return
    largest = max(alive, key=lambda r: (r.get("CPU", 0), r.get("memory", 0)), default={})
    has = TaskResources(cpus=float(largest.get("CPU", 0)), memory=int(largest.get("memory", 0)))
    raise BadInput(
        f"no Ray node can run a task: each needs {need.describe()} (its sandbox's limits); "
        f"the largest node has {has.describe()}",
        hint="add a larger node, or start Ray with more --num-cpus / --memory",
    )


def check_shared(ray: Any, paths: Sequence[Path]) -> None:
    """BadInput unless every live node sees ``paths`` and, under the first (OUT), a file the
    driver has just written: the storage is shared, not merely named alike."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    out, token = paths[0], uuid.uuid4().hex
    marker = out / f".ray-probe-{token}"
    marker.write_text(token, encoding="utf-8")
    try:
        probe = ray.remote(num_cpus=0, max_retries=0)(sees)
        pending = {
            n["NodeManagerAddress"]: probe.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)
            ).remote(str(marker), token, [str(p) for p in paths[1:]])
            for n in ray.nodes()
            if n.get("Alive")
        }
        for node, ref in pending.items():
            try:
                missing = ray.get(ref, timeout=PROBE_TIMEOUT_S)
            except ray.exceptions.GetTimeoutError:
                missing = [f"(no answer in {PROBE_TIMEOUT_S:.0f} s)"]
            if missing:
                raise BadInput(
                    f"Ray node {node} does not see the driver's {', '.join(missing)}",
                    hint="--executor ray needs --out and --repos (and --blobs) on storage that "
                    "every node mounts at the same path (NFS, a shared volume); see the README",
                )
    finally:
        marker.unlink(missing_ok=True)


def sees(marker: str, token: str, folders: list[str]) -> list[str]:
    """What of the driver's storage this node lacks: the marker under OUT/, or folders."""
    missing = []
    try:
        with open(marker, encoding="utf-8") as handle:
            if handle.read() != token:
                missing.append(f"file {marker} (another file of that name)")
    except OSError:
        missing.append(f"OUT folder {os.path.dirname(marker)}")
    missing += [f"folder {f}" for f in folders if not os.path.isdir(f)]
    return missing
