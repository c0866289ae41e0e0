"""The local backend: the same runner as a host subprocess in a temporary copy. NOT isolated."""

from __future__ import annotations

import atexit
import logging
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from sandbox.base import RUNNER_FILES, RunnerSandbox
from sandbox.cgroup import PidsCgroup, pids_cgroup
from sandbox.channel import Channel
from sandbox.disk import parse_size
from sandbox.errors import SandboxError, SandboxGone
from sandbox.protocol import HostTool, Limits, close_at_exit

log = logging.getLogger("sandbox")
WARNING = (
    "the LOCAL sandbox is NOT isolated: actions run as you, on this machine, with your network "
    "and your files reachable; only a temporary copy of the workspace and rlimits hold them"
)
NO_PIDS_LIMIT = (
    "NO limit on the number of processes applies (no writable cgroup with the pids controller: "
    "run as root on a machine with /sys/fs/cgroup writable), so a fork bomb reaches this machine"
)
_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def memory_bytes(text: str) -> int:
    """Bytes in a Docker-style size such as '4g' or '512m'."""
    match = re.fullmatch(r"(\d+)([kmg]?)b?", text.strip().lower())
    if not match:
        raise SandboxError(f"cannot read the memory limit {text!r}", hint="write it like 4g")
    return int(match.group(1)) * _UNITS.get(match.group(2), 1)


def _apply_rlimits(pid: int, memory: int, *, fsize: int) -> None:
    """Cap the runner's address space, core dumps and file size (its children inherit them).

    Set from outside with prlimit right after the start, not in a preexec_fn, which is unsafe
    in a process that has threads (the channels' readers).
    """
    resource.prlimit(pid, resource.RLIMIT_AS, (memory, memory))
    resource.prlimit(pid, resource.RLIMIT_CORE, (0, 0))
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (fsize, fsize))


class LocalSandbox(RunnerSandbox):
    """A sandbox in a temporary directory on the host; for machines without Docker."""

    def __init__(self, root: Path, limits: Limits, python: str) -> None:
        self.root, self.limits, self.python = root, limits, python
        self.workdir = str(root / "workspace")
        self.base_state = ""
        self.env: dict[str, str] = {}
        self.cgroup: PidsCgroup | None = None

    @classmethod
    def start(
        cls,
        archive: IO[bytes],
        *,
        limits: Limits,
        tools: Mapping[str, HostTool] | None = None,
        env: Mapping[str, str] | None = None,
        python: str | None = None,
    ) -> LocalSandbox:
        """Copy the workspace to a temporary folder and start the runner there."""
        root = Path(tempfile.mkdtemp(prefix="swe-agent-local-"))
        sandbox = cls(root, limits, python or sys.executable)
        sandbox.env = sandbox._environment(env or {})
        close_at_exit(sandbox.close)
        sandbox.cgroup = pids_cgroup(limits.pids, name=root.name)
        if sandbox.cgroup is None:
            log.warning("%s; %s", WARNING, NO_PIDS_LIMIT)
        else:
            log.warning("%s; at most %d processes (%s)", WARNING, limits.pids, sandbox.cgroup.path)
        try:
            with open(root / "workspace.tar", "wb") as handle:
                archive.seek(0)
                shutil.copyfileobj(archive, handle)
            for path in RUNNER_FILES:
                shutil.copy(path, root / path.name)
            init = {"workdir": sandbox.workdir, "archive": str(root / "workspace.tar")}
            sandbox.channel = Channel(sandbox, init=init, tools=tools or {}, grace_s=limits.grace_s)
            sandbox.channel.start()
            sandbox.base_state = sandbox._synced = sandbox.channel.info["tree"]
        except BaseException:
            sandbox.close()
            raise
        return sandbox

    def _environment(self, extra: Mapping[str, str]) -> dict[str, str]:
        # `python` in a shell command means the sandbox's interpreter (a venv's, say), not
        # whatever python comes first on the host's PATH.
        path = os.pathsep.join(
            [os.path.dirname(self.python), os.environ.get("PATH", "/usr/bin:/bin")]
        )
        env = {"PATH": path, "HOME": str(self.root)}
        env.update({"LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"})
        env.update({k: os.environ[k] for k in self.limits.env_allowlist if k in os.environ})
        env.update(extra)
        return env

    def spawn_runner(self) -> subprocess.Popen[bytes]:
        """Start the runner as a subprocess in its own session, under rlimits."""
        popen = subprocess.Popen(
            [self.python, str(self.root / "runner.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.root,
            env=self.env,
            start_new_session=True,
        )
        disk = self.limits.disk
        fsize = parse_size(disk) if disk is not None else resource.RLIM_INFINITY
        _apply_rlimits(popen.pid, memory_bytes(self.limits.memory), fsize=fsize)
        if self.cgroup is not None:  # before it forks: the runner waits for its init request
            self.cgroup.add(popen.pid)
        return popen

    def kill_runner(self, pgid: int) -> None:
        """Kill the runner's whole process group."""
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            return  # the group has already ended

    def check_alive(self) -> None:
        """Raise SandboxGone when the temporary workspace was removed."""
        if not Path(self.workdir).is_dir():
            raise SandboxGone(f"the local workspace {self.workdir} was removed underneath")

    def memory_note(self) -> str | None:
        """None: over RLIMIT_AS a local process gets MemoryError, it is not killed."""
        return None

    def commit(self, tag: str) -> str:
        """Local sandboxes cannot become images."""
        raise SandboxError(
            f"a local sandbox cannot be saved as the image {tag}",
            hint="use the Docker backend to cache environments as images",
        )

    def close(self) -> None:
        """Stop the runner, kill what it left, and delete the temporary folder."""
        atexit.unregister(self.close)
        channel = getattr(self, "channel", None)
        if channel is not None:
            pgid = channel.info.get("pgid")
            channel.close()
            if pgid:
                self.kill_runner(int(pgid))
        if self.cgroup is not None and not self.cgroup.remove():
            log.warning("could not remove the cgroup %s (processes left in it)", self.cgroup.path)
        shutil.rmtree(self.root, ignore_errors=True)
