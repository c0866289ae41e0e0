"""Names an issue's example code uses, qualified through its imports and resolved in the graph.

``import xarray as xr`` then ``xr.where(...)`` names ``xarray.where``; ``from sympy import
Array`` names ``sympy.Array``. Such a name is resolved like Python would: the longest prefix
that is a module of the repository, then its attributes, following re-exports (the module's
``imports`` edges, star imports and module-level aliases such as ``Array = DenseArray``) to
where the object is defined.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from localization.evidence import Evidence
from localization.graphview import Node

_IMPORT = re.compile(r"^[ \t>.]*import\s+([\w.]+)(?:\s+as\s+(\w+))?", re.M)
_FROM = re.compile(r"^[ \t>.]*from\s+([\w.]+)\s+import\s+\(?([\w ,\t]+)", re.M)
_USE = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)")
_STAR = re.compile(r"^[ \t>.]*from\s+([\w.]+)\s+import\s+\*", re.M)
_PROMPT = re.compile(r"^[ \t]*(?:>>>|In \[\d+\]:)[ \t]?(.*)$", re.M)
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_BARE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*[(.]")  # a name called or dereferenced
MAX_HOPS = 4  # re-export chains longer than this are not followed
MAX_VISITS = 200  # modules looked into for one name (star imports fan out widely)


def qualified_names(
    text: str, *, packages: Iterable[str], default: str | None = None
) -> tuple[str, ...]:
    """Dotted names of the issue's code whose first part is one of ``packages`` once import
    aliases are expanded, in order of first use; ``default`` is the package an interpreter
    session that imports nothing is taken to use."""
    tops = set(packages)
    aliases: dict[str, str] = {}
    found: list[str] = []
    for m in _IMPORT.finditer(text):
        module, alias = m.group(1), m.group(2)
        aliases[alias or module.split(".")[0]] = module if alias else module.split(".")[0]
    for m in _FROM.finditer(text):
        module = m.group(1)
        for item in m.group(2).split(","):
            parts = item.split()
            if not parts:
                continue
            aliases[parts[-1]] = f"{module}.{parts[0]}"
            found.append(f"{module}.{parts[0]}")
    for m in _USE.finditer(text):
        head, _, rest = m.group(1).partition(".")
        if head in aliases:
            found.append(f"{aliases[head]}.{rest}")
        elif head in tops:
            found.append(m.group(1))
    found.extend(_star_names(text, aliases, default=default))
    return tuple(dict.fromkeys(n for n in found if n.split(".")[0] in tops))


def _star_names(text: str, aliases: Mapping[str, str], *, default: str | None) -> list[str]:
    """``module.name`` for the bare names of the issue's code that come from a star import:
    ``from sympy import *`` then ``Eq(x, 1)``. An interpreter session that imports nothing
    (``>>> Eq(x, 1)``) is read as a star import of the repository's main package."""
    stars = [m.group(1) for m in _STAR.finditer(text)]
    prompts = _PROMPT.findall(text)
    if not stars and default is not None and prompts and not _IMPORT.search(text):
        stars = [default]
    if not stars:
        return []
    code = "\n".join(prompts + _FENCE.findall(text)) or text  # unfenced code: all of it
    names = (m.group(1) for m in _BARE.finditer(code))
    return [f"{module}.{name}" for name in names if name not in aliases for module in stars]


class ModuleIndex:
    """Module dotted names -> file paths of a graph, and lookups through its imports edges."""

    def __init__(
        self, nodes: dict[str, Node], graph: Any, texts: Mapping[str, str] | None = None
    ) -> None:
        self.nodes = nodes
        self.graph = graph
        self.texts = texts or {}
        self.modules: dict[str, str] = {}
        for node in nodes.values():
            if node.kind == "file" and node.path.endswith(".py"):
                dotted = node.path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
                self.modules.setdefault(dotted, node.path)
                if dotted.startswith("src.") or dotted.startswith("lib."):
                    self.modules.setdefault(dotted.split(".", 1)[1], node.path)
        self.packages = {name.split(".")[0] for name in self.modules}
        sizes = Counter(name.split(".")[0] for name in self.modules if "." in name)
        # The package with the most modules is the one an issue's bare session uses.
        self.main_package = max(sizes, key=lambda top: sizes[top]) if sizes else None

    def resolve(self, name: str) -> str | None:
        """The id of the entity (or module file) a qualified name means, or None."""
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.modules.get(".".join(parts[:cut]))
            if path is not None:
                return self._attribute(path, parts[cut:], hops=0)
        return None

    def _attribute(self, owner: str, rest: list[str], *, hops: int) -> str | None:
        """Follow ``rest`` from a file or entity id, through re-exports where needed."""
        if not rest:
            return owner
        path, _, qualname = owner.partition(":")
        direct = f"{path}:{qualname + '.' if qualname else ''}{rest[0]}"
        if direct in self.nodes:
            return self._attribute(direct, rest[1:], hops=hops)
        if qualname or hops >= MAX_HOPS or owner not in self.graph:
            return None
        found = self._exported(owner, rest[0], hops=hops)
        return None if found is None else self._attribute(found, rest[1:], hops=hops + 1)

    def _exported(self, module: str, name: str, *, hops: int) -> str | None:
        """Where ``name`` of a module comes from: an alias (``Name = Other``), an import of
        that name, or (breadth first) a module it imports everything from."""
        queue, seen = [module], {module}
        while queue and len(seen) <= MAX_VISITS:
            current = queue.pop(0)
            if f"{current}:{name}" in self.nodes:
                return f"{current}:{name}"
            alias = _assigned_alias(self.texts.get(current, ""), name)
            if alias is not None:  # resolve the right-hand side in the module that assigns it
                return self._attribute(current, alias.split("."), hops=hops + 1)
            for target, keyed in self.graph.succ[current].items():
                node = self.nodes.get(str(target))
                if "imports" not in keyed or node is None:
                    continue
                if node.name == name:
                    return str(target)
                if node.kind == "file" and str(target) not in seen:
                    seen.add(str(target))
                    queue.append(str(target))
        return None


def _assigned_alias(text: str, name: str) -> str | None:
    """The right-hand side of a module-level ``name = Other.attr`` in ``text``, if any."""
    if name not in text:
        return None
    m = re.search(rf"^{re.escape(name)}\s*=\s*([A-Za-z_][\w.]*)\s*(?:#.*)?$", text, re.M)
    return m.group(1) if m is not None and m.group(1) != name else None


def match_code_refs(names: Iterable[str], index: ModuleIndex, ev: Evidence, weight: float) -> None:
    """Entities the issue's code calls by their public names: functions weigh most (a class
    constructor is in almost every example, so it says less)."""
    resolved = [(name, index.resolve(name)) for name in names]
    hits = [(name, key) for name, key in resolved if key is not None and key in index.nodes]
    share = 1.0 / max(len(hits), 1) ** 0.5
    for name, key in hits:
        node = index.nodes[key]
        kind_share = {"function": 1.0, "class": 0.5}.get(node.kind, 0.3)
        ev.add(key, weight * share * kind_share, f"{name} used in the issue's code")
