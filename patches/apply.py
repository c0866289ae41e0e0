"""Apply a validated patch to a person's repository as one commit, and record it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from patches._git import Git, open_repo, temporary_index
from patches.errors import DirtyFiles, InvalidPatch, RecordError
from patches.model import Patch
from patches.records import AppliedRecord, write_record
from patches.validate import validate

BRANCH_PREFIX = "swe-agent/"
RUN_TRAILER = "Swe-Agent-Run"


class BranchMode(StrEnum):
    """Where the commit goes."""

    CURRENT = "current"
    NEW = "new"


@dataclass(frozen=True)
class Applied:
    """The outcome of ``apply_patch``."""

    record: AppliedRecord
    record_path: Path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the record plus where it was written."""
        return self.record.to_dict() | {"record_path": str(self.record_path)}


def apply_patch(
    repo_dir: Path | str,
    patch_text: str,
    *,
    message: str,
    run_dir: Path | str,
    undo_ref: str | None = None,
    branch: BranchMode | str | None = None,
    allow_binary: bool = False,
) -> Applied:
    """Commit ``patch_text`` on top of HEAD, on the current branch or a new ``swe-agent/RUN_ID``.

    The run's id is its folder's name; the record goes to ``run_dir/applied.json``, and its
    undo command names the run ``undo_ref`` (default: the id; a folder `swe-agent undo` cannot
    find by id is named by its path).

    Refuses (``DirtyFiles``) when a touched file has uncommitted changes, an untracked file
    included. Other uncommitted changes stay where they are and are not committed: the commit
    is built in a throw-away index and only the touched paths are written afterwards. The commit
    is made with ``git commit-tree``, so commit hooks do not run.
    """
    git = open_repo(repo_dir)
    run_id = Path(run_dir).name
    mode = _branch_mode(branch)
    head = git.rev("HEAD") or ""
    previous_branch = git.head_branch()
    patch = _validated(git, patch_text, parent=head, allow_binary=allow_binary)
    refuse_dirty(git, patch.paths, doing="apply")
    new_branch = _new_branch_name(git, run_id) if mode == BranchMode.NEW else None
    _ensure_dir(Path(run_dir))  # fail before the repository changes, not after
    commit = _commit(git, patch, parent=head, message=_with_trailer(message, run_id))
    _move_head(git, commit=commit, old=head, new_branch=new_branch)
    git.sync_paths(patch.paths)
    record = _record(
        git,
        run_id=run_id,
        undo_ref=undo_ref or run_id,
        mode=mode,
        branch=new_branch or previous_branch,
        head=head,
        previous_branch=previous_branch,
        commit=commit,
        files=patch.paths,
        message=message,
    )
    return Applied(record, write_record(Path(run_dir), record))


def commit_patch(
    repo_dir: Path | str,
    patch_text: str,
    *,
    parent: str,
    run_id: str,
    message: str,
    allow_binary: bool = False,
) -> str:
    """The id of a new commit of ``parent`` plus the validated patch, with the run trailer.

    The same validation and commit building as ``apply_patch``, but no ref moves and neither
    the index nor the working tree is touched: the caller decides which ref gets the commit.
    """
    git = open_repo(repo_dir)
    base = git.rev(parent)
    if base is None:
        raise InvalidPatch(
            f"{parent!r} is not a commit of {git.root}", hint="fetch that commit, or rebase the run"
        )
    patch = _validated(git, patch_text, parent=base, allow_binary=allow_binary)
    return _commit(git, patch, parent=base, message=_with_trailer(message, run_id))


def _validated(git: Git, patch_text: str, *, parent: str, allow_binary: bool) -> Patch:
    validation = validate(patch_text, git.root, parent, allow_binary=allow_binary)
    validation.raise_if_invalid()
    assert validation.patch is not None  # a valid patch has been parsed
    return validation.patch


def _record(
    git: Git, *, run_id: str, undo_ref: str, mode: BranchMode, head: str, **facts: Any
) -> AppliedRecord:
    return AppliedRecord(
        run_id=run_id,
        repo=str(git.root),
        branch_mode=str(mode),
        previous_head=head,
        applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
        undo_command=undo_command(git.root, undo_ref),
        **facts,
    )


def undo_command(root: Path, ref: str) -> str:
    """The command that undoes the run named ``ref`` (its id, or its folder's path)."""
    return f"swe-agent undo {shlex.quote(ref)} --repo {shlex.quote(str(root))}"


def refuse_dirty(git: Git, paths: tuple[str, ...], *, doing: str) -> None:
    """Raise ``DirtyFiles`` naming those of ``paths`` with uncommitted changes."""
    dirty = git.dirty(paths)
    if dirty:
        names = ", ".join(dirty)
        raise DirtyFiles(
            f"cannot {doing}: uncommitted changes in {names}",
            paths=dirty,
            hint=f"stash them (git stash push --include-untracked -- {names}), {doing}, "
            "then git stash pop",
        )


def _ensure_dir(run_dir: Path) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RecordError(
            f"cannot create the run folder {run_dir}: {exc.strerror}",
            hint="pass a writable run folder",
        ) from None


def _branch_mode(branch: BranchMode | str | None) -> BranchMode:
    if branch is None:
        return BranchMode.CURRENT
    try:
        return BranchMode(branch)
    except ValueError:
        known = ", ".join(m.value for m in list(BranchMode))
        raise InvalidPatch(f"unknown branch mode {branch!r}", hint=f"use one of: {known}") from None


def _new_branch_name(git: Git, run_id: str) -> str:
    name = BRANCH_PREFIX + run_id
    if git.run("check-ref-format", "--branch", name, check=False).returncode != 0:
        raise InvalidPatch(f"{name!r} is not a valid branch name", hint="use a simpler run id")
    if git.rev(f"refs/heads/{name}") is not None:
        raise InvalidPatch(
            f"the branch {name} already exists",
            hint=f"delete it (git branch -D {name}) or apply on the current branch",
        )
    return name


def _with_trailer(message: str, run_id: str) -> str:
    return f"{message.rstrip()}\n\n{RUN_TRAILER}: {run_id}\n"


def _commit(git: Git, patch: Patch, *, parent: str, message: str) -> str:
    """A commit object of ``parent`` plus ``patch``, built without touching the user's index."""
    with temporary_index(git, parent) as scratch:
        scratch.run(
            "apply",
            "--cached",
            "--whitespace=nowarn",
            "-",
            input=patch.text.encode("utf-8", errors="surrogateescape"),
        )
        tree = scratch.out("write-tree")
    return git.commit_tree(tree, parent=parent, message=message)


def _move_head(git: Git, *, commit: str, old: str, new_branch: str | None) -> None:
    """Point the branch (or the new branch) at ``commit``; refuses if HEAD moved meanwhile."""
    reason = f"swe-agent: apply {commit[:12]}"
    if new_branch is None:
        git.run("update-ref", "-m", reason, "HEAD", commit, old)
        return
    ref = f"refs/heads/{new_branch}"
    git.run("update-ref", "-m", reason, ref, commit, "")
    git.run("symbolic-ref", "-m", reason, "HEAD", ref)
