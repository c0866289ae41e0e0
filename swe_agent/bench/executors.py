"""Where batch tasks run: a local process pool (default) or a Ray cluster (ray_executor.py).

An executor only submits one picklable call and hands back a ``concurrent.futures.Future``;
``drive`` keeps at most ``workers`` tasks in flight, so the caller decides before each start
whether to begin another one (budgets) and records starts and ends in order (the journal).
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from swe_agent.choices import ExecutorKind
from swe_agent.errors import BadInput

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs one picklable call somewhere and returns its future."""

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> cf.Future[Any]: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A pool of spawned processes on this machine, one task per process at a time."""

    def __init__(self, *, workers: int) -> None:
        import multiprocessing

        # spawn, not fork: the parent holds threads (progress bar, docker clients).
        context = multiprocessing.get_context("spawn")
        self._pool = cf.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=die_with_parent
        )

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> cf.Future[Any]:
        """Run ``fn(arg)`` in a pool process."""
        return self._pool.submit(fn, arg)

    def stop(self) -> None:
        """End the running tasks now (Ctrl-C, SIGTERM): each pool process gets SIGTERM, which
        runs its exit handlers (they remove its sandbox containers) and ends it."""
        import multiprocessing

        for process in multiprocessing.active_children():  # the pool's processes
            process.terminate()

    def close(self) -> None:
        """Stop the pool (running tasks are cancelled when the process exits)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def die_with_parent() -> None:
    """Make a pool process end (cleanly) when the batch process dies or sends SIGTERM.

    Without it a killed batch leaves workers solving on, beside the resumed batch that reruns
    the same instances. The pool catches SystemExit from a task, so SIGTERM here runs the exit
    handlers (they remove sandbox containers) and ends the process outright.
    """
    import ctypes
    import signal
    import sys

    signal.signal(signal.SIGTERM, _exit_now)
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _exit_now(signum: int, _frame: object) -> None:
    import atexit
    import os

    atexit._run_exitfuncs()
    os._exit(128 + signum)


def make_executor(
    kind: ExecutorKind | str,
    *,
    workers: int,
    address: str | None = None,
    sandbox: str = "docker",
    shared: Sequence[Path] = (),
) -> Executor:
    """The executor ``--executor`` names; Ray is imported only when asked for. A Ray task holds
    the CPUs and memory of its ``sandbox``; ``shared`` are the driver's folders (OUT first)
    that every Ray node must see."""
    if workers < 1:
        raise BadInput(f"--workers {workers} must be at least 1")
    if kind == ExecutorKind.LOCAL:
        return LocalExecutor(workers=workers)
    if kind == ExecutorKind.RAY:
        try:
            import ray  # noqa: F401 - checks that the optional dependency is installed
        except ImportError:
            raise BadInput(
                "--executor ray needs the ray package", hint="pip install 'swe-agent[ray]'"
            ) from None
        from swe_agent.bench.ray_executor import RayExecutor, sandbox_resources

        return RayExecutor(
            workers=workers,
            address=address or None,
            resources=sandbox_resources(sandbox),
            shared=shared,
        )
    raise BadInput(f"unknown executor {kind!r}", hint="use --executor local or --executor ray")


def drive(
    executor: Executor,
    fn: Callable[[T], R],
    tasks: Iterable[T],
    *,
    workers: int,
    may_start: Callable[[], bool] = lambda: True,
    on_start: Callable[[T], None] = lambda _task: None,
    on_done: Callable[[T, R | BaseException], None],
) -> None:
    """Run ``fn`` over ``tasks`` with at most ``workers`` in flight; stop starting when told.

    Interrupted (Ctrl-C, or SIGTERM made one), it ends the running tasks before it unwinds:
    a pool would otherwise wait for each of them to finish.
    """
    try:
        _drive(executor, fn, tasks, workers=workers, may_start=may_start, on_start=on_start,
               on_done=on_done)  # fmt: skip
    except KeyboardInterrupt:
        executor.stop()
        raise


def _drive(
    executor: Executor,
    fn: Callable[[T], R],
    tasks: Iterable[T],
    *,
    workers: int,
    may_start: Callable[[], bool],
    on_start: Callable[[T], None],
    on_done: Callable[[T, R | BaseException], None],
) -> None:
    pending = iter(tasks)
    running: dict[cf.Future[Any], T] = {}
    exhausted = False
    while True:
        while not exhausted and len(running) < workers and may_start():
            task = next(pending, None)
            if task is None:
                exhausted = True
                break
            on_start(task)
            running[executor.submit(fn, task)] = task
        if not running:
            return
        done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
        for future in done:
            task = running.pop(future)
            error = future.exception()
            on_done(task, error if error is not None else future.result())
