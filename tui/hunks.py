"""A diff as selectable hunks for review, and the patch made of the accepted ones.

Parsing and slicing are the patches package's (``parse_patch``, ``split_patch``,
``slice_sections``): this module only keys the hunks for the review app. A file with no text hunks
(binary, pure rename, mode change) is one whole-file hunk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from patches import FileChange, InvalidPatch, Section, parse_patch, slice_sections, split_patch
from tui.errors import BadRunFolder


class HunkKey(NamedTuple):
    """A hunk's place in a diff: file index, hunk index within the file."""

    file: int
    hunk: int


@dataclass(frozen=True)
class DiffHunk:
    """One hunk: its ``@@`` line as the diff has it, and its lines (each with its prefix)."""

    key: HunkKey
    header: str
    lines: tuple[str, ...]
    whole_file: bool = False  # a change with no text hunks, taken or left as a whole

    @property
    def added(self) -> int:
        """Lines added."""
        return sum(1 for line in self.lines if line.startswith("+"))

    @property
    def removed(self) -> int:
        """Lines removed."""
        return sum(1 for line in self.lines if line.startswith("-"))


@dataclass(frozen=True)
class FileDiff:
    """One file of a diff: the header text before its first hunk, and its hunks."""

    index: int
    path: str
    kind: str  # added, deleted, renamed, modified or binary
    header: str
    hunks: tuple[DiffHunk, ...]
    section: Section  # the file's diff text, as patches split it


def parse_diff(text: str) -> tuple[FileDiff, ...]:
    """Split unified-diff text into files and hunks; ``BadRunFolder`` when it is not a diff."""
    if not text.strip():
        return ()
    try:
        changes = parse_patch(text).files
    except InvalidPatch as exc:
        raise BadRunFolder(f"a diff in the run folder is malformed: {exc}") from None
    _, sections = split_patch(text)
    pairs = enumerate(zip(changes, sections, strict=True))
    return tuple(_file(index, change, section) for index, (change, section) in pairs)


def _file(index: int, change: FileChange, section: Section) -> FileDiff:
    hunks = tuple(
        DiffHunk(
            HunkKey(index, number),
            header=hunk.head.rstrip("\n"),
            lines=tuple(line.rstrip("\n") for line in hunk.lines),
        )
        for number, hunk in enumerate(section.hunks)
    )
    if not hunks:
        hunks = (DiffHunk(HunkKey(index, 0), header="", lines=(), whole_file=True),)
    kind = "binary" if change.binary else str(change.kind)
    return FileDiff(index, change.path, kind, "".join(section.header), hunks, section)


def all_keys(files: tuple[FileDiff, ...]) -> tuple[HunkKey, ...]:
    """Every hunk's key, in diff order."""
    return tuple(h.key for f in files for h in f.hunks)


def build_patch(files: tuple[FileDiff, ...], accepted: Collection[HunkKey]) -> str:
    """The patch made of the accepted hunks only, renumbered so it applies to the base."""
    keep = {(key.file, key.hunk) for key in accepted}
    return slice_sections([f.section for f in files], keep)
