"""Ranking with no model: BM25, exact signal matches, graph propagation, aggregation."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from localization.code_refs import ModuleIndex, code_names, match_code_refs, reached
from localization.evidence import Evidence
from localization.execution import Execution, with_raised
from localization.graphview import GraphLike, is_auxiliary_path, is_test_path
from localization.history import Change, HistoryIndex
from localization.infile import Documents, local_bm25, unit_documents
from localization.lexical import LexicalIndex, lexical_index
from localization.literals import issue_keys
from localization.matching import (
    Catalog,
    Weights,
    match_dotted,
    match_frames,
    match_links,
    match_messages,
    match_names,
    match_pairs,
    match_paths,
    match_title,
)
from localization.model import Localization, Location, LocationKind
from localization.signals import IssueSignals, extract_signals, query_text
from localization.structure import (
    credit_hooks,
    credit_tables,
    credit_twins,
    editable_unit,
    find_twins,
    owning_class,
)
from localization.tokens import tokenize

# Edge kind -> (weight forward, weight backward) for spreading a seed's score one hop.
_EDGE_WEIGHTS = {
    "invokes": (0.35, 0.25),
    "inherits": (0.25, 0.25),
    "imports": (0.1, 0.05),
}


@dataclass(frozen=True)
class RankConfig:
    """Knobs of the model-free ranking; the defaults are tuned on SWE-bench dev instances."""

    weights: Weights = field(default_factory=Weights)
    bm25: float = 1.0  # weight of the normalized entity BM25 score
    file_bm25: float = 1.0  # weight of the normalized whole-file BM25 score in file ranking
    seeds: int = 40  # how many top entities spread their score along the graph
    hop_decay: float = 0.5  # a second hop is worth this much of the first
    test_penalty: float = 0.3  # test files' scores are multiplied by this unless about tests
    member_share: float = 0.7  # a class inherits this share of its best member's score
    title_bm25: float = 1.5  # extra weight of BM25 for the issue's first line (its title)
    runner_up: float = 0.3  # a file also gains this share of its 2nd and 3rd best entities
    file_prior: float = 0.5  # classes and functions gain this share of their file's score
    test_seed: float = 0.3  # a test entity spreads this share of its score along the graph
    names_bm25: float = 0.5  # extra weight of BM25 for the issue's emphasized identifiers
    aux_penalty: float = 0.5  # docs / examples / benchmarks files' scores are multiplied by this
    infile: float = 0.25  # weight of the in-file BM25 of the functions of the best files
    infile_files: int = 5  # how many of the best files get their functions scored again
    literal: float = 0.5  # a flag, directive or quoted key of the issue spelled in few files
    reach: float = 0.5  # extra share of its score for a function the issue's code runs
    ran: float = 0.5  # extra share of its score for a file or function the example ran
    twin: float = 0.5  # share of a top function's score for its namesakes in 1-2 other files
    twin_top: int = 3  # how many of the best functions lend their score to their namesakes
    twin_files: int = 2  # a name defined in more other files than this has no twin
    twin_function: float = 0.25  # share of ``twin`` a twin function gains (its file gains all)
    tables: int = 3  # a grammar file among this many best files brings its generated tables
    history: float = 0.5  # weight of the files of past commits whose messages match the issue
    history_commits: int = 20  # how many of the best-matching past commits count


def _bm25(
    index: LexicalIndex, query: list[str], ev: Evidence, weight: float, *, label: str
) -> None:
    if weight <= 0 or not query:
        return
    scores = index.entity_scores(query)
    top = max(scores.values(), default=0.0)
    for key, value in scores.items():
        if value > 0.05 * top:
            ev.add(key, weight * value / top, f"{label} (BM25 {value:.1f})")


def _neighbours(graph: GraphLike, key: str) -> list[tuple[str, str, float]]:
    out: list[tuple[str, str, float]] = []
    g = graph.graph
    for target, keyed in g.succ[key].items():
        for kind in keyed:
            if kind in _EDGE_WEIGHTS:
                out.append((str(target), f"{kind}", _EDGE_WEIGHTS[kind][0]))
    for source, keyed in g.pred[key].items():
        for kind in keyed:
            if kind in _EDGE_WEIGHTS:
                out.append((str(source), f"{kind} (reverse)", _EDGE_WEIGHTS[kind][1]))
    return out


def _propagate(loc: GraphLocalizer, ev: Evidence) -> None:
    """Spread the best seeds' scores a hop or two along invokes / inherits / imports edges."""
    cfg, nodes = loc.config, loc.index.nodes
    frontier = [
        (k, s * (cfg.test_seed if nodes[k].path in loc.test_files else 1.0), k)
        for k, s in ev.ranked()[: cfg.seeds]
        if k in nodes
    ]
    spread: dict[str, tuple[float, str]] = {}
    for hop in range(2):
        nxt = []
        for key, score, origin in frontier:
            for target, how, weight in loc.neighbours(key):
                node = nodes.get(target)
                if node is None or node.kind == "file" or target == origin:
                    continue
                value = score * weight * (cfg.hop_decay**hop)
                if value > spread.get(target, (0.0, ""))[0]:
                    spread[target] = (value, f"graph: {how} from {origin}")
                    nxt.append((target, value, origin))
        frontier = sorted(nxt, key=lambda item: -item[1])[: cfg.seeds]
    for target, (value, reason) in spread.items():
        ev.add(target, value, reason)


def _boost_reached(loc: GraphLocalizer, ev: Evidence, runs: dict[str, tuple[int, str]]) -> None:
    """Functions the issue's example runs (reached from the names it calls) gain a share of
    the score they already have: a match inside the code the example runs is likelier the
    place than the same match elsewhere. Files are left as they were (boosting them too lost
    more file Acc@1 than it gained)."""
    for key, (depth, seed) in runs.items():
        score = ev.score.get(key, 0.0)
        if score > 0:
            ev.add(
                key, score * loc.config.reach / (1 + depth), f"run by the issue's code via {seed}"
            )


def _boost_ran(loc: GraphLocalizer, levels: dict[LocationKind, Evidence], ran: set[str]) -> None:
    """Functions the issue's example ran, and their files, gain a share of the score they
    already have (see ``localization.execution``)."""
    share = loc.config.ran
    if share <= 0 or not ran:
        return
    files = levels[LocationKind.FILE]
    for key, level in [(k, levels[LocationKind.FUNCTION]) for k in ran] + [
        (path, files) for path in {k.partition(":")[0] for k in ran}
    ]:
        score = level.score.get(key, 0.0)
        if score > 0:
            level.add(key, score * share, "run by the issue's example")


def _penalty(path: str, about_tests: bool, cfg: RankConfig, tests: set[str]) -> float:
    if not about_tests and path in tests:
        return cfg.test_penalty
    return cfg.aux_penalty if is_auxiliary_path(path) else 1.0


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
        config: RankConfig | None = None,
        history: Sequence[Change] = (),
    ) -> None:
        started = time.perf_counter()
        self.graph = graph
        self.config = config or RankConfig()
        self.index = lexical_index(graph)
        self.catalog = Catalog(self.index.nodes.values())
        self.test_files = {path for path in self.index.files if is_test_path(path)}
        self._adjacent: dict[str, list[tuple[str, str, float]]] = {}
        self._modules: ModuleIndex | None = None
        self._units: dict[str, Documents] = {}
        sources = set(self.index.files) - self.test_files
        use = history and self.config.history > 0  # weight 0: the index would go unread
        self.history = HistoryIndex(history, keep=sources.__contains__) if use else None
        self.index_seconds = time.perf_counter() - started

    def neighbours(self, key: str) -> list[tuple[str, str, float]]:
        """(node, how, weight) of every edge that carries score from ``key`` (memoized)."""
        if key not in self._adjacent:
            self._adjacent[key] = _neighbours(self.graph, key)
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
                if n.kind == "function" and n.name == name and line <= n.start_line <= line + 20
            ]
            if found:
                out.add(editable_unit(min(found, key=lambda n: n.start_line), nodes))
        return out

    def localize(
        self, issue_text: str, *, top: int = 10, execution: Execution | None = None
    ) -> Localization:
        """Rank files, classes and functions for ``issue_text``."""
        started = time.perf_counter()
        cfg = self.config
        signals = extract_signals(issue_text)
        if execution is not None:
            signals = with_raised(signals, execution)
        query = tokenize(query_text(issue_text))
        ev = Evidence()
        _bm25(self.index, query, ev, cfg.bm25, label="text match")
        title = tokenize(issue_text.strip().split("\n", 1)[0])
        _bm25(self.index, title, ev, cfg.title_bm25, label="title match")
        names = tokenize(" ".join(signals.emphasized))
        _bm25(self.index, names, ev, cfg.names_bm25, label="identifier match")
        matchers = (
            match_frames,
            match_links,
            match_paths,
            match_dotted,
            match_names,
            match_pairs,
            match_title,
        )
        for matcher in matchers:
            matcher(signals, self.catalog, ev, cfg.weights)
        match_messages(signals, self.catalog, self.index.texts, ev, cfg.weights)
        used = code_names(
            issue_text, packages=self.modules.packages, default=self.modules.main_package
        )
        seeds = match_code_refs(used.names, self.modules, ev, cfg.weights.code_ref)
        # Methods the example calls say which code runs, not where the fault is: seeds only.
        seeds += [k for name in used.methods if (k := self.modules.resolve(name)) is not None]
        credit_hooks(used.methods, self.modules, self.catalog, ev, weight=cfg.weights.implements)
        runs = reached(self.graph.graph, seeds) if seeds and cfg.reach > 0 else {}
        ran = self.ran(execution) if execution is not None else set()
        keys = issue_keys(issue_text)
        if keys and cfg.literal > 0:
            self.index.literals.match(keys, self.catalog, ev, cfg.literal)
        _propagate(self, ev)
        if self.history is not None and cfg.history > 0:  # files only: no seeds of the graph
            self.history.credit(ev, title + names, weight=cfg.history, commits=cfg.history_commits)
        about_tests = _about_tests(signals, self.catalog)
        result = _aggregate(self, ev, query, about_tests=about_tests, top=top, runs=runs, ran=ran)
        return Localization(
            files=result[0],
            classes=result[1],
            functions=result[2],
            timings={"localize": time.perf_counter() - started, "index": self.index_seconds},
        )


def _location(
    key: str, kind: LocationKind, score: float, own: Evidence, level: Evidence
) -> Location:
    reasons = tuple(dict.fromkeys(own.reasons(key) + level.reasons(key)))[:4]
    return Location(id=key, kind=kind, score=score, reasons=reasons)


def _aggregate(
    loc: GraphLocalizer,
    ev: Evidence,
    query: list[str],
    *,
    about_tests: bool,
    top: int,
    runs: dict[str, tuple[int, str]],
    ran: set[str],
) -> tuple[tuple[Location, ...], tuple[Location, ...], tuple[Location, ...]]:
    cfg, nodes = loc.config, loc.index.nodes
    order = (LocationKind.FILE, LocationKind.CLASS, LocationKind.FUNCTION)
    levels = {kind: Evidence() for kind in order}
    in_file: dict[str, list[tuple[float, str]]] = {}
    for key, score in ev.ranked():
        node = nodes.get(key)
        kind = LocationKind(node.kind) if node is not None else LocationKind.FILE
        value = score * _penalty(node.path if node else key, about_tests, cfg, loc.test_files)
        if node is None or kind == LocationKind.FILE:
            levels[kind].add(key, value, "")  # its own reasons are read from ``ev`` at the end
            continue
        unit = editable_unit(node, nodes) if kind == LocationKind.FUNCTION else key
        if unit == key:
            levels[kind].add(key, value, "")
        else:
            levels[kind].raise_to(unit, value, f"contains {key}")
        owner = owning_class(node, nodes)
        if owner is not None and owner != key:
            levels[LocationKind.CLASS].raise_to(owner, value * cfg.member_share, f"contains {key}")
        in_file.setdefault(node.path, []).append((value, key))
    for path, members in in_file.items():
        members.sort(reverse=True)
        value, key = members[0]
        extra = cfg.runner_up * sum(v for v, _ in members[1:3])
        levels[LocationKind.FILE].add(path, value + extra, f"contains {key}")
    _file_bm25(loc, levels[LocationKind.FILE], query, about_tests=about_tests)
    if cfg.twin > 0:
        twins = find_twins(
            ev, nodes, loc.catalog, tests=loc.test_files, top=cfg.twin_top, max_files=cfg.twin_files
        )
        credit_twins(
            levels[LocationKind.FILE],
            levels[LocationKind.FUNCTION],
            twins,
            nodes,
            share=cfg.twin,
            function_share=cfg.twin_function,
        )
    credit_tables(levels[LocationKind.FILE], nodes, top=cfg.tables)
    _in_file(loc, levels, query)
    _file_prior(loc, levels)
    _boost_reached(loc, levels[LocationKind.FUNCTION], runs)
    _boost_ran(loc, levels, ran)
    return tuple(  # type: ignore[return-value]
        tuple(_location(k, kind, s, ev, levels[kind]) for k, s in levels[kind].ranked()[:top])
        for kind in order
    )


def _in_file(loc: GraphLocalizer, levels: dict[LocationKind, Evidence], query: list[str]) -> None:
    """The functions of the best files scored again against the issue among their own file's
    functions only (see ``localization.infile``), scaled by how good the file is."""
    weight = loc.config.infile
    ranked = levels[LocationKind.FILE].ranked()[: loc.config.infile_files]
    if weight <= 0 or not ranked:
        return
    best = ranked[0][1]
    for path, file_score in ranked:
        scores = local_bm25(loc.units(path), query)
        top = max(scores.values(), default=0.0)
        for key, value in scores.items():
            share = weight * (file_score / best) * value / top
            levels[LocationKind.FUNCTION].add(key, share, f"in-file text match (BM25 {value:.1f})")


def _file_prior(loc: GraphLocalizer, levels: dict[LocationKind, Evidence]) -> None:
    """Classes and functions gain a share of their file's (normalized) score: an entity in the
    file the issue is most about is likelier the place than an equal match elsewhere."""
    share = loc.config.file_prior
    files = levels[LocationKind.FILE].score
    best = max(files.values(), default=0.0)
    if share <= 0 or best <= 0:
        return
    for kind in (LocationKind.CLASS, LocationKind.FUNCTION):
        level = levels[kind]
        for key in list(level.score):
            path = key.partition(":")[0]
            level.add(key, share * files.get(path, 0.0) / best, f"in ranked file {path}")


def _file_bm25(
    loc: GraphLocalizer, files: Evidence, query: list[str], *, about_tests: bool
) -> None:
    scores = loc.index.file_scores(query)
    top = max(scores.values(), default=0.0)
    for path, value in scores.items():
        weight = loc.config.file_bm25 * _penalty(path, about_tests, loc.config, loc.test_files)
        files.add(path, weight * value / top, f"whole-file text match (BM25 {value:.1f})")
