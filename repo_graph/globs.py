"""Exclude globs over POSIX paths: ``**`` spans folders, ``*`` and ``?`` stay inside one."""

from __future__ import annotations

import re
from collections.abc import Iterable


def glob_regex(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex matching a POSIX path against any of the globs (``**`` spans directories)."""
    parts = []
    for pattern in patterns:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("/**", i) and i + 3 == len(pattern):
                out, i = out + "(?:/.*)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        parts.append(out)
    return re.compile("|".join(f"(?:{p})" for p in parts) + r"\Z" if parts else r"(?!x)x")


class Excluder:
    """Matches POSIX paths against exclude globs; ``**/name/**`` and ``**/*.ext`` forms take
    a set lookup instead of the regex, which matters on trees of thousands of directories."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.dirs: set[str] = set()
        suffixes: list[str] = []
        rest: list[str] = []
        for pattern in patterns:
            middle = pattern[3:-3] if pattern.startswith("**/") and pattern.endswith("/**") else ""
            tail = pattern[4:] if pattern.startswith("**/*") else ""
            if middle and not any(c in middle for c in "*?[/"):
                self.dirs.add(middle)
            elif tail and not any(c in tail for c in "*?[/"):
                suffixes.append(tail)
            else:
                rest.append(pattern)
        self.suffixes = tuple(suffixes)
        self.regex = glob_regex(rest) if rest else None

    def excluded_dir(self, path: str) -> str | None:
        """The outermost excluded directory above a file (``"a/vendor/"``), if any."""
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directory = "/".join(parts[:depth]) + "/"
            if self.match(directory):
                return directory
        return None

    def match_entry(self, path: str, name: str, *, is_dir: bool) -> bool:
        """Like :meth:`match` during a walk, whose ancestors were already checked."""
        if is_dir:
            if name in self.dirs:
                return True
            path += "/"
        elif self.suffixes and name.endswith(self.suffixes):
            return True
        return bool(self.regex and self.regex.match(path))

    def match(self, path: str) -> bool:
        """True when the path (a directory when it ends with ``/``) is excluded."""
        parts = path.rstrip("/").split("/")
        if self.dirs.intersection(parts[:-1] if not path.endswith("/") else parts):
            return True
        if not path.endswith("/") and self.suffixes and parts[-1].endswith(self.suffixes):
            return True
        return bool(self.regex and self.regex.match(path))
