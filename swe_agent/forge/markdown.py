"""Markdown that shows untrusted text as text: fences and code spans no input can close."""

from __future__ import annotations

import re

_TICKS = re.compile(r"`+")


def fence(text: str, lang: str = "") -> str:
    """``text`` in a fenced block longer than any run of backticks inside it."""
    longest = max((len(m) for m in _TICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def code(text: str) -> str:
    """``text`` on one line as a code span (no mentions, links or issue references fire),
    safe inside a table cell."""
    flat = " ".join(text.split()).replace("|", "\\|")
    longest = max((len(m) for m in _TICKS.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a marker saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}\n[... {len(text) - limit} more characters in the run folder]"


def plain(text: str) -> str:
    """One line of prose that cannot mention anyone or reference an issue by accident."""
    flat = " ".join(text.split())
    return flat.replace("@", "@\u200b").replace("#", "#\u200b")
