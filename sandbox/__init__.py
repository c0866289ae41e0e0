"""Where agent actions run: an isolated workspace with a persistent Python runner.

Start one with ``start_sandbox`` and use it as a context manager::

    from sandbox import start_sandbox

    with start_sandbox("path/to/repo", commit="HEAD") as box:   # Docker, no network
        obs = box.execute("x = 40\\nx + 2")                      # obs.value == "42"
        obs = box.run("python -m pytest -q", timeout=300)       # obs.exit_code
        state = box.snapshot()                                  # git tree id
        box.restore(box.base_state)
        patch = box.diff(box.base_state, state)

``backend="local"`` runs the same runner in a temporary copy on the host (not isolated).
``network=True`` with ``limits=SETUP_LIMITS`` is the environment set-up phase (root, apt's
capabilities, the host CA bundle and proxies); ``box.commit("swe-agent/env:tag")`` saves the
container as an image, and ``start_sandbox(..., image="swe-agent/env:tag")`` starts from it.
``tools={"name": fn}`` puts proxies in the runner's namespace that call ``fn`` on the host.
Every container is labelled with its owner (host, pid, start time, run); ``reap_orphans()``
removes those whose owner is gone, and each container stops itself once its runner is gone.
"""

from sandbox.docker_backend import remove_leftovers
from sandbox.doctor import run_doctor
from sandbox.engine import remove_forced
from sandbox.errors import (
    BadSource,
    BootstrapFailed,
    DockerUnavailable,
    ImageMissing,
    RunnerFailed,
    SandboxError,
    SandboxGone,
)
from sandbox.factory import Backend, start_sandbox
from sandbox.images import bootstrap
from sandbox.local_backend import memory_bytes
from sandbox.owners import reap_orphans
from sandbox.protocol import SETUP_LIMITS, HostTool, Limits, Observation, Sandbox

__all__ = [
    "SETUP_LIMITS",
    "Backend",
    "BadSource",
    "BootstrapFailed",
    "DockerUnavailable",
    "HostTool",
    "ImageMissing",
    "Limits",
    "Observation",
    "RunnerFailed",
    "Sandbox",
    "SandboxError",
    "SandboxGone",
    "bootstrap",
    "memory_bytes",
    "reap_orphans",
    "remove_forced",
    "remove_leftovers",
    "run_doctor",
    "start_sandbox",
]
