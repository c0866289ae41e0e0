"""Which Python files make up a repository, with a cache key for each (git blob id style).

Inside a git work tree the keys come from ``git ls-files -s`` (blob ids), and files that
``git status`` reports as modified or untracked are hashed the way git hashes a blob, so a
key means the same content whether or not git computed it. Outside git every file is hashed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import run_git
from repo_graph.globs import Excluder
from repo_graph.model import SkippedFile, SkipReason

DEFAULT_EXCLUDES: tuple[str, ...] = (
    "**/.git/**",
    "**/.swe-agent/**",
    "**/.hg/**",
    "**/.tox/**",
    "**/.nox/**",
    "**/.venv/**",
    "**/venv/**",
    "**/env/lib/**",
    "**/site-packages/**",
    "**/node_modules/**",
    "**/__pycache__/**",
    "**/.eggs/**",
    "**/*.egg-info/**",
    "**/build/lib/**",
    "**/vendor/**",
    "**/_vendor/**",
    "**/*_pb2.py",
    "**/*_pb2_grpc.py",
)
ALWAYS_PRUNED = frozenset({".git", ".swe-agent", "__pycache__"})


@dataclass(frozen=True)
class SourceFile:
    """One Python file to put in the graph: its path and the key of its content."""

    path: str  # relative to the root, POSIX separators
    key: str  # git blob id of its content


StatKeys = Mapping[str, tuple[tuple[int, int, int, int], str]]  # path -> (stat signature, key)
# folder -> (its mtime, its subfolders and .py files as (name, is a folder, is a symlink))
DirCache = Mapping[str, tuple[int, tuple[tuple[str, bool, bool], ...]]]
RACY_NS = 2_000_000_000  # a file modified this recently may change again within the same tick


@dataclass(frozen=True)
class Listing:
    """The Python files of a repository, those left out, and whether git listed them."""

    files: tuple[SourceFile, ...]
    skipped: tuple[SkippedFile, ...]
    in_git: bool
    stat_keys: StatKeys = field(default_factory=dict)  # reusable keys for the next listing
    dirs: DirCache = field(default_factory=dict)  # reusable folder contents for the next one


def blob_id(data: bytes) -> str:
    """The id git gives a blob of these bytes (sha1 of the ``blob <size>\\0`` header + data)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def list_files(
    root: Path,
    *,
    exclude: Sequence[str],
    max_file_bytes: int,
    use_git: bool = True,
    known: StatKeys | None = None,
    known_dirs: DirCache | None = None,
) -> Listing:
    """List the Python files under ``root`` with their keys, and the ones skipped with why.

    Outside git, ``known`` (the ``stat_keys`` of an earlier listing) spares re-hashing files
    whose size, times and inode are unchanged, as git's index does; ``known_dirs`` (its
    ``dirs``) spares reading folders whose modification time is unchanged.
    """
    excluded = Excluder(exclude)
    entries = _git_entries(root) if use_git else None
    if entries is None:
        walk = _Walk(root, excluded, max_file_bytes, known or {}, known_dirs or {})
        return walk.run()
    return _from_git(root, entries, excluded=excluded, max_file_bytes=max_file_bytes)


def _git(root: Path, *args: str) -> bytes | None:
    try:
        done = run_git(*args, cwd=root, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_entries(root: Path) -> dict[str, tuple[str, str]] | None:
    """path -> (mode, blob id) of the .py files git tracks under root; None outside git."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside is None or inside.strip() != b"true":
        return None
    # A folder that the enclosing repository ignores (a checkout under a cache directory)
    # has nothing tracked: walk it as a plain directory instead.
    if _git(root, "check-ignore", "-q", ".") is not None:
        return None
    out = _git(root, "ls-files", "-s", "-z", "--", "*.py")
    if out is None:
        return None
    entries: dict[str, tuple[str, str]] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, sha, _stage = meta.decode().split(" ")
        entries.setdefault(raw_path.decode("utf-8", "surrogateescape"), (mode, sha))
    return entries


def _changed_paths(root: Path) -> set[str]:
    """Paths (relative to root) of .py files modified or untracked in the work tree."""
    out = _git(root, "status", "--porcelain=v1", "-z", "-uall", "--no-renames", ".")
    prefix = (_git(root, "rev-parse", "--show-prefix") or b"").decode().strip()
    changed: set[str] = set()
    for record in (out or b"").split(b"\0"):
        path = record[3:].decode("utf-8", "surrogateescape")
        if path.endswith(".py") and path.startswith(prefix):
            changed.add(path[len(prefix) :])
    return changed


def _from_git(
    root: Path,
    entries: dict[str, tuple[str, str]],
    *,
    excluded: Excluder,
    max_file_bytes: int,
) -> Listing:
    changed = _changed_paths(root)
    files: list[SourceFile] = []
    skipped: list[SkippedFile] = []
    absent: list[tuple[str, str]] = []
    excluded_dirs: set[str] = set()
    for path in sorted(set(entries) | changed):
        if excluded.match(path):
            # A whole excluded directory is reported once, as the walk outside git does.
            directory = excluded.excluded_dir(path)
            if directory is None:
                skipped.append(SkippedFile(path, SkipReason.EXCLUDED))
            elif directory not in excluded_dirs:
                excluded_dirs.add(directory)
                skipped.append(SkippedFile(directory, SkipReason.EXCLUDED))
            continue
        mode, sha = entries.get(path, ("100644", ""))
        full = root / path
        if not os.path.lexists(full):
            if sha:
                absent.append((path, sha))
            continue
        checked = _check_file(root, path, max_file_bytes=max_file_bytes)
        if isinstance(checked, SkippedFile):
            skipped.append(checked)
            continue
        key = sha if sha and path not in changed and mode != "120000" else ""
        files.append(SourceFile(path, key or _hash_file(full)))
    skipped.extend(_missing_blobs(root, absent))
    return Listing(tuple(files), tuple(sorted(skipped, key=lambda s: s.path)), in_git=True)


def _missing_blobs(root: Path, absent: list[tuple[str, str]]) -> list[SkippedFile]:
    """Tracked files absent from the work tree whose blob the object store lacks too.

    A tracked file whose blob is present but whose work-tree copy is gone was deleted by
    the user: it simply leaves the graph. One whose blob is absent (a fetched snapshot
    without its large files) is reported as skipped.
    """
    if not absent:
        return []
    query = "".join(f"{sha}\n" for _, sha in absent).encode()
    try:
        done = run_git("cat-file", "--batch-check", cwd=root, input=query, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return [SkippedFile(path, SkipReason.MISSING_BLOB) for path, _ in absent]
    lines = done.stdout.decode().splitlines()
    return [
        SkippedFile(path, SkipReason.MISSING_BLOB)
        for (path, _), line in zip(absent, lines, strict=False)
        if line.endswith(" missing")
    ]


def _check_file(root: Path, path: str, *, max_file_bytes: int) -> SkippedFile | None:
    """None when the file may be read; else why it is skipped."""
    full = root / path
    try:
        if full.is_symlink():
            target = Path(os.path.realpath(full))
            if not target.is_relative_to(root) or not target.is_file():
                return SkippedFile(path, SkipReason.SYMLINK_OUTSIDE)
        if full.stat().st_size > max_file_bytes:
            return SkippedFile(path, SkipReason.TOO_LARGE)
    except OSError:
        return SkippedFile(path, SkipReason.UNREADABLE)
    return None


def _hash_file(full: Path) -> str:
    try:
        return blob_id(full.read_bytes())
    except OSError:
        return "unreadable"


class _Walk:
    """One walk of a plain directory tree, reusing what an earlier walk learnt."""

    def __init__(
        self,
        root: Path,
        excluded: Excluder,
        max_file_bytes: int,
        known: StatKeys,
        known_dirs: DirCache,
    ) -> None:
        self.root, self.excluded, self.max_file_bytes = root, excluded, max_file_bytes
        self.known, self.known_dirs = known, known_dirs
        self.files: list[SourceFile] = []
        self.skipped: list[SkippedFile] = []
        self.stat_keys: dict[str, tuple[tuple[int, int, int, int], str]] = {}
        self.dirs: dict[str, tuple[int, tuple[tuple[str, bool, bool], ...]]] = {}
        self.now = time.time_ns()

    def run(self) -> Listing:
        todo = [""]
        while todo:
            rel_dir = todo.pop()
            for name, is_dir, is_link in self._entries(rel_dir):
                path = rel_dir + name
                if is_dir:
                    # Pruning here keeps a walk out of virtualenvs and node_modules altogether.
                    if self.excluded.match_entry(path, name, is_dir=True):
                        self.skipped.append(SkippedFile(path + "/", SkipReason.EXCLUDED))
                    else:
                        todo.append(path + "/")
                else:
                    self._file(path, name, is_link)
        self.files.sort(key=lambda f: f.path)
        self.skipped.sort(key=lambda s: s.path)
        return Listing(tuple(self.files), tuple(self.skipped), False, self.stat_keys, self.dirs)

    def _entries(self, rel_dir: str) -> tuple[tuple[str, bool, bool], ...]:
        """The subfolders and .py files of a folder, reused when its mtime is unchanged."""
        full = os.path.join(self.root, rel_dir)
        try:
            mtime = os.stat(full).st_mtime_ns
            cached = self.known_dirs.get(rel_dir)
            if cached is not None and cached[0] == mtime:
                entries = cached[1]
            else:
                with os.scandir(full) as listing:
                    entries = tuple(
                        (e.name, e.is_dir(follow_symlinks=False), e.is_symlink())
                        for e in listing
                        if e.name.endswith(".py")
                        or (e.is_dir(follow_symlinks=False) and e.name not in ALWAYS_PRUNED)
                    )
        except OSError:
            return ()
        if self.now - mtime > RACY_NS:
            self.dirs[rel_dir] = (mtime, entries)
        return entries

    def _file(self, path: str, name: str, is_link: bool) -> None:
        if self.excluded.match_entry(path, name, is_dir=False):
            self.skipped.append(SkippedFile(path, SkipReason.EXCLUDED))
            return
        if is_link:
            checked = _check_file(self.root, path, max_file_bytes=self.max_file_bytes)
            if checked is not None:
                self.skipped.append(checked)
                return
        key = _stat_key(self.root, path, self.known, self.stat_keys, self.now, self.max_file_bytes)
        if isinstance(key, SkippedFile):
            self.skipped.append(key)
        else:
            self.files.append(SourceFile(path, key))


def _stat_key(
    root: Path,
    path: str,
    known: StatKeys,
    out: dict[str, tuple[tuple[int, int, int, int], str]],
    now: int,
    max_file_bytes: int,
) -> str | SkippedFile:
    """The file's key, reused from ``known`` when its stat signature has not changed."""
    full = os.path.join(root, path)  # a str join: pathlib costs more than the stat here
    try:
        st = os.stat(full)
        if st.st_size > max_file_bytes:
            return SkippedFile(path, SkipReason.TOO_LARGE)
        signature = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        cached = known.get(path)
        if cached is not None and cached[0] == signature:
            key = cached[1]
        else:
            with open(full, "rb") as handle:
                key = blob_id(handle.read())
    except OSError:
        return SkippedFile(path, SkipReason.UNREADABLE)
    if now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
        out[path] = (signature, key)
    return key
