"""The Sandbox seam: where actions run, what limits hold them, and what comes back."""

from __future__ import annotations

import atexit
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

HostTool = Callable[..., Any]
"""A host function exposed in the runner's namespace; arguments and result travel as JSON."""

SETUP_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL")
"""Capabilities that apt and pip need as root; add them back only for the set-up phase."""


@dataclass(frozen=True)
class Limits:
    """Resource limits and identity of a sandbox; the defaults are those for agent actions."""

    memory: str = "4g"
    """Memory limit (Docker syntax); swap is capped at the same value."""
    pids: int = 512
    """Most processes and threads alive at once (holds fork bombs)."""
    cpus: float = 2.0
    """CPU quota in cores."""
    timeout_s: float = 120.0
    """Default time limit of one action or command."""
    max_output: int = 10_000
    """Output longer than this is cut to its head and tail with a marker."""
    user: str = "1000:1000"
    """User inside the container; "0:0" (root) for the environment set-up phase."""
    cap_add: tuple[str, ...] = ()
    """Capabilities added back after all are dropped (see ``SETUP_CAPABILITIES``)."""
    env_allowlist: tuple[str, ...] = ("LANG", "LC_ALL", "TZ", "TERM")
    """Host environment variables passed in; nothing else of the host environment is."""
    grace_s: float = 5.0
    """How long past a timeout the host waits before it kills and restarts the runner."""
    disk: str | None = "2g"
    """Most bytes of files (Docker size syntax). With a storage quota (overlay2 on xfs with
    pquota) it caps the container's writable layer; otherwise the root is read-only and the
    workspace, /tmp, /var/tmp and the runner's folder (captured output) are in-memory file
    systems of this size each, whose pages count against ``memory``. Either way no file grows
    past it (RLIMIT_FSIZE). None: unbounded (the set-up phase)."""
    idle_s: float = 45.0
    """A container stops itself once no runner has lived in it this long (its owner died)."""


SETUP_LIMITS = Limits(user="0:0", cap_add=SETUP_CAPABILITIES, timeout_s=1800.0, disk=None)
"""Limits for the environment set-up phase: root, apt's capabilities, long commands, and
files on the image's layer (committed as the environment), so no disk bound."""


@dataclass(frozen=True)
class Observation:
    """What one action or command produced."""

    stdout: str = ""
    stderr: str = ""
    value: str | None = None  # repr of the last expression of a code action, if any
    error: str | None = None  # "ExcType: message" when the action raised, or a timeout
    traceback: str | None = None
    exit_code: int | None = None  # for shell commands; None for code actions
    elapsed_s: float = 0.0
    truncated: bool = False
    timed_out: bool = False
    reset: bool = False  # the runner was restarted: the namespace is fresh
    finished: str | None = None  # the action ended its episode (raised the runner's Finished)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the action ran to the end without an error or a non-zero exit."""
        return self.error is None and not self.timed_out and self.exit_code in (None, 0)


def close_at_exit(close: Callable[[], None]) -> None:
    """Run ``close`` at interpreter exit, and make SIGTERM an exit (not a silent death).

    Ctrl-C already unwinds as KeyboardInterrupt; a SIGTERM handler is installed only when the
    program has none of its own, and only from the main thread.
    """
    atexit.register(close)
    main = threading.current_thread() is threading.main_thread()
    if main and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


class Sandbox(Protocol):
    """An isolated workspace (a git repository) with a persistent Python runner in it."""

    workdir: str  # absolute path of the workspace inside the sandbox
    base_state: str  # tree id of the workspace as it was copied in

    def execute(self, code: str, *, timeout: float | None = None) -> Observation: ...

    def run(self, command: str, *, timeout: float | None = None) -> Observation: ...

    def snapshot(self) -> str: ...

    def restore(self, state: str) -> None: ...

    def diff(self, from_state: str, to_state: str | None = None) -> str: ...

    def read_file(self, path: str) -> str: ...

    def write_file(self, path: str, text: str) -> None: ...

    def commit(self, tag: str) -> str: ...

    def close(self) -> None: ...

    def __enter__(self) -> Sandbox: ...

    def __exit__(self, *exc: object) -> None: ...
