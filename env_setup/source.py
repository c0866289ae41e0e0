"""Where the files come from: the repository checked, and read at a commit for detection."""

from __future__ import annotations

import io
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

from common import git_stdout, resolve_commit, run_git
from env_setup.detect import commit_date_of, detect
from env_setup.errors import BadRepository
from env_setup.model import Detection


def check_repo(repo: Path, commit: str | None) -> Path:
    root = repo.expanduser().resolve()
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is a file, not a directory"
        raise BadRepository(f"{repo} {what}", hint="pass the path of a repository")
    if commit is None:
        return root
    if resolve_commit(root, commit) is None:
        raise BadRepository(
            f"{commit} is not a commit of {root}",
            hint="pass a commit id, branch or tag that `git rev-parse` knows",
        )
    return root


def head_commit(root: Path) -> str | None:
    """HEAD's commit id when `root` is the top of a git repository with commits, else None.

    A folder inside a bigger repository, or without commits, is copied into the sandbox as
    it is on disk; a repository is copied at HEAD's tree, so detection reads that tree too.
    """
    top = git_stdout("rev-parse", "--show-toplevel", cwd=root)
    if top is None or Path(top).resolve() != root:
        return None
    return git_stdout("rev-parse", "--verify", "-q", "HEAD", cwd=root) or None


def detect_at(root: Path, commit: str | None) -> Detection:
    """Detect on the files as they are at `commit` (an exported copy), or on the checkout."""
    if commit is None:
        return detect(root)
    with tempfile.TemporaryDirectory(prefix="swe-env-") as tmp:
        exported = run_git("archive", "--format=tar", commit, cwd=root)
        if exported.returncode != 0:
            reason = exported.stderr.decode(errors="replace").strip()[-300:]
            raise BadRepository(
                f"cannot read {commit} of {root}: {reason}",
                hint="the clone may be incomplete; fetch the repository again",
            )
        archive = exported.stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter=_safe_member)
        found = detect(Path(tmp), commit_date=commit_date_of(root, commit))
    # The sandbox's copy has no tags: a tag-versioned project would build as version 0.1.dev
    # (setuptools_scm) or 0+untagged (versioneer), which its own extras' dependents refuse.
    if not (found.uses_scm or found.uses_versioneer):
        return found
    tag = last_tag_name(root, commit)
    return replace(found, scm_version=tag_version(tag), scm_tag=tag)


def last_tag_name(root: Path, commit: str) -> str | None:
    """The newest tag reachable from `commit`, as git names it (None without one)."""
    return git_stdout("describe", "--tags", "--abbrev=0", commit, cwd=root) or None


def tag_version(tag: str | None) -> str | None:
    """A tag as a version (``v1.2`` -> ``1.2``; None when it is not one)."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(tag.removeprefix("v"))) if tag else None
    except InvalidVersion:
        return None


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, skipping (not failing on) links that point outside."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None
