"""Apply and undo by run folder (``patch.diff``, ``report.json``, ``applied.json``); where run
folders live and how one is found is swe_agent.runs' business: callers pass the folder."""

from __future__ import annotations

import json
from pathlib import Path

from patches._git import open_repo
from patches.apply import Applied, BranchMode, apply_patch
from patches.errors import RecordError
from patches.records import APPLIED_FILE, read_record
from patches.undo import Undone, undo

PATCH_FILE = "patch.diff"
REPORT_FILE = "report.json"


def apply_run(
    repo_dir: Path | str,
    run_dir: Path,
    *,
    undo_ref: str | None = None,
    branch: BranchMode | str | None = None,
    allow_binary: bool = False,
) -> Applied:
    """Apply ``run_dir/patch.diff`` to the repository as one commit and write ``applied.json``;
    ``undo_ref`` as in ``apply_patch``."""
    root = open_repo(repo_dir).root
    _refuse_applied_twice(run_dir)
    text = _patch_text(run_dir)
    return apply_patch(
        root,
        text,
        message=_message(run_dir),
        run_dir=run_dir,
        undo_ref=undo_ref,
        branch=branch,
        allow_binary=allow_binary,
    )


def undo_run(repo_dir: Path | str, run_dir: Path) -> Undone:
    """Undo the change applied from ``run_dir`` (``latest_applied`` finds the latest one)."""
    root = open_repo(repo_dir).root
    record = run_dir / APPLIED_FILE
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


def repository_root(path: Path | str) -> Path:
    """The top level of the git repository holding ``path``; ``NotARepository`` when none."""
    return open_repo(path).root
