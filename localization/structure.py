"""Facts of the code's structure: editable units, hooks, parallel implementations,
generated parser tables.

unit = editable_unit(node, nodes)                # "f.py:A.m" for "f.py:A.m.inner"
credit_hooks(["sympy.Eq.as_set"], modules, catalog, ledger)  # Relational._eval_as_set
namesakes(node, catalog, tests)                  # ("c/domain.py:parse_literal",)
generated_tables("fmt/cds.py", ids)              # ("fmt/cds_parsetab.py",)
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable

from localization.code_refs import ModuleIndex
from localization.features import Feature, Ledger
from localization.graphview import Node
from localization.matching import Catalog
from localization.tokens import distinctive


def editable_unit(node: Node, nodes: dict[str, Node]) -> str:
    """The top-level function or method that holds ``node`` ("f.py:A.m" for "f.py:A.m.inner"):
    a fix edits that unit, so nested functions count for it and do not crowd the ranking."""
    path, _, qualname = node.id.partition(":")
    parts = qualname.split(".")
    for outer in (parts[:1], parts[:2]):  # a top-level function, or a method of a class
        key = f"{path}:{'.'.join(outer)}"
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


def credit_hooks(
    methods: Iterable[str], modules: ModuleIndex, catalog: Catalog, ev: Ledger
) -> None:
    """A method the issue's code calls on a class (``Eq(x, 1).as_set()``) is often a template
    that dispatches to a hook (``_eval_as_set``): credit the hook of the nearest of the class
    and its direct bases that defines one (``Relational._eval_as_set``)."""
    for name in methods:
        owner, _, method = name.rpartition(".")
        cls = modules.resolve(owner)
        if not distinctive(method) or cls is None or cls not in modules.nodes:
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
                label = f"{node.qualname} implements {name} of the issue's code"
                ev.raise_to(node.id, Feature.HOOK, 1.0, label)


GENERATED_TABLES = ("_parsetab", "_lextab")  # PLY writes these next to the grammar's module


def generated_tables(path: str, ids: Container[str]) -> tuple[str, ...]:
    """A parser generator's tables (``cds_parsetab.py`` next to ``cds.py``): regenerated
    whenever the grammar in ``path`` changes."""
    found = (path.removesuffix(".py") + suffix + ".py" for suffix in GENERATED_TABLES)
    return tuple(table for table in found if table in ids)


TWIN_FILES = 2  # a name defined in more other files than this is common, not a parallel version


def namesakes(node: Node, catalog: Catalog, tests: Collection[str]) -> tuple[str, ...]:
    """Functions of ``node``'s name in one or two other source files: parallel
    implementations (the C and C++ domains' literal parsers, two ``unparse``) are often
    changed together. Dunder and very short names are too common to say so."""
    if node.kind != "function" or not distinctive(node.name):
        return ()
    twins = [
        n
        for n in catalog.by_name.get(node.name, ())
        if n.kind == "function" and n.path != node.path and n.path not in tests
    ]
    if len({n.path for n in twins}) > TWIN_FILES:
        return ()
    return tuple(n.id for n in twins)
