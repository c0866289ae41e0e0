"""A diff split into selectable hunks, and the patch made of the accepted ones (pure functions).

``build_patch`` keeps each kept hunk's old-side numbers and shifts its new-side start by the
line counts of the hunks dropped before it in the same file, so ``git apply`` takes the subset
without offsets or fuzz. A file that has no text hunks (binary, pure rename, mode change) is one
whole-file hunk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from tui.errors import BadRunFolder

if TYPE_CHECKING:
    from unidiff import PatchedFile


class HunkKey(NamedTuple):
    """A hunk's place in a diff: file index, hunk index within the file."""

    file: int
    hunk: int


@dataclass(frozen=True)
class DiffHunk:
    """One hunk: its header numbers and its lines (each with its ``+``/``-``/space prefix)."""

    key: HunkKey
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str
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

    @property
    def header(self) -> str:
        """The ``@@`` line, numbered as in the node's full diff."""
        tail = f" {self.section}" if self.section else ""
        return f"@@ -{self.old_start},{self.old_len} +{self.new_start},{self.new_len} @@{tail}"


@dataclass(frozen=True)
class FileDiff:
    """One file of a diff: the header text before its first hunk, and its hunks."""

    index: int
    path: str
    kind: str  # added, deleted, renamed, modified or binary
    header: str
    hunks: tuple[DiffHunk, ...]


def parse_diff(text: str) -> tuple[FileDiff, ...]:
    """Split unified-diff text into files and hunks; ``BadRunFolder`` when it is not a diff."""
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    if not text.strip():
        return ()
    try:
        parsed = PatchSet(text)
    except UnidiffParseError as exc:
        raise BadRunFolder(f"a diff in the run folder is malformed: {exc}") from None
    return tuple(_file(index, patched) for index, patched in enumerate(parsed))


def _file(index: int, patched: PatchedFile) -> FileDiff:
    full = str(patched)
    hunks_text = "".join(str(h) for h in patched)
    header = full[: len(full) - len(hunks_text)]
    hunks = tuple(
        DiffHunk(
            key=HunkKey(index, i),
            old_start=h.source_start,
            old_len=h.source_length,
            new_start=h.target_start,
            new_len=h.target_length,
            section=h.section_header,
            lines=tuple(str(line).rstrip("\n") for line in h),
        )
        for i, h in enumerate(patched)
    )
    if not hunks:
        hunks = (DiffHunk(HunkKey(index, 0), 0, 0, 0, 0, "", (), whole_file=True),)
    return FileDiff(index, str(patched.path), _kind(patched), header, hunks)


def _kind(patched: PatchedFile) -> str:
    for flag, name in (
        ("is_binary_file", "binary"),
        ("is_added_file", "added"),
        ("is_removed_file", "deleted"),
        ("is_rename", "renamed"),
    ):
        if getattr(patched, flag, False):
            return name
    return "modified"


def all_keys(files: tuple[FileDiff, ...]) -> tuple[HunkKey, ...]:
    """Every hunk's key, in diff order."""
    return tuple(h.key for f in files for h in f.hunks)


def build_patch(files: tuple[FileDiff, ...], accepted: Collection[HunkKey]) -> str:
    """The patch made of the accepted hunks only, renumbered so it applies to the base."""
    parts: list[str] = []
    for diff in files:
        kept = [h for h in diff.hunks if h.key in accepted]
        if not kept:
            continue
        parts.append(diff.header)
        if kept[0].whole_file:
            continue
        dropped_shift = 0
        for hunk in diff.hunks:
            if hunk.key not in accepted:
                dropped_shift += hunk.new_len - hunk.old_len
                continue
            parts.append(_render(hunk, new_start=hunk.new_start - dropped_shift))
    return "".join(parts)


def _render(hunk: DiffHunk, *, new_start: int) -> str:
    tail = f" {hunk.section}" if hunk.section else ""
    head = f"@@ -{hunk.old_start},{hunk.old_len} +{new_start},{hunk.new_len} @@{tail}\n"
    return head + "".join(line + "\n" for line in hunk.lines)
