"""Apply, undo and export through the patches package, for one run folder and one repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common import atomic_write
from patches import APPLIED_FILE, RecordError, apply_patch, read_record, undo_run


@dataclass(frozen=True)
class Outcome:
    """What an operation did, in words for a notification, and the commit it made if any."""

    message: str
    commit: str | None = None
    path: Path | None = None


class PatchesActions:
    """Apply as one commit, undo exactly that commit, export to the run folder."""

    def __init__(
        self, *, repo: Path, run_dir: Path, undo_ref: str | None = None, branch: str = "current"
    ) -> None:
        self.repo, self.run_dir, self.branch = repo, run_dir, branch
        self.undo_ref = undo_ref  # how `swe-agent undo` names the run (default: its id)

    def apply(self, patch_text: str, *, message: str) -> Outcome:
        """Commit the patch; refused while this run's earlier apply is not undone."""
        self._refuse_applied_twice()
        done = apply_patch(
            self.repo,
            patch_text,
            message=message,
            run_dir=self.run_dir,
            undo_ref=self.undo_ref,
            branch=self.branch,
        )
        record = done.record
        files = len(record.files)
        where = record.branch or "detached HEAD"
        return Outcome(
            f"applied as {record.commit[:12]} on {where} "
            f"({files} file{'s' if files != 1 else ''}); u undoes it",
            commit=record.commit,
        )

    def undo(self) -> Outcome:
        """Undo this run's apply (reset, revert or delete its branch), as `swe-agent undo`."""
        done = undo_run(self.repo, self.run_dir)
        info = done.info
        extra = f", revert commit {info.commit[:12]}" if info.commit else ""
        return Outcome(
            f"undone by {info.method}: HEAD is now {info.head_after[:12]}{extra}",
            commit=info.head_after,
        )

    def export(self, patch_text: str, *, name: str) -> Outcome:
        """Write the patch into the run folder, atomically."""
        path = self.run_dir / name
        write_text_atomic(path, patch_text)
        return Outcome(f"exported to {path}", path=path)

    def _refuse_applied_twice(self) -> None:
        path = self.run_dir / APPLIED_FILE
        if not path.is_file():
            return
        record = read_record(path)
        if record.undone is None:
            raise RecordError(
                f"run {self.run_dir.name} is already applied as {record.commit[:12]}",
                hint="press u to undo it first",
            )


def write_text_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so a reader never sees half a file."""
    atomic_write(path, text, errors="surrogateescape")
