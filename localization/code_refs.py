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
from dataclasses import dataclass
from typing import Any

from common import is_test_path
from localization.features import Feature, Ledger, spread
from localization.graphview import Node, is_auxiliary_path
from localization.signals import FENCE

_IMPORT = re.compile(r"^[ \t>.]*import\s+([\w.]+)(?:\s+as\s+(\w+))?", re.M)
_FROM = re.compile(r"^[ \t>.]*from\s+([\w.]+)\s+import\s+\(?([\w ,\t]+)", re.M)
_USE = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)")
_STAR = re.compile(r"^[ \t>.]*from\s+([\w.]+)\s+import\s+\*", re.M)
_PROMPT = re.compile(r"^[ \t]*(?:>>>|In \[\d+\]:)[ \t]?(.*)$", re.M)
_BARE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*[(.]")  # a name called or dereferenced
# ``cart = shop.Cart(...)``: the variable holds what the call returns (an instance, mostly).
_INSTANCE = re.compile(r"^[ \t>.]*([A-Za-z_]\w*)\s*=\s*([A-Za-z_][\w.]*)\s*\(", re.M)
# ``Eq(x, 1).as_set()``: a method called on what a call returns.
_CHAINED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\((?:[^()\n]|\([^()\n]*\))*\)\.([A-Za-z_]\w*)")
MAX_HOPS = 4  # re-export chains longer than this are not followed
MAX_VISITS = 200  # modules looked into for one name (star imports fan out widely)


@dataclass(frozen=True)
class CodeNames:
    """What an issue's example code uses: ``names`` it imports or spells in full
    (``xr.where``), and ``methods`` it calls on what a call returned (``ds.copy`` after
    ``ds = xr.Dataset(...)``, ``Eq(x, 1).as_set``)."""

    names: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()


def qualified_names(
    text: str, *, packages: Iterable[str], default: str | None = None
) -> tuple[str, ...]:
    """Dotted names of the issue's code whose first part is one of ``packages`` once import
    aliases are expanded, in order of first use; ``default`` is the package an interpreter
    session that imports nothing is taken to use."""
    return code_names(text, packages=packages, default=default).names


def code_names(text: str, *, packages: Iterable[str], default: str | None = None) -> CodeNames:
    """The names and the method calls of an issue's code, qualified (see ``qualified_names``)."""
    tops = set(packages)
    aliases = _imports(text)
    found = [name for m in _FROM.finditer(text) for name in _from_names(m)]
    stars = _star_modules(text, default=default)

    def qualify(name: str) -> str | None:
        head, dot, rest = name.partition(".")
        if head in aliases:
            return aliases[head] + dot + rest
        if head in tops:
            return name
        return f"{stars[0]}.{name}" if stars else None

    instances = {m.group(1): q for m in _INSTANCE.finditer(text) if (q := qualify(m.group(2)))}
    methods = [f"{q}.{m.group(2)}" for m in _CHAINED.finditer(text) if (q := qualify(m.group(1)))]
    for m in _USE.finditer(text):
        head, _, rest = m.group(1).partition(".")
        if head in aliases:
            found.append(f"{aliases[head]}.{rest}")
        elif head in tops:
            found.append(m.group(1))
        elif head in instances:
            methods.append(f"{instances[head]}.{rest}")
    found.extend(_star_names(text, aliases, stars))

    def ours(items: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for n in items if n.split(".")[0] in tops))

    return CodeNames(ours(found), ours(methods))


def _from_names(m: re.Match[str]) -> list[str]:
    """``module.name`` of each name a ``from module import a, b as c`` line imports."""
    return [f"{m.group(1)}.{item.split()[0]}" for item in m.group(2).split(",") if item.split()]


def _imports(text: str) -> dict[str, str]:
    """Name in the issue's code -> the module or object its imports bind it to."""
    aliases: dict[str, str] = {}
    for m in _IMPORT.finditer(text):
        module, alias = m.group(1), m.group(2)
        aliases[alias or module.split(".")[0]] = module if alias else module.split(".")[0]
    for m in _FROM.finditer(text):
        for item in m.group(2).split(","):
            parts = item.split()
            if parts:
                aliases[parts[-1]] = f"{m.group(1)}.{parts[0]}"
    return aliases


def _star_modules(text: str, *, default: str | None) -> list[str]:
    """Modules the issue's code imports everything from. An interpreter session that imports
    nothing (``>>> Eq(x, 1)``) is read as a star import of the repository's main package."""
    stars = [m.group(1) for m in _STAR.finditer(text)]
    if not stars and default is not None and _PROMPT.search(text) and not _IMPORT.search(text):
        stars = [default]
    return stars


def _star_names(text: str, aliases: Mapping[str, str], stars: list[str]) -> list[str]:
    """``module.name`` for the bare names of the issue's code that come from a star import:
    ``from sympy import *`` then ``Eq(x, 1)``."""
    if not stars:
        return []
    code = "\n".join(_PROMPT.findall(text) + FENCE.findall(text)) or text  # unfenced: all
    names = (m.group(1) for m in _BARE.finditer(code))
    return [f"{module}.{name}" for name in names if name not in aliases for module in stars]


def _aside(path: str) -> bool:
    return is_test_path(path) or is_auxiliary_path(path)


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
        sizes = Counter(
            name.split(".")[0]
            for name, path in self.modules.items()
            if "." in name and not name.startswith(("src.", "lib.")) and not _aside(path)
        )
        # The package with the most modules (tests, docs and a src/ prefix aside) is the one an
        # issue's bare session uses.
        self.main_package = max(sizes, key=lambda top: sizes[top]) if sizes else None

    def resolve(self, name: str) -> str | None:
        """The id of the entity (or module file) a qualified name means, or None."""
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            path = self.modules.get(".".join(parts[:cut]))
            if path is not None:
                return self._attribute(path, parts[cut:], hops=0)
        return None

    def lineage(self, key: str, *, depth: int = MAX_HOPS) -> dict[str, int]:
        """A class and its bases along ``inherits`` edges up to ``depth`` steps up, each with
        its distance (0 for the class itself), nearest first."""
        line, frontier = {key: 0}, [key]
        for step in range(1, depth + 1):
            following = []
            for current in frontier:
                if current not in self.graph:
                    continue
                for base, keyed in self.graph.succ[current].items():
                    if "inherits" in keyed and str(base) not in line:
                        line[str(base)] = step
                        following.append(str(base))
            frontier = following
        return line

    def _attribute(self, owner: str, rest: list[str], *, hops: int) -> str | None:
        """Follow ``rest`` from a file or entity id, through re-exports where needed."""
        if not rest:
            return owner
        path, _, qualname = owner.partition(":")
        direct = f"{path}:{qualname + '.' if qualname else ''}{rest[0]}"
        if direct in self.nodes:
            return self._attribute(direct, rest[1:], hops=hops)
        if hops >= MAX_HOPS or owner not in self.graph:
            return None
        if qualname:  # a member a class inherits: look in its bases, nearest first
            for base, keyed in self.graph.succ[owner].items():
                if "inherits" in keyed:
                    found = self._attribute(str(base), rest, hops=hops + 1)
                    if found is not None:
                        return found
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


_CALLS = {"function": Feature.CALLS_FUNCTION, "class": Feature.CALLS_CLASS}


def match_code_refs(names: Iterable[str], index: ModuleIndex, ev: Ledger) -> list[str]:
    """Entities the issue's code calls by their public names, by kind (a class constructor is
    in almost every example, so it may say less than a function). Returns their ids."""
    resolved = [(name, index.resolve(name)) for name in names]
    hits = [(name, key) for name, key in resolved if key is not None and key in index.nodes]
    for name, key in hits:
        feature = _CALLS.get(index.nodes[key].kind, Feature.CALLS_MODULE)
        ev.add(key, feature, spread(len(hits)), f"{name} used in the issue's code")
    return [key for _, key in hits]


REACH_DEPTH = 3  # calls followed down from what the code calls
MAX_REACHED = 3000


def reached(graph: Any, seeds: Iterable[str]) -> dict[str, tuple[int, str]]:
    """What the issue's example runs: every entity a seed reaches along ``invokes`` edges
    (into a class through its methods), with the depth and the seed it came from."""
    found: dict[str, tuple[int, str]] = {}
    frontier = [(seed, seed) for seed in dict.fromkeys(seeds) if seed in graph]
    for seed, _ in frontier:
        found[seed] = (0, seed)
    for depth in range(1, REACH_DEPTH + 1):
        following = []
        for key, seed in frontier:
            for target, keyed in graph.succ[key].items():
                if target in found or not ("invokes" in keyed or "contains" in keyed):
                    continue
                found[str(target)] = (depth, seed)
                following.append((str(target), seed))
        frontier = following
        if len(found) > MAX_REACHED:
            break
    return found
