"""The module index: which file a dotted module name means, from where it is imported."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable


class ModuleIndex:
    """Dotted module names -> files; packages through ``__init__.py``; src/ layouts."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = frozenset(paths)
        packages = {posixpath.dirname(p) for p in self.paths if p.endswith("/__init__.py")}
        self.names: dict[str, list[str]] = {}
        for path in sorted(self.paths):
            for name in module_names(path, packages):
                self.names.setdefault(name, []).append(path)

    def lookup(self, name: str, importer: str) -> str | None:
        """The file of module ``name``; among several, the one nearest the importer."""
        found = self.names.get(name)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        return max(found, key=lambda p: (len(posixpath.commonpath([p, importer])), -len(p)))

    def file_at(self, base: str) -> str | None:
        """The module file at a path without suffix: ``base.py`` or ``base/__init__.py``."""
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            candidate = candidate.lstrip("/")
            if candidate in self.paths:
                return candidate
        return None


def module_names(path: str, packages: set[str]) -> list[str]:
    """Importable names of a file: from its topmost package, and from the root."""
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts:
        return []
    directory = posixpath.dirname(path)
    depth = 0  # how many leading directories the file's packages span
    while directory and directory in packages:
        depth += 1
        directory = posixpath.dirname(directory)
    keep = depth + (0 if path.endswith("__init__.py") else 1)
    names = [".".join(parts[-keep:])]
    full = ".".join(parts)
    if full not in names:
        names.append(full)
    return [n for n in names if n]
