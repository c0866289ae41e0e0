"""A pids cgroup for the local backend: the one cap on processes that binds root as well.

RLIMIT_NPROC is no substitute: root ignores it, and it counts every process of the user.
A cgroup's ``pids.max`` counts only what runs inside it, whoever runs it. Cgroups are
writable by root on most machines (v1's pids hierarchy, or v2 where the pids controller is
delegated to the parent folder); elsewhere the caller gets None and must say so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROC_CGROUP = Path("/proc/self/cgroup")
PROC_MOUNTS = Path("/proc/self/mounts")


@dataclass(frozen=True)
class PidsCgroup:
    """A cgroup folder with ``pids.max`` set; processes added to it and their children count."""

    path: Path
    limit: int

    def add(self, pid: int) -> None:
        """Move ``pid`` into the cgroup (its later children are born inside)."""
        (self.path / "cgroup.procs").write_text(f"{pid}\n")

    def pids(self) -> list[int]:
        """The processes inside now."""
        try:
            text = (self.path / "cgroup.procs").read_text()
        except OSError:
            return []  # removed already
        return [int(line) for line in text.split()]

    def remove(self, *, wait_s: float = 10.0) -> bool:
        """Kill everything inside and delete the folder; False when it could not be deleted."""
        deadline = time.monotonic() + wait_s
        while True:
            self._kill_all()
            try:
                self.path.rmdir()
            except FileNotFoundError:
                return True
            except OSError:
                if time.monotonic() > deadline:
                    return False  # e.g. zombies whose new parent does not reap them
                time.sleep(0.02)
                continue
            return True

    def _kill_all(self) -> None:
        kill = self.path / "cgroup.kill"  # v2 on Linux >= 5.14: one write, no race with forks
        if kill.exists():
            with contextlib.suppress(OSError):
                kill.write_text("1\n")
                return
        for sig in (signal.SIGSTOP, signal.SIGKILL):  # stopped processes cannot fork any more
            for pid in self.pids():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)


def pids_cgroup(limit: int, *, name: str) -> PidsCgroup | None:
    """A new cgroup called ``name`` whose ``pids.max`` is ``limit``, or None where none can be."""
    for parent in _parents():
        child = parent / name
        try:
            child.mkdir()
        except OSError:
            continue  # not writable here (not root, read-only mount)
        try:
            (child / "pids.max").write_text(f"{limit}\n")
        except OSError:  # the pids controller is not enabled for this folder's children
            child.rmdir()
            continue
        return PidsCgroup(child, limit)
    return None


def _parents() -> Iterator[Path]:
    """Folders where a child cgroup could get a pids limit, the closest to this process first."""
    own = _own_cgroups()
    for mount, kind, options in _cgroup_mounts():
        if kind == "cgroup" and "pids" in options and "pids" in own:
            yield mount / own["pids"].lstrip("/")
            yield mount  # a container without its own cgroup namespace sees its cgroup here
        elif kind == "cgroup2" and "" in own:
            here = mount / own[""].lstrip("/")
            # in v2 a folder holding processes cannot pass controllers on: try its parent too
            yield from (here, here.parent) if here != mount else (here,)


def _own_cgroups() -> dict[str, str]:
    """Controller name ('' for v2) to this process's cgroup path."""
    own: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in PROC_CGROUP.read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                own[controller] = path
    return own


def _cgroup_mounts() -> list[tuple[Path, str, set[str]]]:
    mounts = []
    with contextlib.suppress(OSError):
        for line in PROC_MOUNTS.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 4 and fields[2] in ("cgroup", "cgroup2"):
                mounts.append((Path(fields[1]), fields[2], set(fields[3].split(","))))
    return mounts
