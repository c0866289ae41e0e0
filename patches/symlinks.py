"""Symlinks of a git tree, and resolving repository paths through them without a filesystem."""

from __future__ import annotations

import posixpath
from collections import deque

from patches._git import Git

SYMLINK_MODE = "120000"
_MAX_HOPS = 40  # what Linux allows before ELOOP


def tree_symlinks(git: Git, tree_ish: str) -> dict[str, str]:
    """Every symlink in ``tree_ish``: repository path to its target text."""
    listing = git.run("ls-tree", "-r", "-z", "--full-tree", tree_ish).stdout
    blobs: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry.startswith(SYMLINK_MODE.encode()):
            continue
        meta, _, path = entry.partition(b"\t")
        blobs[path.decode("utf-8", errors="surrogateescape")] = meta.split()[2].decode()
    if not blobs:
        return {}
    request = "".join(f"{blob}\n" for blob in blobs.values()).encode()
    return dict(zip(blobs, _batch_contents(git, request), strict=True))


def _batch_contents(git: Git, request: bytes) -> list[str]:
    """Blob contents from one ``git cat-file --batch`` call, in request order."""
    data = git.run("cat-file", "--batch", input=request).stdout
    out, pos = [], 0
    while pos < len(data):
        eol = data.index(b"\n", pos)
        size = int(data[pos:eol].split()[2])
        out.append(data[eol + 1 : eol + 1 + size].decode("utf-8", errors="surrogateescape"))
        pos = eol + 1 + size + 1
    return out


def resolve(path: str, links: dict[str, str]) -> str | None:
    """Where ``path`` leads inside the repository after following ``links``; None if outside.

    An absolute link target, a ``..`` above the top, or a loop all count as outside.
    """
    parts = deque(path.split("/"))
    done: list[str] = []
    hops = 0
    while parts:
        part = parts.popleft()
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                return None
            done.pop()
            continue
        done.append(part)
        target = links.get("/".join(done))
        if target is None:
            continue
        hops += 1
        if hops > _MAX_HOPS or target.startswith("/"):
            return None
        done.pop()
        parts.extendleft(reversed(target.split("/")))
    return "/".join(done)


def parent_of(path: str) -> str:
    """The directory part of a repository path ('' for top-level files)."""
    return posixpath.dirname(path)
