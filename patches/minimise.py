"""Drop what a reviewer would not want in a fix: whitespace-only hunks and scratch files."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from patches.model import ChangeKind, FileChange, parse_patch
from patches.sections import RawHunk, Section, split_patch

# Files an agent leaves behind while working. A pattern without "/" matches top-level files
# only; "**/" matches at any depth; a trailing "/" names a directory and everything below it.
DEFAULT_SCRATCH: tuple[str, ...] = (
    "reproduce*.py",
    "repro*.py",
    "test_issue*.py",
    "scratch/",
    "**/*.orig",
    "**/*.rej",
    "**/*.pyc",
    "**/__pycache__/",
    "**/.pytest_cache/",
)

# Leading whitespace changes meaning in these files, so a re-indent is never "only whitespace".
_INDENT_SENSITIVE = (".py", ".pyi", ".pyx", ".yaml", ".yml", "Makefile", ".mk", ".nim", ".hs")


class DropReason(StrEnum):
    """Why part of a patch was dropped."""

    SCRATCH_FILE = "scratch_file"
    WHITESPACE_ONLY = "whitespace_only"


@dataclass(frozen=True)
class Dropped:
    """A part of the patch that minimisation removed."""

    path: str
    reason: DropReason
    hunk: int | None = None  # index of the hunk in the file, None for the whole file


@dataclass(frozen=True)
class Minimised:
    """The smaller patch and what was taken out of it."""

    text: str
    dropped: tuple[Dropped, ...]

    @property
    def changed(self) -> bool:
        """True when anything was dropped."""
        return bool(self.dropped)


def minimise(
    patch_text: str,
    *,
    keep: Sequence[str] = (),
    scratch: Sequence[str] = DEFAULT_SCRATCH,
) -> Minimised:
    """Drop whitespace-only hunks and newly added scratch files, unless a ``keep`` pattern matches.

    Only files the patch adds count as scratch: edits to files that already exist are real work.
    Whitespace-only means the hunk differs only in trailing whitespace and blank lines (and, in
    files where indentation has no meaning, leading whitespace).
    """
    preamble, sections = split_patch(patch_text)
    changes = parse_patch(patch_text).files
    parts, dropped = [preamble], []
    for section, change in zip(sections, changes, strict=True):
        kept = _matches_any(change.path, keep)
        if not kept and change.kind == ChangeKind.ADDED and _matches_any(change.path, scratch):
            dropped.append(Dropped(change.path, DropReason.SCRATCH_FILE))
            continue
        text, gone = _minimise_section(section, change, kept=kept)
        parts.append(text)
        dropped += gone
    return Minimised("".join(parts), tuple(dropped))


def _minimise_section(
    section: Section, change: FileChange, *, kept: bool
) -> tuple[str, list[Dropped]]:
    if kept or change.kind != ChangeKind.MODIFIED or change.new_mode != change.old_mode:
        return section.render(), []
    sensitive = change.path.endswith(_INDENT_SENSITIVE)
    hunks, dropped = [], []
    for i, hunk in enumerate(section.hunks):
        if _whitespace_only(hunk, indent_sensitive=sensitive):
            dropped.append(Dropped(change.path, DropReason.WHITESPACE_ONLY, hunk=i))
        else:
            hunks.append(hunk)
    if not dropped:
        return section.render(), []
    if not hunks:
        return "", [Dropped(change.path, DropReason.WHITESPACE_ONLY)]
    return section.render(tuple(hunks)), dropped


def _whitespace_only(hunk: RawHunk, *, indent_sensitive: bool) -> bool:
    if _no_newline_changed(hunk):
        return False

    def norm(lines: tuple[str, ...]) -> list[str]:
        stripped = (line.rstrip() if indent_sensitive else line.strip() for line in lines)
        return [line for line in stripped if line]

    return norm(hunk.removed) == norm(hunk.added)


def _no_newline_changed(hunk: RawHunk) -> bool:
    """True when the hunk adds or removes the file's final newline: a change made on purpose."""
    old_lacks = new_lacks = False
    for before, line in zip(hunk.lines, hunk.lines[1:], strict=False):
        if line.startswith("\\"):
            old_lacks |= before[:1] in (" ", "-")
            new_lacks |= before[:1] in (" ", "+")
    return old_lacks != new_lacks


def _matches_any(path: str, patterns: Sequence[str]) -> bool:
    return any(_matches(path, pattern) for pattern in patterns)


def _matches(path: str, pattern: str) -> bool:
    """Match a repository path against one pattern (see ``DEFAULT_SCRATCH``)."""
    anywhere = pattern.startswith("**/")
    pattern = pattern.removeprefix("**/")
    parts = path.split("/")
    if pattern.endswith("/"):
        dirs = parts[:-1] if anywhere else parts[:1] if len(parts) > 1 else []
        return any(fnmatch.fnmatchcase(d, pattern.rstrip("/")) for d in dirs)
    width = pattern.count("/") + 1
    if anywhere:
        return fnmatch.fnmatchcase("/".join(parts[-width:]), pattern)
    return len(parts) == width and fnmatch.fnmatchcase(path, pattern)
