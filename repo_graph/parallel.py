"""Resolve many files at once in forked worker processes.

The resolver's indexes are large; forked workers inherit them instead of receiving a pickled
copy, and send back only each file's edges, unresolved calls and dependencies.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from repo_graph.parse import FileParse
from repo_graph.resolve import Edge, Resolver

FileResult = tuple[str, list[Edge], dict[str, list[str]], frozenset[str]]
PARALLEL_MIN_FILES = 400  # below this, forking costs more than it saves
CHUNK = 64

# Set in worker processes only, by the pool's initializer; the parent never writes it.
_worker: tuple[Resolver, Mapping[str, FileParse]] | None = None


def resolve_files(
    resolver: Resolver, parses: Mapping[str, FileParse], paths: Sequence[str], *, workers: int
) -> Iterator[FileResult]:
    """Each file's ``file_edges``, in worker processes when it pays (any order)."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers > 1 and forkable and len(paths) >= PARALLEL_MIN_FILES:
        try:
            yield from _in_pool(resolver, parses, paths, workers)
            return
        except OSError:
            pass  # no worker processes here: resolve in this one, below
    for path in paths:
        yield (path, *resolver.file_edges(path, parses[path]))


def _in_pool(
    resolver: Resolver, parses: Mapping[str, FileParse], paths: Sequence[str], workers: int
) -> Iterator[FileResult]:
    chunks = [list(paths[i : i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    context: Any = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init, initargs=(resolver, parses)) as pool:
        for results in pool.imap_unordered(_resolve_chunk, chunks):
            yield from results


def _init(resolver: Resolver, parses: Mapping[str, FileParse]) -> None:
    global _worker
    _worker = (resolver, parses)


def _resolve_chunk(paths: list[str]) -> list[FileResult]:
    assert _worker is not None, "the pool initializer sets the worker's resolver"
    resolver, parses = _worker
    return [(path, *resolver.file_edges(path, parses[path])) for path in paths]
