"""Remove exactly one applied change, never losing work made after it.

How, in order:

* the applied commit is still HEAD and nothing was built on it: **reset** the branch to the
  commit's parent (or, for a ``swe-agent/RUN_ID`` branch, switch back to the branch the person
  was on and delete the swe-agent branch). History is only rewritten when the commit exists in
  no remote-tracking branch; once pushed, a revert commit is made instead.
* later commits exist on top of it: **revert**, a new commit that restores the touched files,
  allowed only when those files are, at HEAD, still exactly as the applied commit left them.
* it lives only on its unmerged ``swe-agent/RUN_ID`` branch: **delete** that branch.

In every case the touched files must have no uncommitted changes; other files are never written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from patches._git import Git, open_repo, temporary_index
from patches.apply import RUN_TRAILER, refuse_dirty
from patches.errors import UndoRefused
from patches.extract import diff_text
from patches.records import AppliedRecord, UndoInfo, read_record, write_record

_MAX_LISTED = 5


@dataclass(frozen=True)
class Undone:
    """The outcome of ``undo``."""

    record: AppliedRecord
    record_path: Path

    @property
    def info(self) -> UndoInfo:
        """How it was undone."""
        assert self.record.undone is not None  # set by undo() before this is built
        return self.record.undone

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form: the updated record plus where it lives."""
        return self.record.to_dict() | {"record_path": str(self.record_path)}


def undo(repo_dir: Path | str, applied_record: Path | str) -> Undone:
    """Undo the change recorded in ``applied_record`` (an ``applied.json``) and record the undo."""
    git = open_repo(repo_dir)
    path = Path(applied_record)
    record = read_record(path)
    _refuse_done_or_missing(git, record)
    head = git.rev("HEAD") or ""
    if head == record.commit and not _published(git, record.commit):
        info = _reset(git, record)
    elif head == record.commit or _is_ancestor(git, record.commit, head):
        info = _revert(git, record, head=head)
    else:
        info = _delete_branch(git, record, head=head)
    updated = dataclasses.replace(record, undone=info)
    return Undone(updated, write_record(path.parent, updated))


def _refuse_done_or_missing(git: Git, record: AppliedRecord) -> None:
    if record.undone is not None:
        raise UndoRefused(
            f"run {record.run_id} was already undone at {record.undone.at} "
            f"({record.undone.method})",
            hint="nothing to do",
        )
    if git.rev(record.commit) is None:
        raise UndoRefused(
            f"the commit {record.commit[:12]} of run {record.run_id} is not in {git.root}",
            hint="check that --repo names the repository the run was applied to",
        )


def _reset(git: Git, record: AppliedRecord) -> UndoInfo:
    refuse_dirty(git, record.files, doing="undo")
    parent = git.rev(f"{record.commit}^") or record.previous_head
    current = git.head_branch()
    back_to = record.previous_branch
    reason = f"swe-agent: undo {record.run_id}"
    if (
        record.branch_mode == "new"
        and current == record.branch
        and back_to
        and git.rev(f"refs/heads/{back_to}") == parent
    ):
        git.run("symbolic-ref", "-m", reason, "HEAD", f"refs/heads/{back_to}")
        git.sync_paths(record.files)
        git.run("update-ref", "-m", reason, "-d", f"refs/heads/{current}", record.commit)
        return _info("delete-branch", before=record.commit, after=parent)
    git.run("update-ref", "-m", reason, "HEAD", parent, record.commit)
    git.sync_paths(record.files)
    return _info("reset", before=record.commit, after=parent)


def _revert(git: Git, record: AppliedRecord, *, head: str) -> UndoInfo:
    changed = _changed_since(git, record, head=head)
    if changed:
        commits = _commits_touching(git, record, head=head, paths=changed)
        raise UndoRefused(
            f"later commits changed the same files ({', '.join(changed)}): "
            + "; ".join(commits[:_MAX_LISTED]),
            hint=f"revert by hand and merge with your later work: git revert {record.commit[:12]}",
        )
    refuse_dirty(git, record.files, doing="undo")
    revert = _revert_commit(git, record, head=head)
    git.run("update-ref", "-m", f"swe-agent: undo {record.run_id}", "HEAD", revert, head)
    git.sync_paths(record.files)
    return _info("revert", before=head, after=revert, commit=revert)


def _revert_commit(git: Git, record: AppliedRecord, *, head: str) -> str:
    """A commit on ``head`` that takes out the recorded commit's diff (built in a scratch index)."""
    diff = diff_text(git, f"{record.commit}^", record.commit)
    with temporary_index(git, head) as scratch:
        scratch.run(
            "apply",
            "-R",
            "--cached",
            "--whitespace=nowarn",
            "-",
            input=diff.encode("utf-8", errors="surrogateescape"),
        )
        tree = scratch.out("write-tree")
    subject = record.message.strip().splitlines()[0] if record.message.strip() else record.run_id
    message = (
        f'Revert "{subject}"\n\nThis reverts commit {record.commit}.\n\n'
        f"{RUN_TRAILER}: {record.run_id}\n"
    )
    return git.commit_tree(tree, parent=head, message=message)


def _delete_branch(git: Git, record: AppliedRecord, *, head: str) -> UndoInfo:
    """The commit is not under HEAD: only an unmerged ``swe-agent/`` branch can be undone."""
    tip = git.rev(f"refs/heads/{record.branch}") if record.branch else None
    if record.branch_mode == "new" and tip == record.commit:
        git.run(
            "update-ref",
            "-m",
            f"swe-agent: undo {record.run_id}",
            "-d",
            f"refs/heads/{record.branch}",
            record.commit,
        )
        return _info("delete-branch", before=record.commit, after=head)
    if tip is not None and _is_ancestor(git, record.commit, tip):
        raise UndoRefused(
            f"the branch {record.branch} has later commits on top of run {record.run_id}",
            hint=f"check it out (git switch {record.branch}) and run swe-agent undo again",
        )
    raise UndoRefused(
        f"the commit {record.commit[:12]} of run {record.run_id} is not in the history of HEAD "
        f"({git.head_branch() or 'detached'}); it was probably reset or rebased away",
        hint="nothing was changed; check `git log` to see where the change is now",
    )


def _changed_since(git: Git, record: AppliedRecord, *, head: str) -> list[str]:
    """Touched files whose committed content moved on after the applied commit.

    Comparing contents rather than listing commits lets a plain merge of the swe-agent branch,
    or a change made and later taken back, through: neither holds later work in those files.
    """
    out = git.out("diff", "--name-only", "--no-renames", record.commit, head, "--", *record.files)
    return [line for line in out.splitlines() if line]


def _commits_touching(git: Git, record: AppliedRecord, *, head: str, paths: list[str]) -> list[str]:
    out = git.out("log", "--format=%h %s", f"{record.commit}..{head}", "--", *paths)
    return [line for line in out.splitlines() if line]


def _is_ancestor(git: Git, commit: str, descendant: str) -> bool:
    proc = git.run("merge-base", "--is-ancestor", commit, descendant, check=False)
    return proc.returncode == 0


def _published(git: Git, commit: str) -> bool:
    """True when a remote-tracking branch holds the commit: rewriting it would break others."""
    out = git.out("for-each-ref", "--contains", commit, "--format=%(refname)", "refs/remotes")
    return bool(out)


def _info(method: str, *, before: str, after: str, commit: str | None = None) -> UndoInfo:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return UndoInfo(at=now, method=method, head_before=before, head_after=after, commit=commit)
