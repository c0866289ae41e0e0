"""``applied.json``: what was applied to a repository and how to undo it, written atomically."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import atomic_write
from patches.errors import RecordError, UndoRefused

APPLIED_FILE = "applied.json"
RUNS_DIR = Path(".swe-agent") / "runs"


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


def run_dir_for(repo_root: Path, run: str) -> Path:
    """The folder of run ``run``: its id, a unique prefix of its id, or a path to the folder."""
    runs = repo_root / RUNS_DIR
    simple = bool(run) and "/" not in run and run not in (".", "..")
    if simple and run in committed_runs(repo_root):
        raise RecordError(
            f"run {run!r} is committed to the repository: not a run of this tool",
            hint="run folders this tool writes are git-ignored; pass one of those",
        )
    if simple and (runs / run).is_dir():
        return runs / run
    given = Path(run).expanduser()
    if run and given.is_dir():
        return given
    matches = [p for p in _run_dirs(runs) if simple and p.name.startswith(run)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(p.name for p in _run_dirs(runs)[-5:]) or "none"
    reason = "matches several runs" if matches else "is not a run"
    raise RecordError(
        f"{run!r} {reason} in {runs}", hint=f"pass a run id or its folder; latest runs: {known}"
    )


def latest_applied(repo_root: Path) -> Path:
    """The ``applied.json`` of the most recently applied run that is not undone yet."""
    runs = repo_root / RUNS_DIR
    candidates = []
    for run_dir in _run_dirs(runs):
        path = run_dir / APPLIED_FILE
        if path.is_file():
            record = read_record(path)
            if record.undone is None:
                # applied_at has whole seconds; the file time orders two runs applied in one
                candidates.append((record.applied_at, path.stat().st_mtime_ns, run_dir.name, path))
    if not candidates:
        raise UndoRefused(
            f"no applied run to undo in {runs}",
            hint="name the run: swe-agent undo RUN_ID (see the run folders in .swe-agent/runs)",
        )
    return max(candidates)[3]


def committed_runs(repo_root: Path) -> set[str]:
    """Run folders git tracks files in: they came with the repository (anyone can commit a
    ``.swe-agent/``), while this tool's own run folders are git-ignored."""
    from patches._git import Git

    done = Git(repo_root).run("ls-files", "-z", "--", str(RUNS_DIR), check=False)
    if done.returncode != 0:
        return set()
    paths = [Path(os.fsdecode(p)) for p in done.stdout.split(b"\0") if p]
    return {p.relative_to(RUNS_DIR).parts[0] for p in paths if p.is_relative_to(RUNS_DIR)}


def _run_dirs(runs: Path) -> list[Path]:
    """This tool's run folders under ``runs`` (those git tracks are not)."""
    if not runs.is_dir():
        return []
    committed = committed_runs(runs.parents[1])
    return sorted(p for p in runs.iterdir() if p.is_dir() and p.name not in committed)
