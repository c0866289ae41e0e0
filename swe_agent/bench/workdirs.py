"""Per-instance git work folders that share a mirror's objects, and the environment lock.

A work folder is ``git clone --shared --no-checkout`` of the mirror (a few kilobytes: refs and
an alternates file). Two commits are made in it without touching a working tree, through a
private index: ``base`` (base_commit without the files whose blobs the mirror lacks) and
``with_tests`` (``base`` plus test_patch). Checking files out is only done when asked (the
agent needs them on disk to build its code graph).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from common import atomic_folder, run_git
from swe_agent.bench.errors import RepoNotAvailable
from swe_agent.bench.repos import DEFAULT_REPO_URL, ensure_mirror
from swe_agent.bench.submodules import link_submodules

_IDENTITY = {
    "GIT_AUTHOR_NAME": "swe-agent",
    "GIT_AUTHOR_EMAIL": "swe-agent@localhost",
    "GIT_COMMITTER_NAME": "swe-agent",
    "GIT_COMMITTER_EMAIL": "swe-agent@localhost",
}


def _clone_shared(mirror: Path, dest: Path) -> None:
    """``git clone --shared --no-checkout`` (a few kilobytes), atomically."""
    # A folder without .git is the leftover of a killed run: start it again.
    shutil.rmtree(dest, ignore_errors=True)
    with atomic_folder(dest) as tmp:
        _git(dest.parent, "clone", "-q", "--shared", "--no-checkout", str(mirror), str(tmp))


@dataclass(frozen=True)
class Workdir:
    """A repository folder for one instance and the commits to use in it."""

    root: Path
    base: str  # base_commit, minus the files the mirror lacks
    with_tests: str  # base plus test_patch (== base when there is none)
    missing: tuple[str, ...] = ()


def _git(
    root: Path,
    *args: str,
    stdin: bytes | None = None,
    index: Path | None = None,
    date: str | None = None,
) -> str:
    env = dict(_IDENTITY)
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    done = run_git(*args, cwd=root, input=stdin, env=env)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RepoNotAvailable(f"git {args[0]} failed in {root}: {' '.join(message)}")
    return done.stdout.decode("utf-8", "replace").strip()


def _missing_blobs(root: Path, commit: str) -> list[tuple[str, str]]:
    """(blob id, path) of the files of ``commit`` whose blobs are not in the object store."""
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit)
    entries = []
    for record in filter(None, listing.split("\0")):
        meta, path = record.split("\t", 1)
        _mode, kind, sha = meta.split()
        if kind == "blob":
            entries.append((sha, path))
    stdin = "".join(f"{sha}\n" for sha, _ in entries).encode()
    answers = _git(root, "cat-file", "--batch-check", stdin=stdin).splitlines()
    return [entry for entry, line in zip(entries, answers, strict=True) if line.endswith("missing")]


def _fill(root: Path, missing: list[tuple[str, str]], sources: tuple[Path, ...]) -> list[str]:
    """Write the missing blobs found in ``sources`` into the work folder's own object store
    (never into the shared mirror); return the paths still missing.
    """
    from swe_agent.bench.blobs import find_blobs

    found = find_blobs(sources, {sha for sha, _ in missing}) if sources and missing else {}
    for data in found.values():
        _git(root, "hash-object", "-w", "--stdin", stdin=data)
    return [path for sha, path in missing if sha not in found]


def _derive(root: Path, parent: str, *, drop: list[str], patch: str, message: str) -> str:
    """A commit on ``parent`` without ``drop`` and with ``patch``, made through a private index."""
    if not drop and not patch.strip():
        return parent
    index = root / ".git" / f"swe-bench-{os.getpid()}.index"
    try:
        _git(root, "read-tree", parent, index=index)
        if drop:
            _git(root, "update-index", "--force-remove", "-z", "--stdin",
                 stdin="\0".join(drop).encode() + b"\0", index=index)  # fmt: skip
        if patch.strip():
            _git(root, "apply", "--cached", "-", stdin=patch.encode("utf-8"), index=index)
        tree = _git(root, "write-tree", index=index)
    finally:
        index.unlink(missing_ok=True)
    # The parent's date: the same commit every run, and env_setup dates dependencies by it.
    date = _git(root, "log", "-1", "--format=%cI", parent)
    return _git(root, "commit-tree", tree, "-p", parent, "-m", message, date=date)


def prepare_workdir(  # noqa: PLR0913 - the instance, where it goes, where its objects come from
    *,
    repo: str,
    commit: str,
    test_patch: str,
    mirrors: Path,
    dest: Path,
    checkout: bool = False,
    url_template: str | None = DEFAULT_REPO_URL,
    blob_sources: tuple[Path, ...] = (),
) -> Workdir:
    """The work folder of one instance (made once; reused when it exists)."""
    mirror = ensure_mirror(mirrors, repo, url_template=url_template).resolve()
    dest = dest.resolve()
    if not (dest / ".git").is_dir():
        _clone_shared(mirror, dest)
    try:
        full = _git(dest, "rev-parse", "--verify", "-q", f"{commit}^{{commit}}")
    except RepoNotAvailable:
        raise RepoNotAvailable(
            f"the mirror of {repo} has no commit {commit}", hint=f"refetch {mirror}"
        ) from None
    missing = _fill(dest, _missing_blobs(dest, full), blob_sources)
    link_submodules(dest, full, repo=repo, mirrors=mirrors, url_template=url_template)
    base = _derive(dest, full, drop=missing, patch="", message="base without missing blobs")
    try:
        with_tests = _derive(dest, base, drop=[], patch=test_patch, message="test patch")
    except RepoNotAvailable as exc:
        raise RepoNotAvailable(f"test_patch does not apply at {commit[:12]}: {exc}") from None
    if checkout:
        _git(dest, "checkout", "-q", "-f", "--detach", base)
        _git(dest, "clean", "-fdq", "-e", ".swe-agent")
    return Workdir(dest, base, with_tests, tuple(missing))
