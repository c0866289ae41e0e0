"""Materialize a repository at a commit from a directory of bare git mirrors.

The mirrors directory has the layout the search tool's ``fetch`` produces: ``DIR/OWNER+NAME/``
holding a bare git directory (``repo/``). Checkouts go to a cache directory, one folder per
commit, and are written blob by blob through one ``git cat-file --batch`` so that every
checkout shares the mirror's objects and a blob absent from the snapshot (files of 4 MiB and
more) is recorded and skipped instead of failing the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from swe_agent.bench.errors import RepoNotAvailable

MARKER = ".swe-agent-checkout.json"


@dataclass(frozen=True)
class Checkout:
    """A repository's tree at one commit, on disk."""

    root: Path
    repo: str
    commit: str
    files: int
    missing: tuple[str, ...] = ()  # paths whose blobs the mirror lacks
    cached: bool = False


@dataclass(frozen=True)
class _Entry:
    mode: str
    sha: str
    path: str


def default_cache_dir() -> Path:
    """Where checkouts go unless told: $SWE_AGENT_CACHE/checkouts or ~/.cache/swe-agent."""
    base = os.environ.get("SWE_AGENT_CACHE") or Path.home() / ".cache" / "swe-agent"
    return Path(base) / "checkouts"


def _is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def find_mirror(mirrors: Path, repo: str) -> Path:
    """The bare git directory of ``OWNER/NAME`` under ``mirrors`` (``OWNER+NAME/...``)."""
    folder = mirrors / repo.replace("/", "+")
    candidates = [folder, folder / "repo", folder / ".git", *sorted(folder.glob("*"))]
    candidates += sorted(folder.glob("*/*"))
    for candidate in candidates:
        if candidate.is_dir() and _is_git_dir(candidate):
            return candidate
    raise RepoNotAvailable(
        f"no git mirror of {repo} under {mirrors}",
        hint=f"fetch it into {folder}/ (a bare git directory), or leave its instances out",
    )


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(
        ["git", f"--git-dir={git_dir}", *args],
        input=stdin,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RepoNotAvailable(f"git {args[0]} failed in {git_dir}: {' '.join(message[-2:])}")
    return result.stdout


def _tree(git_dir: Path, commit: str) -> list[_Entry]:
    raw = _git(git_dir, "ls-tree", "-r", "-z", "--full-tree", commit)
    entries = []
    for record in raw.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        # Submodules (commits) and symlinks (which could point out of the tree) are not written.
        if kind == "blob" and mode != "120000":
            entries.append(_Entry(mode, sha, path.decode("utf-8", "surrogateescape")))
    return entries


def _write_blobs(git_dir: Path, entries: list[_Entry], dest: Path) -> list[str]:
    """Write every present blob under ``dest``; return the paths whose blobs are missing."""
    stdin = "".join(f"{e.sha}\n" for e in entries).encode()
    out = _git(git_dir, "cat-file", "--batch", stdin=stdin)
    missing: list[str] = []
    pos = 0
    for entry in entries:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            missing.append(entry.path)
            continue
        size = int(header[2])
        target = dest / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(out[pos : pos + size])
        if entry.mode == "100755":
            target.chmod(0o755)
        pos += size + 1
    return missing


def _load_cached(dest: Path, repo: str, commit: str) -> Checkout | None:
    marker = dest / MARKER
    if not marker.is_file():
        return None
    data = json.loads(marker.read_text(encoding="utf-8"))
    return Checkout(dest, repo, commit, data["files"], tuple(data["missing"]), cached=True)


def materialize(repo: str, commit: str, *, mirrors: Path, cache_dir: Path) -> Checkout:
    """The tree of ``repo`` at ``commit``, checked out (once) under ``cache_dir``."""
    dest = cache_dir / repo.replace("/", "+") / commit
    cached = _load_cached(dest, repo, commit)
    if cached is not None:
        return cached
    git_dir = find_mirror(mirrors, repo)
    entries = _tree(git_dir, commit)
    tmp = dest.with_name(f".{commit}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        missing = _write_blobs(git_dir, entries, tmp)
        record = {"repo": repo, "commit": commit, "files": len(entries), "missing": missing}
        (tmp / MARKER).write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Checkout(dest, repo, commit, len(entries), tuple(missing))
