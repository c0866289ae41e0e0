"""``build_graph``: list files, reuse cached parses, parse the rest in parallel, resolve, cache."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from repo_graph.assemble import add_resolved, add_structure
from repo_graph.cache import BlobStore, GraphCache, GraphState, gc_paused, open_cache
from repo_graph.errors import NotARepository
from repo_graph.files import DEFAULT_EXCLUDES, Listing, SourceFile, StatKeys, list_files
from repo_graph.graph import CodeGraph, count_kinds
from repo_graph.model import GraphStats, SkippedFile, SkipReason
from repo_graph.parallel import ProgressFn, default_workers, parse_files
from repo_graph.parse import FileParse
from repo_graph.resolve import Resolver
from repo_graph.update import update_graph

if TYPE_CHECKING:
    import networkx as nx

INCREMENTAL_SHARE = 0.2  # above this share of changed files a full resolve is as cheap
MAX_LOOSE_PARSES = 500  # parse records added since the last pack before it is rewritten


@dataclass(frozen=True)
class BuildOptions:
    """The options a cached graph depends on."""

    exclude: tuple[str, ...]
    max_file_bytes: int
    use_cache: bool
    parse_store: Path | None = None  # shared parse records; not part of the cache's tag
    workers: int | None = None  # processes for parsing and resolving; None: one per CPU

    @property
    def tag(self) -> str:
        return f"{sorted(self.exclude)}|{self.max_file_bytes}"


@dataclass
class Session:
    """What a CodeGraph keeps in memory so that a refresh re-parses only what changed."""

    options: BuildOptions
    cache: GraphCache | None
    state: GraphState
    parses: dict[str, FileParse] | None = None  # by path; loaded on the first refresh
    resolver: Resolver | None = None

    def refresh(self, graph: CodeGraph, *, progress: ProgressFn | None = None) -> CodeGraph:
        """Update ``graph``: re-parse changed files, re-resolve dependents."""
        return _build(check_root(graph.root), self.options, previous=graph, progress=progress)


def build_graph(
    root: Path | str,
    *,
    use_cache: bool = True,
    exclude: Sequence[str] = DEFAULT_EXCLUDES,
    max_file_bytes: int = 1_000_000,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    parse_store: Path | str | None = None,
) -> CodeGraph:
    """Build (or load from the cache, or update) the code graph of a repository or directory.

    With ``parse_store`` (a directory shared by many checkouts), a file whose blob any of
    them parsed before is not parsed again.
    """
    root_path = check_root(root)
    store = Path(parse_store).expanduser() if parse_store is not None else None
    options = BuildOptions(tuple(exclude), max_file_bytes, use_cache, store, workers)
    return _build(root_path, options, previous=None, progress=progress)


def refresh_graph(graph: CodeGraph, *, progress: ProgressFn | None = None) -> CodeGraph:
    """Update a graph built by this process: re-parse changed files, re-resolve dependents."""
    if not isinstance(graph.session, Session):
        return build_graph(graph.root, progress=progress)
    return _build(check_root(graph.root), graph.session.options, previous=graph, progress=progress)


def _build(
    root: Path, requested: BuildOptions, *, previous: CodeGraph | None, progress: ProgressFn | None
) -> CodeGraph:
    clock = _Clock()
    options, cache, session = _open(previous, root, requested)
    clock.lap("load")
    listing = list_files(
        root,
        exclude=options.exclude,
        max_file_bytes=options.max_file_bytes,
        known=session.state.stat_keys if session else None,
        known_dirs=session.state.dirs if session else None,
    )
    clock.lap("list")
    keys = {f.path: f.key for f in listing.files}
    if session is not None and dict(session.state.keys) == keys:
        return _result(root, session, clock, mode="warm", parsed=0)
    if session is not None and _small_change(session.state.keys, keys):
        updated = _incremental(root, listing, session, progress=progress)
        if updated is not None:
            clock.lap("update")
            # An in-process refresh leaves the disk state behind: the next process catches up
            # from it incrementally, which costs less than rewriting the whole graph each time.
            if previous is None and cache is not None:
                cache.save_state(session.state)
                if cache.loose_count() > MAX_LOOSE_PARSES:
                    _save_full(cache, session)  # fold the loose records back into one pack
                clock.lap("save")
            return _result(root, session, clock, mode="incremental", parsed=updated)
    session, parsed = _full(root, listing, options, cache, progress=progress)
    clock.lap("parse+resolve")
    if cache is not None:
        _save_full(cache, session)
        clock.lap("save")
    return _result(root, session, clock, mode="cold", parsed=parsed)


def _open(
    previous: CodeGraph | None, root: Path, options: BuildOptions
) -> tuple[BuildOptions, GraphCache | None, Session | None]:
    """The options, cache and last state to start from: the previous graph's, or the disk's."""
    if previous is not None and previous.root == root and isinstance(previous.session, Session):
        session = previous.session
        return session.options, session.cache, session
    cache = open_cache(root, options=options.tag) if options.use_cache else None
    state = cache.load_state() if cache else None
    return options, cache, Session(options, cache, state) if state is not None else None


def check_root(root: Path | str) -> Path:
    """The resolved root directory; :class:`NotARepository` when it is not a directory."""
    path = Path(root).expanduser()
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a directory"
        raise NotARepository(
            f"{path} {what}", hint="pass the path of a repository or of a source directory"
        )
    return path.resolve()


def _small_change(old: Mapping[str, str], new: Mapping[str, str]) -> bool:
    changed = sum(1 for p in set(old) | set(new) if old.get(p) != new.get(p))
    return changed <= max(50, INCREMENTAL_SHARE * len(new))


@dataclass
class Assembled:
    """A graph built from parse records, with what an incremental update needs."""

    graph: nx.MultiDiGraph
    resolver: Resolver
    unresolved: dict[str, tuple[str, ...]]
    deps: dict[str, frozenset[str]]


def assemble(parses: Mapping[str, FileParse], *, workers: int | None = None) -> Assembled:
    """The whole graph from parse records, its resolver, and the calls left unresolved."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    deps: dict[str, frozenset[str]] = {}
    count = workers or default_workers()
    with gc_paused():
        add_structure(graph, (parses[p] for p in sorted(parses)))
        resolver = Resolver(parses)
        paths = sorted(parses)
        unresolved = add_resolved(graph, resolver, parses, paths, deps, workers=count)
    return Assembled(graph, resolver, unresolved, deps)


def _full(
    root: Path,
    listing: Listing,
    options: BuildOptions,
    cache: GraphCache | None,
    *,
    progress: ProgressFn | None,
) -> tuple[Session, int]:
    stored = cache.load_parses() if cache else {}
    todo = _unparsed(listing.files, stored, options)
    fresh = parse_files(root, todo, progress=progress, workers=options.workers)
    _share(fresh, listing.files, options)
    parses, skipped = _merge(listing, stored, fresh)
    built = assemble(parses, workers=options.workers)
    state = _state(listing, parses, built.graph, built.unresolved, skipped, built.deps)
    return Session(options, cache, state, parses, built.resolver), len(fresh)


def _incremental(
    root: Path,
    listing: Listing,
    session: Session,
    *,
    progress: ProgressFn | None,
) -> int | None:
    """Update the session's graph in place; None when its parse records are not all cached."""
    old = session.state
    parses = session.parses
    if parses is None:
        parses = _parses_by_path(session.cache, old.keys)
        if parses is None:
            return None
    keys = {f.path: f.key for f in listing.files}
    changed = {p for p in set(old.keys) | set(keys) if old.keys.get(p) != keys.get(p)}
    shared: dict[str, FileParse] = {}
    todo = _unparsed([f for f in listing.files if f.path in changed], shared, session.options)
    parsed = parse_files(root, todo, progress=progress, workers=session.options.workers)
    _share(parsed, todo, session.options)
    by_path = {f.path: _at(shared[f.key], f.path) for f in listing.files if f.key in shared}
    fresh: dict[str, FileParse | None] = {p: parsed.get(p) or by_path.get(p) for p in changed}
    if session.resolver is None:
        with gc_paused():
            session.resolver = Resolver(parses)
    unresolved = dict(old.unresolved)
    deps = dict(old.deps)
    with gc_paused():
        update_graph(old.graph, session.resolver, parses, unresolved, deps, fresh)
    skipped = list(listing.skipped) + [
        SkippedFile(p, SkipReason.UNREADABLE) for p in keys if p not in parses
    ]
    session.parses = parses
    ordered = tuple(sorted(skipped, key=lambda s: s.path))
    session.state = _state(listing, parses, old.graph, unresolved, ordered, deps)
    if session.cache is not None:
        session.cache.save_loose({keys[p]: r for p, r in parsed.items() if r is not None})
    return len(parsed)


def _unparsed(
    files: Sequence[SourceFile], stored: dict[str, FileParse], options: BuildOptions
) -> list[SourceFile]:
    """The files without a record in ``stored``, after adding the shared store's to it."""
    if options.parse_store is not None:
        missing = {f.key for f in files if f.key not in stored}
        stored.update(BlobStore(options.parse_store).get_many(missing))
    return [f for f in files if f.key not in stored]


def _share(
    fresh: Mapping[str, FileParse | None], files: Sequence[SourceFile], options: BuildOptions
) -> None:
    """Put newly parsed records in the shared store, if there is one."""
    if options.parse_store is None or not fresh:
        return
    keys = {f.path: f.key for f in files}
    records = {keys[p]: r for p, r in fresh.items() if r is not None and p in keys}
    BlobStore(options.parse_store).put_many(records)


def _parses_by_path(
    cache: GraphCache | None, keys: Mapping[str, str]
) -> dict[str, FileParse] | None:
    if cache is None:
        return None
    stored = cache.load_parses()
    if any(key not in stored for key in keys.values()):
        return None
    return {path: _at(stored[key], path) for path, key in keys.items()}


def _at(parse: FileParse, path: str) -> FileParse:
    """The record of a blob, for one of the paths it sits at."""
    return parse if parse.path == path else parse._replace(path=path)


def _merge(
    listing: Listing, stored: Mapping[str, FileParse], fresh: Mapping[str, FileParse | None]
) -> tuple[dict[str, FileParse], tuple[SkippedFile, ...]]:
    parses: dict[str, FileParse] = {}
    skipped = list(listing.skipped)
    for f in listing.files:
        parse = fresh[f.path] if f.path in fresh else stored.get(f.key)
        if parse is None:
            skipped.append(SkippedFile(f.path, SkipReason.UNREADABLE))
            continue
        parses[f.path] = _at(parse, f.path)
    return parses, tuple(sorted(skipped, key=lambda s: s.path))


def _state(
    listing: Listing,
    parses: Mapping[str, FileParse],
    graph: nx.MultiDiGraph,
    unresolved: dict[str, tuple[str, ...]],
    skipped: tuple[SkippedFile, ...],
    deps: dict[str, frozenset[str]],
) -> GraphState:
    keys = {f.path: f.key for f in listing.files if f.path in parses}
    errors = {p: r.error_nodes for p, r in parses.items() if r.error_nodes}
    stat_keys: StatKeys = {p: v for p, v in listing.stat_keys.items() if p in keys}
    return GraphState(keys, graph, unresolved, skipped, stat_keys, errors, deps, listing.dirs)


def _save_full(cache: GraphCache, session: Session) -> None:
    keys = session.state.keys
    cache.save_state(session.state)
    cache.save_pack({keys[p]: r for p, r in (session.parses or {}).items()})


def _result(root: Path, session: Session, clock: _Clock, *, mode: str, parsed: int) -> CodeGraph:
    state = session.state
    nodes, edges = count_kinds(state.graph)
    stats = GraphStats(
        nodes=nodes,
        edges=edges,
        files_parsed=parsed,
        cache_hits=len(state.keys) - parsed,
        skipped=state.skipped,
        files_with_syntax_errors=len(state.syntax_errors),
        syntax_error_nodes=sum(state.syntax_errors.values()),
        unresolved_calls=sum(len(v) for v in state.unresolved.values()),
        timings={**clock.laps, "total": clock.total()},
        mode=mode,
    )
    return CodeGraph(state.graph, root, stats, state.unresolved, session)


class _Clock:
    """Named laps of wall time, for the build's timings."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.start
