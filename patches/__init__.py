"""Patches: extract, parse, validate, minimise, apply and undo unified diffs in git repositories.

Imports nothing of ours. Works on diff text and on paths of real git repositories.
"""

from patches.apply import BRANCH_PREFIX, RUN_TRAILER, Applied, BranchMode, apply_patch, commit_patch
from patches.errors import (
    DirtyFiles,
    GitFailed,
    InvalidPatch,
    NotARepository,
    PatchError,
    RecordError,
    UndoRefused,
)
from patches.extract import extract_diff, snapshot_tree
from patches.minimise import DEFAULT_SCRATCH, Dropped, DropReason, Minimised, minimise
from patches.model import (
    ChangeKind,
    FileChange,
    Hunk,
    Patch,
    added_lines,
    named_paths,
    parse_patch,
)
from patches.records import (
    APPLIED_FILE,
    AppliedRecord,
    UndoInfo,
    latest_applied,
    read_record,
)
from patches.runs import PATCH_FILE, apply_run, repository_root, undo_run
from patches.sections import RawHunk, Section, slice_patch, slice_sections, split_patch
from patches.undo import Undone, undo
from patches.validate import Problem, ProblemKind, Validation, validate

__all__ = [
    "APPLIED_FILE",
    "BRANCH_PREFIX",
    "DEFAULT_SCRATCH",
    "PATCH_FILE",
    "RUN_TRAILER",
    "Applied",
    "AppliedRecord",
    "BranchMode",
    "ChangeKind",
    "DirtyFiles",
    "DropReason",
    "Dropped",
    "FileChange",
    "GitFailed",
    "Hunk",
    "InvalidPatch",
    "Minimised",
    "NotARepository",
    "Patch",
    "PatchError",
    "Problem",
    "RawHunk",
    "ProblemKind",
    "RecordError",
    "Section",
    "UndoInfo",
    "UndoRefused",
    "Undone",
    "Validation",
    "added_lines",
    "apply_patch",
    "apply_run",
    "commit_patch",
    "extract_diff",
    "latest_applied",
    "minimise",
    "named_paths",
    "parse_patch",
    "read_record",
    "repository_root",
    "slice_patch",
    "slice_sections",
    "snapshot_tree",
    "split_patch",
    "undo",
    "undo_run",
    "validate",
]
