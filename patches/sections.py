"""Split unified-diff text into per-file sections and hunks, keeping every byte.

unidiff answers questions about a patch; this module keeps the raw text of each file and hunk
so that minimisation can drop parts and render a patch that ``git apply`` still accepts
(including binary sections, which unidiff does not keep).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$", re.DOTALL)
_C_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, '"': 34, "\\": 92}


@dataclass(frozen=True)
class RawHunk:
    """One hunk exactly as written: its header numbers and its body lines (with newlines)."""

    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str
    lines: tuple[str, ...]
    head: str = ""  # the header line exactly as written

    def render(self, *, new_start: int | None = None) -> str:
        """The hunk as text, optionally moved to another start line in the new file."""
        if self.head and new_start in (None, self.new_start):
            return self.head + "".join(self.lines)
        start = self.new_start if new_start is None else new_start
        old, new = _range(self.old_start, self.old_len), _range(start, self.new_len)
        return f"@@ -{old} +{new} @@{self.section}" + "".join(self.lines)

    @property
    def removed(self) -> tuple[str, ...]:
        """Removed lines, without the leading ``-``."""
        return tuple(line[1:] for line in self.lines if line.startswith("-"))

    @property
    def added(self) -> tuple[str, ...]:
        """Added lines, without the leading ``+``."""
        return tuple(line[1:] for line in self.lines if line.startswith("+"))


@dataclass(frozen=True)
class Section:
    """The part of a patch about one file: header lines, hunks, and any stray trailing lines."""

    header: tuple[str, ...]
    hunks: tuple[RawHunk, ...] = ()
    trailer: tuple[str, ...] = ()

    def render(self, hunks: tuple[RawHunk, ...] | None = None) -> str:
        """The section as text, with ``hunks`` (start lines re-based) instead of its own."""
        chosen = self.hunks if hunks is None else hunks
        shift, parts = 0, ["".join(self.header)]
        for hunk in chosen:
            parts.append(hunk.render(new_start=_rebased_start(hunk, shift)))
            shift += hunk.new_len - hunk.old_len
        parts.append("".join(self.trailer))
        return "".join(parts)


def _range(start: int, length: int) -> str:
    return str(start) if length == 1 else f"{start},{length}"


def _rebased_start(hunk: RawHunk, shift: int) -> int:
    # An empty side names the line before the change, so count from the first real line.
    first_old = hunk.old_start if hunk.old_len else hunk.old_start + 1
    first_new = first_old + shift
    return first_new if hunk.new_len else first_new - 1


@dataclass
class _Builder:
    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    header: list[str] | None = None
    hunks: list[RawHunk] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.header is not None:
            self.sections.append(
                Section(tuple(self.header), tuple(self.hunks), tuple(self.trailer))
            )
        self.header, self.hunks, self.trailer = None, [], []

    def stray(self, line: str) -> None:
        if self.header is None:
            self.preamble.append(line)
        elif self.hunks:
            self.trailer.append(line)
        else:
            self.header.append(line)


def split_patch(text: str) -> tuple[str, tuple[Section, ...]]:
    """The text before the first file (e.g. a mail header) and one ``Section`` per file."""
    lines = _lines(text)
    out = _Builder()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git ") or _starts_plain_diff(lines, i, out):
            out.close()
            out.header = [line]
        elif line.startswith("@@ ") and out.header is not None and _HUNK_RE.match(line):
            hunk, i = _read_hunk(lines, i)
            out.hunks.append(hunk)
            continue
        else:
            out.stray(line)
        i += 1
    out.close()
    return "".join(out.preamble), tuple(out.sections)


def slice_patch(text: str, keep: Collection[tuple[int, int]]) -> str:
    """The patch made of the kept hunks only, each a (file index, hunk index) pair, re-based so
    ``git apply`` takes it without offsets or fuzz. A file with no text hunks (binary, pure
    rename, mode change) is kept whole as (its index, 0)."""
    return slice_sections(split_patch(text)[1], keep)


def slice_sections(sections: Sequence[Section], keep: Collection[tuple[int, int]]) -> str:
    """``slice_patch`` on sections ``split_patch`` made."""
    parts = []
    for index, section in enumerate(sections):
        if not section.hunks:
            parts.append(section.render() if (index, 0) in keep else "")
            continue
        kept = tuple(h for number, h in enumerate(section.hunks) if (index, number) in keep)
        parts.append(section.render(kept) if kept else "")
    return "".join(parts)


def _lines(text: str) -> list[str]:
    """Lines ending at "\n" only, as git and unidiff read them (str.splitlines also breaks at
    "\r", form feeds and other separators that are ordinary bytes inside a diff)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _starts_plain_diff(lines: list[str], i: int, out: _Builder) -> bool:
    """A ``---``/``+++`` pair that is not already part of a ``diff --git`` header."""
    if not (lines[i].startswith("--- ") and i + 1 < len(lines)):
        return False
    if not lines[i + 1].startswith("+++ "):
        return False
    in_git_header = out.header is not None and not out.hunks and out.header[0].startswith("diff ")
    return not in_git_header


def _read_hunk(lines: list[str], i: int) -> tuple[RawHunk, int]:
    match = _HUNK_RE.match(lines[i])
    assert match is not None  # the caller matched this line already
    old_start, old_len, new_start, new_len = (
        int(g) if g is not None else 1 for g in match.groups()[:4]
    )
    body: list[str] = []
    old_left, new_left = old_len, new_len
    j = i + 1
    while j < len(lines) and (old_left > 0 or new_left > 0):
        kind = lines[j][:1]
        if kind in (" ", "\n", "\r"):
            old_left, new_left = old_left - 1, new_left - 1
        elif kind == "-":
            old_left -= 1
        elif kind == "+":
            new_left -= 1
        elif kind != "\\":
            break
        body.append(lines[j])
        j += 1
    while j < len(lines) and lines[j].startswith("\\"):
        body.append(lines[j])
        j += 1
    hunk = RawHunk(old_start, old_len, new_start, new_len, match.group(5), tuple(body), lines[i])
    return hunk, j


def unquote_path(token: str) -> str:
    """A path as git wrote it, with C-style quoting (``"a/\\303\\251.txt"``) undone."""
    if not (len(token) >= 2 and token.startswith('"') and token.endswith('"')):
        return token
    body, raw, i = token[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 >= len(body):
            raw += char.encode("utf-8")
            i += 1
        elif body[i + 1] in _C_ESCAPES:
            raw.append(_C_ESCAPES[body[i + 1]])
            i += 2
        elif body[i + 1 : i + 4].isdigit():
            raw.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            raw += body[i + 1].encode("utf-8")
            i += 2
    return raw.decode("utf-8", errors="surrogateescape")
