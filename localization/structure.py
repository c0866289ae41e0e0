"""Evidence from the code's structure: editable units, parallel implementations, hooks,
generated parser tables.

unit = editable_unit(node, nodes)                # "f.py:A.m" for "f.py:A.m.inner"
pairs = find_twins(ev, nodes, catalog, tests=tests, top=3, max_files=2)
credit_twins(files, functions, pairs, nodes, share=0.5, function_share=0.25)
credit_hooks(["sympy.Eq.as_set"], modules, catalog, ev, weight=0.9)
credit_tables(files, nodes, top=3)  # cds_parsetab.py follows cds.py (file ids are paths)
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Container, Iterable

from localization.code_refs import ModuleIndex
from localization.evidence import Evidence
from localization.graphview import Node
from localization.matching import Catalog

# (twin, origin, origin's score)
Twin = tuple[Node, Node, float]


def editable_unit(node: Node, nodes: dict[str, Node]) -> str:
    """The top-level function or method that holds ``node`` ("f.py:A.m" for "f.py:A.m.inner"):
    a fix edits that unit, so nested functions count for it and do not crowd the ranking."""
    path, _, qualname = node.id.partition(":")
    parts = qualname.split(".")
    for cut in (1, 2):
        key = f"{path}:{'.'.join(parts[:cut])}"
        found = nodes.get(key)
        if found is not None and found.kind == "function":
            return key
    return node.id


def owning_class(node: Node, nodes: dict[str, Node]) -> str | None:
    """The outermost class holding ``node`` ("f.py:A" for "f.py:A.m" and "f.py:A.B.m")."""
    path, _, qualname = node.id.partition(":")
    first = f"{path}:{qualname.split('.', 1)[0]}"
    found = nodes.get(first)
    return first if found is not None and found.kind == "class" else None


def find_twins(
    ev: Evidence,
    nodes: dict[str, Node],
    catalog: Catalog,
    *,
    tests: Collection[str],
    top: int,
    max_files: int,
) -> list[Twin]:
    """Functions of the same name, in at most ``max_files`` other files, as one of the ``top``
    functions the issue is most about. Parallel implementations (the C and C++ domains'
    literal parsers, two ``unparse``) are often changed together."""
    best = heapq.nsmallest(  # the best first, ties by id as in ``Evidence.ranked``
        top,
        (
            (-score, key)
            for key, score in ev.score.items()
            if score > 0
            and (node := nodes.get(key)) is not None
            and node.kind == "function"
            and node.path not in tests
        ),
    )
    out = []
    for score, node in ((-negated, nodes[key]) for negated, key in best):
        if node.name.startswith("__") or len(node.name) < 4:
            continue
        twins = [
            n
            for n in catalog.by_name.get(node.name, ())
            if n.kind == "function" and n.path != node.path and n.path not in tests
        ]
        if twins and len({n.path for n in twins}) <= max_files:
            out += [(twin, node, score) for twin in twins]
    return out


def credit_twins(
    files: Evidence,
    functions: Evidence,
    twins: Iterable[Twin],
    nodes: dict[str, Node],
    *,
    share: float,
    function_share: float,
) -> None:
    """A twin's file gains ``share`` of its origin file's score, staying below it; the twin
    function gains ``share * function_share`` of its origin's."""
    for twin, origin, score in twins:
        reason = f"same name as {origin.id}"
        functions.add(editable_unit(twin, nodes), share * function_share * score, reason)
        origin_file = files.score.get(origin.path, 0.0)
        current = files.score.get(twin.path, 0.0)
        files.raise_to(twin.path, min(current + share * origin_file, 0.98 * origin_file), reason)


def credit_hooks(
    methods: Iterable[str],
    modules: ModuleIndex,
    catalog: Catalog,
    ev: Evidence,
    *,
    weight: float,
) -> None:
    """A method the issue's code calls on a class (``Eq(x, 1).as_set()``) is often a template
    that dispatches to a hook (``_eval_as_set``): credit the hook of the nearest of the class
    and its direct bases that defines one (``Relational._eval_as_set``)."""
    for name in methods if weight > 0 else ():
        owner, _, method = name.rpartition(".")
        cls = modules.resolve(owner)
        if len(method) < 4 or cls is None or cls not in modules.nodes:
            continue
        if modules.nodes[cls].kind != "class":
            continue
        # A hook further up (``Function._eval_evalf`` for ``rf(18, x).evalf()``) is a generic
        # default, not where this class's answer comes from.
        order = modules.lineage(cls, depth=1)
        hooks = [
            (order[owner_id], node)
            for node in catalog.dispatching_on(method)
            if (owner_id := node.id.rpartition(".")[0]) in order
        ]
        nearest = min((i for i, _ in hooks), default=None)
        for i, node in hooks:
            if i == nearest:
                ev.add(node.id, weight, f"{node.qualname} implements {name} of the issue's code")


GENERATED_TABLES = ("_parsetab", "_lextab")  # PLY writes these next to the grammar's module
TABLE_SHARE = 0.97  # a table ranks just below its grammar file


def credit_tables(files: Evidence, ids: Container[str], *, top: int) -> None:
    """A parser generator's tables (``cds_parsetab.py`` next to ``cds.py``) are regenerated
    whenever the grammar changes: each follows its grammar file when that is in the ``top``."""
    for path, score in files.ranked()[:top]:
        for suffix in GENERATED_TABLES:
            table = path.removesuffix(".py") + suffix + ".py"
            if table in ids:
                files.raise_to(table, TABLE_SHARE * score, f"generated table of {path}")
