"""The ``Patch`` value: a unified diff and what it touches, parsed with unidiff."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from patches.errors import InvalidPatch
from patches.sections import Section, split_patch, unquote_path

SYMLINK_MODE = "120000"
_DEV_NULL = "/dev/null"


class ChangeKind(StrEnum):
    """What a patch does to one file."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"


@dataclass(frozen=True)
class Hunk:
    """One hunk's position and size."""

    old_start: int
    old_len: int
    new_start: int
    new_len: int
    added: int
    removed: int


@dataclass(frozen=True)
class FileChange:
    """One file in a patch.

    ``named_paths`` holds every path the headers name, as written after the ``a/``/``b/``
    prefix (absolute paths keep their leading ``/``), so validation sees what git would see.
    """

    path: str
    old_path: str | None
    kind: ChangeKind
    added: int
    removed: int
    binary: bool
    old_mode: str | None
    new_mode: str | None
    hunks: tuple[Hunk, ...]
    named_paths: tuple[str, ...]
    symlink_target: str | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        """The repository paths this change writes or removes."""
        return tuple(dict.fromkeys(p for p in (self.old_path, self.path) if p))

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "path": self.path,
            "old_path": self.old_path,
            "kind": str(self.kind),
            "added": self.added,
            "removed": self.removed,
            "binary": self.binary,
            "hunks": len(self.hunks),
        }


@dataclass(frozen=True)
class Patch:
    """A unified diff and its files."""

    text: str
    files: tuple[FileChange, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """Every repository path the patch touches, in order, without duplicates."""
        return tuple(dict.fromkeys(p for f in self.files for p in f.paths))

    @property
    def added(self) -> int:
        """Lines added over all files."""
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        """Lines removed over all files."""
        return sum(f.removed for f in self.files)

    @property
    def hunks(self) -> int:
        """Number of hunks over all files."""
        return sum(len(f.hunks) for f in self.files)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary (no patch text)."""
        return {
            "files": [f.to_dict() for f in self.files],
            "added": self.added,
            "removed": self.removed,
            "hunks": self.hunks,
        }


def parse_patch(text: str) -> Patch:
    """Parse unified-diff text; raises ``InvalidPatch`` when it is not one."""
    _, sections = split_patch(text)
    if text.strip() and not sections:
        raise InvalidPatch("the text contains no file diff", hint="pass a unified diff")
    return Patch(text=text, files=tuple(_file_change(s) for s in sections))


def named_paths(text: str) -> tuple[str, ...]:
    """Every path the file headers name (``a/``-style prefixes dropped), read without parsing
    the hunks: a malformed patch, one only a fuzzy ``patch`` takes, still names its files."""
    _, sections = split_patch(text)
    found = (p for s in sections for group in _header_paths(s).values() for p in group)
    return tuple(dict.fromkeys(p for p in found if p != _DEV_NULL))


def added_lines(text: str, path: str) -> tuple[str, ...]:
    """The lines the patch adds to ``path`` (all of a new file), without their newlines."""
    for section in split_patch(text)[1]:
        headers = _header_paths(section)
        if _old_new(headers, added=False, removed=False)[1] == path:
            return tuple(line.rstrip("\n") for hunk in section.hunks for line in hunk.added)
    return ()


def _file_change(section: Section) -> FileChange:
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    try:
        parsed = PatchSet(section.render())
    except UnidiffParseError as exc:
        raise InvalidPatch(f"malformed diff near {section.header[0].strip()!r}: {exc}") from None
    if len(parsed) != 1:
        raise InvalidPatch(f"malformed diff near {section.header[0].strip()!r}")
    pf = parsed[0]
    headers = _header_paths(section)
    old_path, new_path = _old_new(headers, added=pf.is_added_file, removed=pf.is_removed_file)
    return FileChange(
        path=new_path or old_path or "",
        old_path=old_path if old_path != new_path else None,
        kind=_kind(old_path, new_path, added=pf.is_added_file, removed=pf.is_removed_file),
        added=pf.added,
        removed=pf.removed,
        binary=bool(pf.is_binary_file)
        or any(line.startswith("GIT binary") for line in section.header),
        old_mode=pf.source_mode,
        new_mode=pf.target_mode,
        hunks=tuple(
            Hunk(
                h.source_start, h.source_length, h.target_start, h.target_length, h.added, h.removed
            )
            for h in pf
        ),
        named_paths=tuple(dict.fromkeys(p for group in headers.values() for p in group)),
        symlink_target=_symlink_target(section, pf.target_mode),
    )


def _header_paths(section: Section) -> dict[str, list[str]]:
    """Paths named by each header kind: ``git``, ``old``, ``new``, ``from``, ``to``."""
    found: dict[str, list[str]] = {"git": [], "old": [], "new": [], "from": [], "to": []}
    for line in section.header:
        text = line.rstrip("\n").rstrip("\r")
        if text.startswith("diff --git "):
            found["git"].extend(_strip(t) for t in _git_line_tokens(text[len("diff --git ") :]))
        elif text.startswith(("--- ", "+++ ")):
            token = unquote_path(text[4:].split("\t", 1)[0])
            if token != _DEV_NULL:
                found["old" if text[0] == "-" else "new"].append(_strip(token))
        else:
            for key, prefixes in (
                ("from", ("rename from ", "copy from ")),
                ("to", ("rename to ", "copy to ")),
            ):
                for prefix in prefixes:
                    if text.startswith(prefix):
                        found[key].append(unquote_path(text[len(prefix) :]))
    return found


def _git_line_tokens(rest: str) -> list[str]:
    """The two paths of a ``diff --git`` line, quoted or not (unquoted ones may hold spaces)."""
    if rest.startswith('"'):
        end = rest.index('"', 1)
        while rest[end - 1] == "\\":
            end = rest.index('"', end + 1)
        return [unquote_path(rest[: end + 1]), unquote_path(rest[end + 1 :].strip())]
    if rest.endswith('"'):
        start = rest.index(' "')
        return [rest[:start], unquote_path(rest[start + 1 :])]
    half = len(rest) // 2  # "a/X b/X": both sides are the same length when the path is unchanged
    if rest[half : half + 1] == " " and rest[2:half] == rest[half + 3 :]:
        return [rest[:half], rest[half + 1 :]]
    first, _, second = rest.partition(" b/")
    return [first, "b/" + second] if second else [rest]


def _strip(token: str) -> str:
    """Drop the ``a/``-style prefix as ``git apply -p1`` does; absolute paths stay absolute."""
    if token.startswith("/") or "/" not in token:
        return token
    return token.split("/", 1)[1]


def _old_new(
    headers: dict[str, list[str]], *, added: bool, removed: bool
) -> tuple[str | None, str | None]:
    git = headers["git"]
    old = next(iter(headers["from"] + headers["old"] + git[:1]), None)
    new = next(iter(headers["to"] + headers["new"] + git[1:2] + git[:1]), None)
    if added:
        return None, new
    if removed:
        return old, None
    return old, new


def _kind(old: str | None, new: str | None, *, added: bool, removed: bool) -> ChangeKind:
    if added:
        return ChangeKind.ADDED
    if removed:
        return ChangeKind.DELETED
    return ChangeKind.RENAMED if old != new else ChangeKind.MODIFIED


def _symlink_target(section: Section, new_mode: str | None) -> str | None:
    if new_mode != SYMLINK_MODE:
        return None
    added = [line for hunk in section.hunks for line in hunk.added]
    return added[0].rstrip("\n") if added else None
