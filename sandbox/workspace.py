"""The workspace archive: a tar of a git commit's tree, a working tree, or a plain directory."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from common import resolve_commit, run_git
from sandbox.errors import BadSource

SKIP_DIRS = frozenset({".git", ".swe-agent"})


@dataclass(frozen=True)
class WorkspaceSource:
    """Where the workspace comes from: a directory, and for a git repository which commit."""

    path: Path
    commit: str | None = None  # a git revision; None means HEAD
    dirty: bool = False  # copy the working tree (tracked + untracked, not ignored) instead


@dataclass(frozen=True)
class ArchiveInfo:
    """What was archived: 'commit', 'worktree' or 'directory', and the commit id if any."""

    kind: str
    commit: str | None
    files: int


def _git(path: Path, *args: str) -> str:
    done = run_git(*args, cwd=path)
    if done.returncode != 0:
        raise BadSource(
            f"git {args[0]} failed in {path}: {done.stderr.decode('utf-8', 'replace').strip()}",
            hint="pass an existing commit of that repository, or a plain directory",
        )
    return done.stdout.decode("utf-8", "replace")


def _resolve(path: Path, rev: str) -> str:
    commit = resolve_commit(path, rev)
    if commit is None:
        raise BadSource(
            f"{path} has no commit {rev}", hint="pass a commit, branch or tag of that repository"
        )
    return commit


def _has_commits(path: Path) -> bool:
    return resolve_commit(path) is not None


def write_archive(source: WorkspaceSource, out: BinaryIO) -> ArchiveInfo:
    """Write the workspace of ``source`` as an uncompressed tar to ``out``."""
    path = source.path.expanduser().resolve()
    if not path.is_dir():
        raise BadSource(f"{source.path} is not a directory", hint="pass a repository directory")
    is_repo = (path / ".git").exists()
    if source.commit and not is_repo:
        raise BadSource(f"{path} is not a git repository, so it has no commit {source.commit}")
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        if is_repo and not source.dirty and (source.commit or _has_commits(path)):
            commit = _resolve(path, source.commit or "HEAD")
            return ArchiveInfo("commit", commit, _add_tree(tar, path, commit))
        if is_repo:
            listing = _git(path, "ls-files", "-z", "-co", "--exclude-standard")
            names = [n for n in listing.split("\0") if n]
            return ArchiveInfo("worktree", None, _add_files(tar, path, names))
        return ArchiveInfo("directory", None, _add_files(tar, path, _walk(path)))


def _walk(root: Path) -> Iterator[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        rel = os.path.relpath(folder, root)
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            yield name if rel == "." else os.path.join(rel, name)


def _add_files(tar: tarfile.TarFile, root: Path, names: Iterator[str] | list[str]) -> int:
    count = 0
    for name in names:
        full = root / name
        if not full.is_symlink() and not full.is_file():
            continue  # deleted in the working tree, or a socket / fifo
        info = tar.gettarinfo(str(full), arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        if info.isreg():
            with open(full, "rb") as handle:
                tar.addfile(info, handle)
        else:
            tar.addfile(info)
        count += 1
    return count


def _add_tree(tar: tarfile.TarFile, repo: Path, commit: str, prefix: str = "") -> int:
    """Archive exactly the committed tree (not ``git archive``, which applies export rules).

    A submodule comes along when its commit is at hand: in ``.git/modules/PATH`` (where
    ``git submodule update`` and the benchmark work folders put it) or a checkout at PATH.
    """
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit)
    entries = []
    submodules = []
    for record in filter(None, listing.split("\0")):
        meta, name = record.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            entries.append((mode, sha, name))
        elif kind == "commit":
            submodules.append((sha, name))
    _add_blobs(tar, repo, entries, prefix)
    count = len(entries)
    for sha, name in submodules:
        store = submodule_store(repo, name, sha)
        if store is not None:
            count += _add_tree(tar, store, sha, prefix=f"{prefix}{name}/")
    return count


def submodule_store(repo: Path, path: str, commit: str) -> Path | None:
    """A git directory of ``repo`` that holds the submodule at ``path`` at ``commit``."""
    git_dir = Path(_git(repo, "rev-parse", "--absolute-git-dir").strip())
    for store in (git_dir / "modules" / path, repo / path):
        if not (store / "HEAD").is_file() and not (store / ".git").exists():
            continue
        if run_git("cat-file", "-e", f"{commit}^{{tree}}", cwd=store).returncode == 0:
            return store
    return None


def _add_blobs(
    tar: tarfile.TarFile, repo: Path, entries: list[tuple[str, str, str]], prefix: str
) -> None:
    cat = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert cat.stdin is not None and cat.stdout is not None
    try:
        for mode, sha, name in entries:
            cat.stdin.write(sha.encode() + b"\n")
            cat.stdin.flush()
            size = int(cat.stdout.readline().split()[2])
            data = cat.stdout.read(size)
            cat.stdout.read(1)  # the newline after each object
            _add_blob(tar, prefix + name, mode, data)
    finally:
        cat.stdin.close()
        cat.wait()


def _add_blob(tar: tarfile.TarFile, name: str, mode: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.mtime = int(time.time())  # not the epoch: tools compare mtimes with 'now'
    if mode == "120000":
        info.type, info.linkname = tarfile.SYMTYPE, data.decode("utf-8", "surrogateescape")
        tar.addfile(info)
        return
    info.mode = 0o755 if mode == "100755" else 0o644
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))
