"""Watch a solve live: the run goes on in a worker thread while the review app follows its
run folder; closing the app early leaves the run going until it ends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from swe_agent.runs import RunPaths, new_run_id, runs_dir
from swe_agent.solve import SolveOptions, SolveReport, node_test_runner, solve


@dataclass(frozen=True)
class LiveSolve:
    """A solve frontend (see `swe_agent.solve.command.SolveFrontend`) that shows the run in
    the review app while it goes."""

    note: Callable[[str], None]  # one line for the person (stderr in the CLI)
    follow_hint: Callable[[RunPaths], str]  # how to follow the run once the app is closed

    def solve(
        self, options: SolveOptions, *, run: RunPaths | None = None, resume: bool = False
    ) -> SolveReport:
        """Solve in a worker thread; the app opens once the run folder exists."""
        from tui.app import make_app
        from tui.settings import ReviewSettings

        run = run or RunPaths(runs_dir(options.repo) / new_run_id())
        worker = _Worker(options, run=run, resume=resume)
        worker.start()
        worker.started.wait()  # the run folder exists, or the run ended before making it
        if run.root.exists():
            tests = node_test_runner(options.repo, run)  # t works once the run has ended
            settings = ReviewSettings(repo=options.repo, refresh_s=1.0, run_tests=tests)
            make_app(run, settings).run()
        if worker.is_alive():
            self.note(f"the search goes on; follow it with: {self.follow_hint(run)}")
        return worker.result()


class _Worker(threading.Thread):
    """One solve in a thread; its error, if any, is raised again in the caller's."""

    def __init__(self, options: SolveOptions, *, run: RunPaths, resume: bool) -> None:
        super().__init__(name="solve", daemon=True)
        self.options, self.run_paths, self.resume = options, run, resume
        self.started = threading.Event()  # set once the run folder exists or the run ended
        self.report: SolveReport | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.report = solve(
                self.options, say=self._said, run=self.run_paths, resume=self.resume
            )
        except BaseException as exc:  # handed to the caller's thread, which raises it again
            self.error = exc
        finally:
            self.started.set()

    def _said(self, _message: str) -> None:
        # solve says each phase; the first after the folder is made opens the app
        if self.run_paths.root.exists():
            self.started.set()

    def result(self) -> SolveReport:
        """Wait for the run to end; its report, or its error raised here."""
        self.join()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report
