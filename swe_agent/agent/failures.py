"""The part of a pytest run a model should read: the first failure, whole, and the others' lines."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^=+ (.+?) =+$", re.MULTILINE)
_SECTION = re.compile(r"^_{3,} (.+?) _{3,}$", re.MULTILINE)
_SUMMARY_FAIL = re.compile(r"^(?:FAILED|ERROR) .+$", re.MULTILINE)


def failure_report(output: str, *, limit: int = 1800, others: int = 6) -> str:
    """The first failure's section of a pytest report and the summary lines of a few others.

    Empty when the output shows no failure. The result stays within about ``limit`` characters:
    a long section keeps its head and its tail (where the assertion is).
    """
    section = _first_failure(output)
    lines = _SUMMARY_FAIL.findall(output)
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


def _first_failure(output: str) -> str:
    """The text of the first ``____ test ____`` section under FAILURES (or ERRORS)."""
    for header in _HEADER.finditer(output):
        if header.group(1) not in ("FAILURES", "ERRORS"):
            continue
        body = output[header.end() :]
        following = _HEADER.search(body)
        body = body[: following.start()] if following else body
        sections = list(_SECTION.finditer(body))
        if not sections:
            return body.strip()
        end = sections[1].start() if len(sections) > 1 else len(body)
        return body[sections[0].start() : end].strip()
    return ""


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: its head and its tail around a marker."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 5
    tail = limit - head
    cut = len(text) - head - tail
    return f"{text[:head]}\n[... {cut} characters cut ...]\n{text[-tail:]}"
