"""The default Localizer: measure an issue's features in the graph, then weigh them.

localizer = GraphLocalizer(graph, history=changes)    # one index per graph
table = localizer.features(issue_text)                # weight-free (see localization.table)
result = localizer.localize(issue_text, top=10)       # rank(table, weights)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from common import is_test_path
from localization.code_refs import ModuleIndex, code_names, match_code_refs, reached
from localization.execution import Execution, with_raised
from localization.features import Feature, Ledger
from localization.graphview import GraphLike, is_auxiliary_path
from localization.history import Change, HistoryIndex
from localization.infile import Documents, local_bm25, unit_documents
from localization.lexical import LexicalIndex, lexical_index
from localization.literals import issue_keys
from localization.matching import (
    Catalog,
    match_dotted,
    match_frames,
    match_links,
    match_messages,
    match_names,
    match_pairs,
    match_paths,
    match_title,
)
from localization.model import REASONS, TOP, Localization, LocationKind
from localization.scoring import rank
from localization.signals import IssueSignals, extract_signals, query_text
from localization.structure import (
    credit_hooks,
    editable_unit,
    generated_tables,
    namesakes,
    owning_class,
)
from localization.table import Edge, FeatureTable, InFile, Place, strongest
from localization.tokens import tokenize
from localization.weights import RankWeights

EDGE_KINDS = ("invokes", "inherits", "imports")  # the edges that carry score between entities
HISTORY_COMMITS = 20  # the past commits most like the issue that count


def _bm25(index: LexicalIndex, query: list[str], ev: Ledger, feature: Feature, label: str) -> None:
    scores = index.entity_scores(query)
    top = max(scores.values(), default=0.0)
    for key, value in scores.items():
        ev.add(key, feature, value / top, f"{label} (BM25 {value:.1f})")


def _about_tests(signals: IssueSignals, catalog: Catalog) -> bool:
    """True when the issue names a test file of this repository (not the reporter's own)."""
    named = list(signals.paths) + [f.path for f in signals.frames]
    return any(is_test_path(f) for p in named if is_test_path(p) for f in catalog.match_path(p))


class GraphLocalizer:
    """The default Localizer: one lexical index per graph, reused across issues."""

    def __init__(
        self,
        graph: GraphLike,
        *,
        weights: RankWeights | None = None,
        history: Sequence[Change] = (),
    ) -> None:
        started = time.perf_counter()
        self.graph = graph
        self.weights = weights or RankWeights.load()
        self.index = lexical_index(graph)
        self.catalog = Catalog(self.index.nodes.values())
        self.test_files = {path for path in self.index.files if is_test_path(path)}
        self._adjacent: dict[str, tuple[Edge, ...]] = {}
        self._places: dict[str, Place | None] = {}
        self._modules: ModuleIndex | None = None
        self._units: dict[str, Documents] = {}
        sources = set(self.index.files) - self.test_files
        use = history and self.weights.file.get(Feature.HISTORY, 0.0) > 0  # else unread
        self.history = HistoryIndex(history, keep=sources.__contains__) if use else None
        self.index_seconds = time.perf_counter() - started

    def place(self, key: str) -> Place | None:
        """Where a key (entity id or file path) sits (memoized)."""
        if key not in self._places:
            self._places[key] = self._place(key)
        return self._places[key]

    def _place(self, key: str) -> Place | None:
        nodes = self.index.nodes
        node = nodes.get(key)
        if node is None:
            return None
        aside = "test" if node.path in self.test_files else ""
        aside = aside or ("aux" if is_auxiliary_path(node.path) else "")
        if node.kind == "file":
            return Place(LocationKind.FILE, node.path, aside=aside)
        unit = editable_unit(node, nodes) if node.kind == "function" else ""
        owner = owning_class(node, nodes) or ""
        return Place(LocationKind(node.kind), node.path, unit, owner, aside)

    def neighbours(self, key: str) -> tuple[Edge, ...]:
        """The entities one invokes, inherits or imports edge away from ``key`` (memoized)."""
        if key not in self._adjacent:
            g = self.graph.graph
            out: list[Edge] = []
            if key in g:
                for target, keyed in g.succ[key].items():
                    out += [(str(target), kind) for kind in keyed if kind in EDGE_KINDS]
                for source, keyed in g.pred[key].items():
                    out += [(str(source), f"{k} (reverse)") for k in keyed if k in EDGE_KINDS]
            self._adjacent[key] = tuple(out)
        return self._adjacent[key]

    @property
    def modules(self) -> ModuleIndex:
        """Module names of the repository, for resolving the names an issue's code uses."""
        if self._modules is None:
            self._modules = ModuleIndex(self.index.nodes, self.graph.graph, self.index.texts)
        return self._modules

    def units(self, path: str) -> Documents:
        """Token bags of the editable functions of one file (memoized)."""
        if path not in self._units:
            nodes = self.index.nodes
            self._units[path] = unit_documents(
                self.catalog.by_file.get(path, ()),
                self.index.texts.get(path, ""),
                is_unit=lambda node: editable_unit(node, nodes) == node.id,
            )
        return self._units[path]

    def ran(self, execution: Execution) -> set[str]:
        """The editable units (top-level functions and methods) the example called."""
        out: set[str] = set()
        nodes = self.index.nodes
        for path, line, name in execution.calls:
            # A code object's first line is its first decorator's; the node starts at or below.
            found = [
                n
                for n in self.catalog.by_file.get(path, ())
                if n.kind == "function" and n.name == name and line <= n.start_line
            ]
            if found:
                out.add(editable_unit(min(found, key=lambda n: n.start_line), nodes))
        return out

    def features(self, issue_text: str, *, execution: Execution | None = None) -> FeatureTable:
        """Measure every feature of ``issue_text`` in this graph (no weights involved)."""
        signals = extract_signals(issue_text)
        if execution is not None:
            signals = with_raised(signals, execution)
        query = tokenize(query_text(issue_text))
        title = tokenize(issue_text.strip().split("\n", 1)[0])
        names = tokenize(" ".join(signals.emphasized))
        ev = Ledger()
        for words, feature, label in (
            (query, Feature.TEXT, "text match"),
            (title, Feature.TITLE, "title match"),
            (names, Feature.NAMES, "identifier match"),
        ):
            _bm25(self.index, words, ev, feature, label)
        for matcher in (
            match_frames,
            match_links,
            match_paths,
            match_dotted,
            match_names,
            match_pairs,
            match_title,
        ):
            matcher(signals, self.catalog, ev)
        match_messages(signals, self.catalog, self.index.texts, ev)
        runs = self._code(issue_text, ev)
        keys = issue_keys(issue_text)
        if keys:
            self.index.literals.match(keys, self.catalog, ev)
        self._files(query, ev)
        if self.history is not None:  # files only: no seeds of the graph
            self.history.credit(ev, title + names, commits=HISTORY_COMMITS)
        return FeatureTable(
            values={k: dict(row) for k, row in ev.values.items()},
            reasons={
                k: {f: strongest(r, limit=REASONS) for f, r in row.items()}
                for k, row in ev.reasons.items()
            },
            facts=GraphFacts(self, query),
            reached=runs,
            ran=frozenset(self.ran(execution) if execution is not None else ()),
            about_tests=_about_tests(signals, self.catalog),
        )

    def _code(self, issue_text: str, ev: Ledger) -> dict[str, tuple[int, str]]:
        """The names the issue's code uses and the hooks its method calls dispatch to; what
        that code runs (reached along calls from them)."""
        used = code_names(
            issue_text, packages=self.modules.packages, default=self.modules.main_package
        )
        seeds = match_code_refs(used.names, self.modules, ev)
        # Methods the example calls say which code runs, not where the fault is: seeds only.
        seeds += [k for name in used.methods if (k := self.modules.resolve(name)) is not None]
        credit_hooks(used.methods, self.modules, self.catalog, ev)
        return reached(self.graph.graph, seeds) if seeds else {}

    def _files(self, query: list[str], ev: Ledger) -> None:
        scores = self.index.file_scores(query)
        top = max(scores.values(), default=0.0)
        for path, value in scores.items():
            label = f"whole-file text match (BM25 {value:.1f})"
            ev.add(path, Feature.FILE_TEXT, value / top, label)

    def localize(
        self, issue_text: str, *, top: int = TOP, execution: Execution | None = None
    ) -> Localization:
        """Rank files, classes and functions for ``issue_text``."""
        started = time.perf_counter()
        result = rank(self.features(issue_text, execution=execution), self.weights, top=top)
        timings = {"localize": time.perf_counter() - started, "index": self.index_seconds}
        return replace(result, timings=timings)


class GraphFacts:
    """The ``Facts`` of one issue, looked up in its localizer's graph on demand."""

    def __init__(self, localizer: GraphLocalizer, query: list[str]) -> None:
        self._localizer = localizer
        self._query = query
        self._in_file: dict[str, InFile] = {}

    def place(self, key: str) -> Place | None:
        """Where ``key`` sits."""
        return self._localizer.place(key)

    def neighbours(self, key: str) -> tuple[Edge, ...]:
        """The graph neighbours of ``key``."""
        return self._localizer.neighbours(key)

    def namesakes(self, key: str) -> tuple[str, ...]:
        """Functions of ``key``'s name in one or two other source files."""
        loc = self._localizer
        node = loc.index.nodes.get(key)
        return () if node is None else namesakes(node, loc.catalog, loc.test_files)

    def tables(self, path: str) -> tuple[str, ...]:
        """The parser tables generated from ``path``."""
        return generated_tables(path, self._localizer.index.nodes)

    def in_file(self, path: str) -> InFile:
        """In-file BM25 of ``path``'s functions: (share of the file's best, raw score)."""
        if path not in self._in_file:
            scores = local_bm25(self._localizer.units(path), self._query)
            top = max(scores.values(), default=0.0)
            self._in_file[path] = {k: (v / top, v) for k, v in scores.items()}
        return self._in_file[path]
