"""Materialize a repository at a commit from a directory of bare git mirrors.

The mirrors directory has the layout the search tool's ``fetch`` produces: ``DIR/OWNER+NAME/``
holding a bare git directory (``repo/``). Checkouts go to a cache directory, one folder per
commit, and are written blob by blob through one ``git cat-file --batch`` so that every
checkout shares the mirror's objects and a blob absent from the snapshot (files of 4 MiB and
more) is recorded and skipped instead of failing the checkout.

A repository with no mirror there is cloned once (bare) from its URL into the mirror cache,
``$SWE_AGENT_CACHE/mirrors/OWNER+NAME/repo``, when a URL template is given (the default is
GitHub's); later instances and runs find it there.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import atomic_folder, run_git
from swe_agent.bench.errors import CommitNotAvailable, RepoNotAvailable

MARKER = ".swe-agent-checkout.json"
DEFAULT_REPO_URL = "https://github.com/{repo}.git"
"""Where a repository without a mirror is cloned from: {repo} is OWNER/NAME ({owner}, {name})."""
_CLONE_CONFIG = (
    # A stalled transfer ends instead of hanging a worker; no prompt for credentials.
    "-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=120",
)  # fmt: skip


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


def _cache_root() -> Path:
    return Path(os.environ.get("SWE_AGENT_CACHE") or Path.home() / ".cache" / "swe-agent")


def default_cache_dir() -> Path:
    """Where checkouts go unless told: $SWE_AGENT_CACHE/checkouts or ~/.cache/swe-agent."""
    return _cache_root() / "checkouts"


def default_mirror_cache() -> Path:
    """Where repositories cloned from their URL go: $SWE_AGENT_CACHE/mirrors."""
    return _cache_root() / "mirrors"


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (one clone or environment build at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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


def repo_url(template: str, repo: str) -> str:
    """The clone URL of ``OWNER/NAME`` from a template such as ``https://host/{repo}.git``."""
    owner, _, name = repo.partition("/")
    return template.format(repo=repo, owner=owner, name=name)


def ensure_mirror(mirrors: Path, repo: str, *, url_template: str | None = DEFAULT_REPO_URL) -> Path:
    """The bare git directory of ``repo``: under ``mirrors``, else in the mirror cache, else
    cloned there from ``url_template`` (None: never clone).
    """
    cache = default_mirror_cache()
    for folder in (mirrors, cache):
        if (folder / repo.replace("/", "+")).is_dir():
            try:
                return find_mirror(folder, repo)
            except RepoNotAvailable:
                continue  # a folder without a git directory (a clone that did not finish)
    if not url_template:
        return find_mirror(mirrors, repo)  # raises the error that names the layout
    return clone_mirror(repo, url=repo_url(url_template, repo), cache=cache, mirrors=mirrors)


def clone_mirror(repo: str, *, url: str, cache: Path, mirrors: Path) -> Path:
    """Clone ``url`` bare into ``cache/OWNER+NAME/repo`` (once, even with parallel workers)."""
    folder = cache / repo.replace("/", "+")
    dest = folder / "repo"
    with locked(cache / f".{folder.name}.lock"):
        if _is_git_dir(dest):
            return dest  # another worker cloned it meanwhile
        with atomic_folder(dest) as tmp:
            done = run_git(*_CLONE_CONFIG, "clone", "--bare", "--quiet", url, str(tmp))
            if done.returncode != 0:
                reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
                raise RepoNotAvailable(
                    f"no git mirror of {repo} under {mirrors}, and cloning {url} failed: "
                    + " ".join(reason),
                    hint=f"fetch it into {mirrors / folder.name}/ (a bare git directory), run "
                    "where the network reaches the host, or point --repo-url-template elsewhere",
                )
    return dest


def _git(git_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    result = run_git(*args, git_dir=git_dir, input=stdin)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RepoNotAvailable(f"git {args[0]} failed in {git_dir}: {' '.join(message[-2:])}")
    return result.stdout


def _tree(git_dir: Path, commit: str) -> list[_Entry]:
    try:
        _git(git_dir, "cat-file", "-e", f"{commit}^{{commit}}")
    except RepoNotAvailable:
        # A base commit that only ever lived on a fork or a rewritten branch.
        raise CommitNotAvailable(
            f"commit {commit[:12]} is not in the mirror {git_dir}",
            hint="fetch a newer or fuller mirror of the repository, or leave the instance out",
        ) from None
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


def materialize(
    repo: str,
    commit: str,
    *,
    mirrors: Path,
    cache_dir: Path,
    url_template: str | None = DEFAULT_REPO_URL,
) -> Checkout:
    """The tree of ``repo`` at ``commit``, checked out (once) under ``cache_dir``."""
    dest = cache_dir / repo.replace("/", "+") / commit
    cached = _load_cached(dest, repo, commit)
    if cached is not None:
        return cached
    git_dir = ensure_mirror(mirrors, repo, url_template=url_template)
    entries = _tree(git_dir, commit)
    tmp = dest.with_name(f".{commit}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        missing = _write_blobs(git_dir, entries, tmp)
        record = {"repo": repo, "commit": commit, "files": len(entries), "missing": missing}
        (tmp / MARKER).write_text(json.dumps(record), encoding="utf-8")
        moved = _move_into_place(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Not moved: another worker, on an instance of the same commit, wrote the same tree first.
    return Checkout(dest, repo, commit, len(entries), tuple(missing), cached=not moved)


def _move_into_place(tmp: Path, dest: Path) -> bool:
    """Move a finished checkout to ``dest``; False when another process put a whole one
    there first (a directory cannot replace a non-empty one)."""
    try:
        os.replace(tmp, dest)
    except OSError:
        if (dest / MARKER).is_file():
            return False
        raise
    return True
