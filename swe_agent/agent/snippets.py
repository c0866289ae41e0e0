"""What the first message shows: the code most likely to need the change, whole, within a budget.

Localization ranks the test that exercises a bug next to (often above) the code that has it; a
small model shown only tests rewrites the function from imagination. So the source comes first
and the tests after it, unless the issue is about the tests themselves; whole functions, as many
as fit in the character budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from common import is_test_path

T = TypeVar("T")

_PATH = re.compile(r"[\w./-]+\.py\b")
_ABOUT_TESTS = re.compile(
    r"\b(add|adds|adding|write|missing|flaky|update|improve|fix(?:es|ing)?)\s+"
    r"(?:a\s+|the\s+|some\s+|more\s+|unit\s+)*tests?\b"
    r"|\btests?(?:\s+(?:for|of)\s+\S+)?\s+(?:is|are)\s+(?:wrong|flaky|incorrect|broken)\b"
    r"|\bflaky\b",
    re.IGNORECASE,
)


def about_tests(issue: str) -> bool:
    """True when the issue asks to change tests: it names only test files, or says so.

    An issue that names a failing test next to a source file ("pytest tests/test_x.py fails")
    is about the source.
    """
    paths = _PATH.findall(issue)
    if paths:
        return all(is_test_path(p) for p in paths)
    first_lines = "\n".join(issue.strip().splitlines()[:3])
    return bool(_ABOUT_TESTS.search(first_lines))


def source_first(items: Sequence[T], *, path_of: Callable[[T], str], tests_first: bool) -> list[T]:
    """``items`` with source before tests (the reverse when ``tests_first``), ranks kept."""
    tests = [i for i in items if is_test_path(path_of(i))]
    source = [i for i in items if not is_test_path(path_of(i))]
    return [*tests, *source] if tests_first else [*source, *tests]


def fit_whole(texts: Sequence[str], *, budget_chars: int, limit: int) -> list[str]:
    """The first ``limit`` texts that fit whole in ``budget_chars`` together, in order.

    A text that does not fit is skipped for a later, shorter one; the first is always kept,
    cut to the budget with a marker when it alone exceeds it.
    """
    chosen: list[str] = []
    used = 0
    for text in texts:
        if len(chosen) >= limit:
            break
        if not chosen and len(text) > budget_chars:
            chosen.append(_cut(text, budget_chars))
            used = budget_chars
        elif used + len(text) <= budget_chars:
            chosen.append(text)
            used += len(text)
    return chosen


def _cut(text: str, limit: int) -> str:
    lines = text.splitlines()
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join([*kept, f"[... {len(lines) - len(kept)} more lines: view() the rest ...]"])
