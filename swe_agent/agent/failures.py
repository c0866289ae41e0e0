"""The part of a pytest run a model should read: the first failure, whole, and the others' lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^=+ (.+?) =+$", re.MULTILINE)
_SECTION = re.compile(r"^_{3,} (.+?) _{3,}$", re.MULTILINE)
_SUMMARY_FAIL = re.compile(r"^(?:FAILED|ERROR) .+$", re.MULTILINE)


def failure_report(
    output: str, *, limit: int = 1800, others: int = 6, about: Sequence[str] = ()
) -> str:
    """The first failure's section of a pytest report and the summary lines of a few others.

    Empty when the output shows no failure. The result stays within about ``limit`` characters:
    a long section keeps its head and its tail (where the assertion is). With ``about`` (the
    names and files of the code under repair), only failures whose section names one of them
    count: a suite's other failures (a test the environment breaks) say nothing about that code.
    """
    sections = _failure_sections(output)
    lines = _SUMMARY_FAIL.findall(output)
    if about:
        sections = [(title, body) for title, body in sections if mentions(body, about)]
        kept = {test_name(title) for title, _ in sections}
        lines = [line for line in lines if test_name(line.split(" - ")[0]) in kept]
    section = sections[0][1] if sections else ""
    if not section and not lines:
        return ""
    parts = []
    if section:
        parts.append(clip(section, limit - min(limit // 3, 80 * others)))
    if len(lines) > 1:
        shown = [line[:160] for line in lines[:others]]
        more = f"\n... and {len(lines) - others} more" if len(lines) > others else ""
        parts.append(f"{len(lines)} failing:\n" + "\n".join(shown) + more)
    elif lines and not section:
        parts.append(lines[0][:300])
    return "\n\n".join(parts)


def failing_about(output: str, about: Sequence[str]) -> set[str]:
    """The names (as `test_name` gives them) of the failures whose section names one of
    ``about``; a failure whose section the output does not hold counts as not naming it."""
    return {test_name(title) for title, body in _failure_sections(output) if mentions(body, about)}


def mentions(text: str, names: Sequence[str]) -> bool:
    """True when ``text`` holds one of ``names`` as a whole word (a path: anywhere)."""
    for name in names:
        if "/" in name or "." in name:
            if name in text:
                return True
        elif re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            return True
    return False


def _failure_sections(output: str) -> list[tuple[str, str]]:
    """Each ``____ test ____`` section under FAILURES and ERRORS: its title and its text."""
    found: list[tuple[str, str]] = []
    for header in _HEADER.finditer(output):
        if header.group(1) not in ("FAILURES", "ERRORS"):
            continue
        body = output[header.end() :]
        following = _HEADER.search(body)
        body = body[: following.start()] if following else body
        heads = list(_SECTION.finditer(body))
        if not heads and body.strip():
            found.append(("", body.strip()))
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(body)
            found.append((head.group(1), body[head.start() : end].strip()))
    return found


def test_name(text: str) -> str:
    """A test's own name from a section title (Class.test_x) or a summary id (f.py::C::test_x)."""
    text = text.split(" ", 1)[1] if text.startswith(("FAILED ", "ERROR ")) else text
    return re.split(r"::|\.(?![^\[]*\])", text.strip())[-1]


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: its head and its tail around a marker."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 5
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n[... {cut} characters cut ...]\n{text[-tail:]}"
