"""The Sandbox seam: where actions run, and what comes back from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the action ran to the end without an error or a non-zero exit."""
        return self.error is None and not self.timed_out and self.exit_code in (None, 0)


class Sandbox(Protocol):
    """An isolated workspace with a persistent Python runner in it."""

    workdir: str  # absolute path of the workspace inside the sandbox

    def execute(self, code: str, *, timeout: float | None = None) -> Observation: ...

    def run(self, command: str, *, timeout: float | None = None) -> Observation: ...

    def snapshot(self) -> str: ...

    def restore(self, state: str) -> None: ...

    def diff(self, from_state: str, to_state: str | None = None) -> str: ...

    def read_file(self, path: str) -> str: ...

    def write_file(self, path: str, text: str) -> None: ...

    def close(self) -> None: ...

