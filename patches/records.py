"""``applied.json``: what was applied to a repository and how to undo it, written atomically."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import atomic_write
from patches.errors import RecordError, UndoRefused

APPLIED_FILE = "applied.json"


@dataclass(frozen=True)
class UndoInfo:
    """How an applied change was undone."""

    at: str
    method: str  # "reset", "revert" or "delete-branch"
    head_before: str
    head_after: str
    commit: str | None = None  # the revert commit, when one was made


@dataclass(frozen=True)
class AppliedRecord:
    """One applied patch: enough to show it, and to undo exactly it."""

    run_id: str
    repo: str
    branch: str | None  # the branch holding the commit; None when HEAD was detached
    branch_mode: str  # "current" or "new"
    previous_branch: str | None
    previous_head: str
    commit: str
    files: tuple[str, ...]
    message: str
    applied_at: str
    undo_command: str
    undone: UndoInfo | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return dataclasses.asdict(self) | {"files": list(self.files)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppliedRecord:
        """Build from the JSON form; raises ``RecordError`` when fields are missing or wrong."""
        try:
            undone = data.get("undone")
            fields = {f.name for f in dataclasses.fields(cls)}
            return cls(
                **{k: v for k, v in data.items() if k in fields and k not in ("files", "undone")},
                files=tuple(str(p) for p in data["files"]),
                undone=UndoInfo(**undone) if undone else None,
            )
        except (KeyError, TypeError) as exc:
            raise RecordError(f"{APPLIED_FILE} is incomplete: {exc}") from None


def write_record(run_dir: Path, record: AppliedRecord) -> Path:
    """Write ``run_dir/applied.json`` atomically and return its path."""
    path = run_dir / APPLIED_FILE
    write_json_atomic(path, record.to_dict())
    return path


def read_record(path: Path) -> AppliedRecord:
    """Load an ``applied.json``; raises ``RecordError`` when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(
            f"{path} does not exist", hint="apply the run first (swe-agent apply RUN)"
        ) from None
    except (OSError, ValueError) as exc:
        raise RecordError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise RecordError(f"{path} is not a JSON object")
    return AppliedRecord.from_dict(data)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` whole or not at all, synced to disk (an undo depends on it)."""
    atomic_write(path, json.dumps(data, indent=2) + "\n", durable=True)


def latest_applied(run_dirs: Iterable[Path]) -> Path:
    """The ``applied.json`` of the most recently applied run not undone yet, among ``run_dirs``
    (the caller's run folders: patches does not decide where runs live)."""
    candidates = []
    for run_dir in run_dirs:
        path = run_dir / APPLIED_FILE
        if path.is_file():
            record = read_record(path)
            if record.undone is None:
                # applied_at has whole seconds; the file time orders two runs applied in one
                candidates.append((record.applied_at, path.stat().st_mtime_ns, run_dir.name, path))
    if not candidates:
        raise UndoRefused(
            "no applied run to undo",
            hint="name the run: swe-agent undo RUN_ID (see the run folders in .swe-agent/runs)",
        )
    return max(candidates)[3]
