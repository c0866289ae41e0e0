"""What both backends share: the Sandbox operations expressed as runner requests."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from sandbox.channel import Channel
from sandbox.errors import BadSource, SandboxError
from sandbox.protocol import Limits, Observation

_TREE_ID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
T = TypeVar("T", bound="RunnerSandbox")
_SWITCH_MAX = 2000  # paths per fast restore; more go through read-tree (argv length)
KILLED_EXIT_CODES = (-9, 137)  # SIGKILL, as subprocess and as a shell report it
# Staged side by side in the sandbox: runner.py is the script started, it imports the other.
RUNNER_FILES = tuple(Path(__file__).with_name(n) for n in ("runner.py", "runner_workspace.py"))


def to_observation(reply: dict[str, Any]) -> Observation:
    """Build an Observation from a runner result line."""
    return Observation(
        stdout=reply.get("stdout") or "",
        stderr=reply.get("stderr") or "",
        value=reply.get("value"),
        error=reply.get("error"),
        traceback=reply.get("traceback"),
        exit_code=reply.get("exit_code"),
        elapsed_s=float(reply.get("elapsed_s") or 0.0),
        truncated=bool(reply.get("truncated")),
        timed_out=bool(reply.get("timed_out")),
        reset=bool(reply.get("reset")),
        finished=reply.get("finished"),
    )


def _outermost(paths: Iterable[str]) -> list[str]:
    """Paths without those inside another one (a file that becomes a folder, or back).

    The pathspec of the file covers the folder's files; given both, git checkout reads the
    tree's file first and then finds no match for the path inside it.
    """
    listed = set(paths)
    return [p for p in sorted(listed) if not any(a in listed for a in _ancestors(p))]


def _ancestors(path: str) -> Iterator[str]:
    parts = path.split("/")
    return ("/".join(parts[:i]) for i in range(1, len(parts)))


class RunnerSandbox:
    """Sandbox operations over a runner channel; backends add start-up and teardown."""

    workdir: str
    base_state: str
    limits: Limits
    channel: Channel
    # The state the workspace is known to hold exactly (after a snapshot or restore, before
    # anything ran): snapshots and restores to it need no git. Actions clear it.
    _synced: str | None = None
    _switch_works = True  # False once git turned out too old for the path-wise restore

    def execute(self, code: str, *, timeout: float | None = None) -> Observation:
        """Run Python ``code`` in the persistent namespace."""
        seconds = self.limits.timeout_s if timeout is None else timeout
        request = {"op": "exec", "code": code, "timeout": seconds}
        request["max_output"] = self.limits.max_output
        self._synced = None
        return to_observation(self.channel.request(request, timeout=seconds))

    def run(self, command: str, *, timeout: float | None = None) -> Observation:
        """Run a shell command in the workspace under ``timeout -s KILL``."""
        return self._run(command, timeout=timeout, max_output=self.limits.max_output)

    def snapshot(self) -> str:
        """Record the workspace as a git tree and return its id (same files, same id)."""
        if self._synced is not None:
            return self._synced
        tree = self._git(["add", "-A"], ["write-tree"]).strip()
        if not _TREE_ID.match(tree):
            raise SandboxError(f"git write-tree gave {tree!r}, not a tree id")
        self._synced = tree
        return tree

    def restore(self, state: str) -> None:
        """Make the workspace hold exactly the files of ``state`` (ignored files are kept)."""
        self._check_state(state)
        if state == self._synced:
            return
        try:
            current: str | None = self.snapshot()  # no git when the state is known
        except SandboxError:
            current = None  # e.g. an unreadable file: the full restore below still works
        self._synced = None  # unknown until the restore has succeeded
        if current is None or not self._switch(current, state):
            self._git(["read-tree", "--reset", "-u", state], ["clean", "-fdq"])
        self._synced = state

    def _switch(self, current: str, state: str) -> bool:
        """Check out only the paths that differ between two trees; False when it cannot.

        ``read-tree --reset -u`` and ``clean`` read every tree and scan every folder; here the
        index and the files are known to hold ``current``, so the paths that differ suffice.
        """
        if current == state:
            return True
        if not self._switch_works:
            return False
        listing = ["diff-tree", "-r", "-z", "--no-renames", "--name-only", current, state]
        names = _outermost(name for name in self._git(listing).split("\0") if name)
        if len(names) > _SWITCH_MAX or any(n.rpartition("/")[2] == ".gitignore" for n in names):
            return False  # too long for one argv; or what is ignored (so cleaned) changes
        try:
            checkout = ["checkout", "-q", "--no-overlay", state, "--", *names]
            self._git(["--literal-pathspecs", *checkout])
        except SandboxError as exc:
            # git < 2.22 has no --no-overlay: stop trying; otherwise e.g. a file in the way
            self._switch_works = "no-overlay" not in str(exc)
            return False
        return True

    def diff(self, from_state: str, to_state: str | None = None) -> str:
        """Unified diff between two states; ``to_state`` defaults to the workspace now."""
        target = self.snapshot() if to_state is None else to_state
        for state in (from_state, target):
            self._check_state(state)
        return self._git(["diff", "--no-color", "--no-ext-diff", "--binary", from_state, target])

    def read_file(self, path: str) -> str:
        """Text of a file, relative to the workspace."""
        reply = self.channel.request({"op": "read", "path": path}, timeout=60)
        if reply.get("error"):
            raise SandboxError(f"cannot read {path} in the sandbox: {reply['error']}")
        return str(reply.get("value") or "")

    def write_file(self, path: str, text: str) -> None:
        """Write a file, relative to the workspace, atomically."""
        self._synced = None
        reply = self.channel.request({"op": "write", "path": path, "text": text}, timeout=60)
        if reply.get("error"):
            raise SandboxError(f"cannot write {path} in the sandbox: {reply['error']}")

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # type: ignore[attr-defined]

    def _run(self, command: str, *, timeout: float | None, max_output: int) -> Observation:
        seconds = self.limits.timeout_s if timeout is None else timeout
        request = {"op": "run", "cmd": command, "timeout": seconds, "max_output": max_output}
        self._synced = None
        reply = self.channel.request(request, timeout=seconds + 5)
        if reply.get("exit_code") in KILLED_EXIT_CODES and not reply.get("timed_out"):
            memory = self.channel.memory_note()  # SIGKILL: was it the kernel, for memory?
            if memory:
                reply["stderr"] = f"{reply.get('stderr') or ''}\n[killed: {memory}]".lstrip()
        return to_observation(reply)

    def _git(self, *commands: list[str]) -> str:
        """Run git commands in the workspace, in order; the stdout of the last one."""
        reply = self.channel.request(
            {"op": "git", "commands": commands, "timeout": 600}, timeout=600
        )
        if reply.get("error"):
            raise SandboxError(f"{reply['error']} (in the sandbox)")
        return str(reply.get("value") or "")

    def _check_state(self, state: str) -> None:
        if not _TREE_ID.match(state):
            raise BadSource(
                f"{shlex.quote(state)} is not a state id",
                hint="pass an id returned by snapshot()",
            )
