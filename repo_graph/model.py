"""The vocabulary of the code graph: node and edge kinds, and what every node carries.

The graph is a ``networkx.MultiDiGraph`` whose node keys are entity ids in LocAgent's form:

- directory: its path relative to the repository root, POSIX separators, ``""`` for the root
- file: ``pkg/mod.py``
- class / function: ``pkg/mod.py:Class``, ``pkg/mod.py:Class.method``, ``pkg/mod.py:func``,
  ``pkg/mod.py:func.inner`` (nested definitions under their parents, dotted)

Every node has the attributes named by :class:`Entity`'s fields except ``id``. Every edge has
``kind`` (an :class:`EdgeKind` value); the edge key is the kind too, so one pair of nodes has at
most one edge of each kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NodeKind(StrEnum):
    """What a node of the code graph stands for."""

    DIRECTORY = "directory"
    FILE = "file"
    CLASS = "class"
    FUNCTION = "function"


class EdgeKind(StrEnum):
    """How two nodes of the code graph relate."""

    CONTAINS = "contains"  # directory -> directory|file, file -> class|function, class -> method
    IMPORTS = "imports"  # file -> file|class|function it imports
    INVOKES = "invokes"  # function|class|file -> function|class it calls (class: its __init__)
    INHERITS = "inherits"  # class -> base class


@dataclass(frozen=True)
class Entity:
    """One node of the code graph, as a value."""

    id: str
    kind: NodeKind
    path: str  # file (or directory) path relative to the root, POSIX separators
    name: str  # short name: last path part, class name, function name
    start_line: int = 0  # 1-based, inclusive; 0 for directories
    end_line: int = 0
    signature: str = ""  # "def f(a, b=1) -> int" / "class C(Base)"; "" for files and dirs
    docstring: str = ""
