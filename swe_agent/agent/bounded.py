"""Bounds on what goes to the model: a long text keeps its head and tail, with a note between."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clipped:
    """A text as the model is shown it, and how much of the original was left out."""

    text: str
    left_out: int = 0  # characters of the original that ``text`` does not hold

    @property
    def clipped(self) -> bool:
        return self.left_out > 0


def clip_middle(text: str, *, limit: int, what: str = "the text", head: float = 0.75) -> Clipped:
    """``text`` when it fits ``limit`` characters, else its head and tail (``head`` of the
    limit first) cut at line ends when one is near, with a note saying what was left out."""
    if len(text) <= limit:
        return Clipped(text)
    first = _cut_before(text, int(limit * head))
    last = _cut_after(text, len(text) - (limit - len(first)))
    left_out = len(text) - len(first) - len(last)
    note = f"\n\n[... {left_out:,} characters of {what} are left out here ...]\n\n"
    return Clipped(first.rstrip("\n") + note + last.lstrip("\n"), left_out)


def _cut_before(text: str, end: int) -> str:
    """``text[:end]``, shortened to the last line end in its final fifth when there is one."""
    newline = text.rfind("\n", end - end // 5, end)
    return text[: newline + 1] if newline > 0 else text[:end]


def _cut_after(text: str, start: int) -> str:
    """``text[start:]``, started at the next line end in the following fifth when there is one."""
    span = (len(text) - start) // 5
    newline = text.find("\n", start, start + span)
    return text[newline + 1 :] if newline >= 0 else text[start:]
