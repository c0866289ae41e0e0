"""Work spread over worker processes: parsing files, and resolving many files at once.

For resolution, the resolver's indexes are large; forked workers inherit them instead of
receiving a pickled copy, and send back only each file's edges, unresolved calls and
dependencies.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from repo_graph.files import SourceFile
from repo_graph.parse import FileParse, parse_source
from repo_graph.resolve import Edge, Resolver

FileResult = tuple[str, list[Edge], dict[str, list[str]], frozenset[str]]
ProgressFn = Callable[[int, int], None]  # (files parsed so far, files to parse)
PARSE_MIN_FILES = 200  # below this, starting worker processes costs more than it saves
PARSE_CHUNK = 32
PARALLEL_MIN_FILES = 400  # below this, forking resolvers costs more than it saves
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


def parse_files(
    root: Path,
    files: Sequence[SourceFile],
    *,
    progress: ProgressFn | None = None,
    workers: int | None = None,
) -> dict[str, FileParse | None]:
    """Parse files (in worker processes when there are many); None for an unreadable file."""
    jobs = [(str(root), f.path) for f in files]
    count = workers or default_workers()
    out: dict[str, FileParse | None] = {}
    if progress:
        progress(0, len(jobs))
    if count > 1 and len(jobs) >= PARSE_MIN_FILES:
        # No worker processes here (no /dev/shm, a process limit): the loop below parses.
        with contextlib.suppress(OSError):
            _parse_in_pool(jobs, count, out, progress)
    for job in jobs:
        if job[1] not in out:
            out[job[1]] = _parse_job(job)
            if progress:
                progress(len(out), len(jobs))
    return out


def default_workers() -> int:
    """Worker processes worth starting: one per CPU that other work leaves idle.

    On a machine whose CPUs are already busy (load average at or above their number),
    extra processes only add the cost of shipping parse records between them. Inside a
    daemonic process (a multiprocessing pool's worker) there is one: it may not have children.
    """
    if multiprocessing.current_process().daemon:
        return 1
    cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = 0.0  # no load average on this platform: assume idle CPUs
    # The load counts this process too, so one CPU's worth of it is ours.
    return max(1, min(cpus, 8, round(cpus + 1 - load)))


def _parse_in_pool(
    jobs: list[tuple[str, str]],
    count: int,
    out: dict[str, FileParse | None],
    progress: ProgressFn | None,
) -> None:
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(count) as pool:
        for path, parse in pool.imap_unordered(_parse_pair, jobs, chunksize=PARSE_CHUNK):
            out[path] = parse
            if progress:
                progress(len(out), len(jobs))


def _parse_pair(job: tuple[str, str]) -> tuple[str, FileParse | None]:
    return job[1], _parse_job(job)


def _parse_job(job: tuple[str, str]) -> FileParse | None:
    root, path = job
    try:
        data = (Path(root) / path).read_bytes()
    except OSError:
        return None
    return parse_source(path, data)
