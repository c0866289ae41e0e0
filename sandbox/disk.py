"""How a container's disk use is bounded: a storage quota where the storage driver has one,
else in-memory file systems for every folder the sandbox user can write; a file size limit
(RLIMIT_FSIZE) either way, which also caps captured output.

Docker's overlay2 driver takes ``--storage-opt size=`` only on xfs mounted with ``pquota``;
elsewhere (overlay2 on ext4, the common case) the writable layer cannot be capped, so the
workspace, /tmp and /var/tmp become tmpfs mounts of the bound's size, owned by the sandbox
user. Their pages count against the container's memory limit, never against the host's disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox.errors import SandboxError
from sandbox.protocol import Limits

SHARED = ("/tmp", "/var/tmp")  # the temporary folders every user may write (mode 1777)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


class DiskMode(StrEnum):
    """How the disk bound is enforced."""

    QUOTA = "quota"  # --storage-opt size= on the writable layer
    TMPFS = "tmpfs"  # size-limited in-memory workspace and temporary folders
    NONE = "none"  # unbounded (the set-up phase)


def parse_size(text: str) -> int:
    """Bytes of a Docker size ("2g", "512m", "1048576")."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?\s*", text.lower())
    if match is None:
        raise SandboxError(f"{text!r} is not a size", hint="write it like 2g, 512m or 1048576")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


@dataclass(frozen=True)
class DiskBound:
    """The bound of one container and the options of ``containers.create`` that enforce it."""

    mode: DiskMode
    size: int | None  # bytes; None when unbounded

    def create_options(self, *, user: str, own: tuple[str, ...]) -> dict[str, Any]:
        """Keyword arguments for docker-py's ``containers.create``; ``own`` are the folders
        of the sandbox user (the workspace, the runner's), beside the shared ones."""
        if self.size is None:
            return {}
        import docker

        fsize = docker.types.Ulimit(name="fsize", soft=self.size, hard=self.size)
        if self.mode == DiskMode.QUOTA:
            return {"storage_opt": {"size": str(self.size)}, "ulimits": [fsize]}
        uid, _, gid = user.partition(":")
        owner = f"uid={uid or 0},gid={gid or uid or 0}"
        mount = f"rw,exec,nosuid,nodev,size={self.size},{owner}"
        tmpfs = {path: f"{mount},mode=1777" for path in SHARED}
        tmpfs.update({path: f"{mount},mode=755" for path in own})
        return {"tmpfs": tmpfs, "ulimits": [fsize]}

    def describe(self) -> str:
        """One line for `sandbox doctor` and the docs."""
        if self.size is None:
            return "no disk bound"
        size = _human(self.size)
        if self.mode == DiskMode.QUOTA:
            return f"writable layer capped at {size} (storage quota); files at most {size}"
        return (
            f"read-only root; the workspace, /tmp, /var/tmp and the runner's folder (captured "
            f"output) in memory, {size} each (counted against the memory limit, never the "
            f"host's disk); files at most {size}"
        )


def quota_possible(info: dict[str, Any]) -> bool:
    """Whether the daemon's storage driver may cap a writable layer (overlay2 on xfs)."""
    status = dict(info.get("DriverStatus") or [])
    return info.get("Driver") == "overlay2" and status.get("Backing Filesystem") == "xfs"


def disk_bound(limits: Limits, *, quota: bool) -> DiskBound:
    """The bound that ``limits.disk`` asks for, by quota when the daemon can, else tmpfs."""
    if limits.disk is None:
        return DiskBound(DiskMode.NONE, None)
    return DiskBound(DiskMode.QUOTA if quota else DiskMode.TMPFS, parse_size(limits.disk))


def _human(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"
