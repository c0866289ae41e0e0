"""Apply and undo by run: the ``<repo>/.swe-agent/runs/<run-id>/`` folders the tool writes."""

from __future__ import annotations

import json
from pathlib import Path

from patches._git import open_repo
from patches.apply import Applied, BranchMode, apply_patch
from patches.errors import RecordError
from patches.records import APPLIED_FILE, latest_applied, read_record, run_dir_for
from patches.undo import Undone, undo

PATCH_FILE = "patch.diff"
REPORT_FILE = "report.json"


def apply_run(
    repo_dir: Path | str,
    run: str,
    *,
    branch: BranchMode | str | None = None,
    allow_binary: bool = False,
) -> Applied:
    """Apply ``<run>/patch.diff`` to the repository as one commit and write ``applied.json``."""
    root = open_repo(repo_dir).root
    run_dir = run_dir_for(root, run)
    _refuse_applied_twice(run_dir)
    text = _patch_text(run_dir)
    return apply_patch(
        root,
        text,
        run_id=run_dir.name,
        message=_message(run_dir),
        run_dir=run_dir,
        branch=branch,
        allow_binary=allow_binary,
    )


def undo_run(repo_dir: Path | str, run: str | None = None) -> Undone:
    """Undo the change applied by ``run`` (default: the latest applied run not undone yet)."""
    root = open_repo(repo_dir).root
    record = latest_applied(root) if run is None else run_dir_for(root, run) / APPLIED_FILE
    if not record.is_file():
        raise RecordError(
            f"run {record.parent.name} was never applied ({record} does not exist)",
            hint="nothing to undo; `swe-agent apply RUN` applies a run",
        )
    return undo(root, record)


def _refuse_applied_twice(run_dir: Path) -> None:
    path = run_dir / APPLIED_FILE
    if path.is_file():
        record = read_record(path)
        if record.undone is None:
            raise RecordError(
                f"run {run_dir.name} is already applied as {record.commit[:12]}",
                hint=f"undo it first: {record.undo_command}",
            )


def _patch_text(run_dir: Path) -> str:
    path = run_dir / PATCH_FILE
    if not path.is_file():
        raise RecordError(
            f"run {run_dir.name} has no {PATCH_FILE}",
            hint="the run did not finish with a patch; see its report.json",
        )
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def _message(run_dir: Path) -> str:
    """The commit message: the run's summary from report.json when there is one."""
    title = f"swe-agent: apply the patch of run {run_dir.name}"
    try:
        report = json.loads((run_dir / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return title
    summary = report.get("summary") if isinstance(report, dict) else None
    if isinstance(summary, str) and summary.strip():
        return f"{title}\n\n{summary.strip()}"
    return title
