"""``build_graph``: list files, reuse cached parses, parse the rest in parallel, resolve, cache."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from repo_graph.assemble import add_resolved, add_structure
from repo_graph.cache import GraphCache, GraphState, open_cache
from repo_graph.errors import NotARepository
from repo_graph.files import DEFAULT_EXCLUDES, Listing, SourceFile, list_files
from repo_graph.graph import CodeGraph, count_kinds
from repo_graph.model import GraphStats, SkippedFile, SkipReason
from repo_graph.parse import FileParse, parse_source
from repo_graph.resolve import Resolver

ProgressFn = Callable[[int, int], None]  # (files parsed so far, files to parse)
PARALLEL_MIN_FILES = 200  # below this, starting worker processes costs more than it saves
CHUNK = 32


def build_graph(
    root: Path | str,
    *,
    use_cache: bool = True,
    exclude: Sequence[str] = DEFAULT_EXCLUDES,
    max_file_bytes: int = 1_000_000,
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> CodeGraph:
    """Build (or load from the cache, or update) the code graph of a repository or directory."""
    clock = _Clock()
    root_path = check_root(root)
    listing = list_files(root_path, exclude=exclude, max_file_bytes=max_file_bytes)
    clock.lap("list")
    keys = {f.path: f.key for f in listing.files}
    cache = None
    if use_cache:
        cache = open_cache(root_path, options=f"{sorted(exclude)}|{max_file_bytes}")
    state = cache.load_state() if cache else None
    clock.lap("load")
    if state is not None and dict(state.keys) == keys:
        return _result(root_path, state, clock, mode="warm", parsed=0, hits=len(keys))
    stored = cache.load_parses() if cache else {}
    todo = [f for f in listing.files if f.key not in stored]
    fresh = parse_files(root_path, todo, progress=progress, workers=workers)
    clock.lap("parse")
    parses, skipped = _merge(listing, stored, fresh)
    graph, unresolved = assemble(parses)
    clock.lap("resolve")
    state = GraphState({p: keys[p] for p in parses}, graph, unresolved, skipped)
    if cache is not None:
        _save(cache, state, parses, keys)
        clock.lap("save")
    hits = len(parses) - len(fresh)
    return _result(
        root_path, state, clock, mode="cold", parsed=len(fresh), hits=hits, parses=parses
    )


def check_root(root: Path | str) -> Path:
    """The resolved root directory; :class:`NotARepository` when it is not a directory."""
    path = Path(root).expanduser()
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a directory"
        raise NotARepository(
            f"{path} {what}", hint="pass the path of a repository or of a source directory"
        )
    return path.resolve()


def parse_files(
    root: Path,
    files: Sequence[SourceFile],
    *,
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> dict[str, FileParse | None]:
    """Parse files (in worker processes when there are many); None for an unreadable file."""
    jobs = [(str(root), f.path) for f in files]
    count = workers or min(os.cpu_count() or 1, 8)
    out: dict[str, FileParse | None] = {}
    if progress:
        progress(0, len(jobs))
    if count <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        for job in jobs:
            out[job[1]] = _parse_job(job)
            if progress:
                progress(len(out), len(jobs))
        return out
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(count) as pool:
        for path, parse in pool.imap_unordered(_parse_pair, jobs, chunksize=CHUNK):
            out[path] = parse
            if progress:
                progress(len(out), len(jobs))
    return out


def _parse_pair(job: tuple[str, str]) -> tuple[str, FileParse | None]:
    return job[1], _parse_job(job)


def _parse_job(job: tuple[str, str]) -> FileParse | None:
    root, path = job
    try:
        data = (Path(root) / path).read_bytes()
    except OSError:
        return None
    return parse_source(path, data)


def assemble(parses: Mapping[str, FileParse]) -> tuple[object, dict[str, tuple[str, ...]]]:
    """The whole graph from parse records, and the calls left unresolved."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    add_structure(graph, (parses[p] for p in sorted(parses)))
    resolver = Resolver(parses)
    unresolved = add_resolved(graph, resolver, parses, sorted(parses))
    return graph, unresolved


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
        parses[f.path] = parse if parse.path == f.path else parse._replace(path=f.path)
    return parses, tuple(sorted(skipped, key=lambda s: s.path))


def _save(
    cache: GraphCache, state: GraphState, parses: Mapping[str, FileParse], keys: Mapping[str, str]
) -> None:
    cache.save(state, {keys[path]: parse for path, parse in parses.items()})


def _result(
    root: Path,
    state: GraphState,
    clock: _Clock,
    *,
    mode: str,
    parsed: int,
    hits: int,
    parses: Mapping[str, FileParse] | None = None,
) -> CodeGraph:
    nodes, edges = count_kinds(state.graph)
    errors = [p.error_nodes for p in (parses or {}).values() if p.error_nodes]
    stats = GraphStats(
        nodes=nodes,
        edges=edges,
        files_parsed=parsed,
        cache_hits=hits,
        skipped=state.skipped,
        files_with_syntax_errors=len(errors),
        syntax_error_nodes=sum(errors),
        unresolved_calls=sum(len(v) for v in state.unresolved.values()),
        timings={**clock.laps, "total": clock.total()},
        mode=mode,
    )
    return CodeGraph(state.graph, root, stats, state.unresolved)  # type: ignore[arg-type]


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


def changed_paths(old: Mapping[str, str], new: Mapping[str, str]) -> Iterable[str]:
    """Paths added, removed or whose key differs between two key maps."""
    return sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
