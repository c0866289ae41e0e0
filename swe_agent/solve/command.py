"""`swe-agent solve` as one call: a request (what the command line said) in, an outcome out.

The CLI parses its options into a `SolveRequest` and calls `run_request`; how the run is
shown (a progress line, the live review UI) is the `SolveFrontend` it passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from swe_agent.errors import BadInput
from swe_agent.runs import RunPaths
from swe_agent.solve.options import SolveOptions
from swe_agent.solve.outcome import SolveReport

if TYPE_CHECKING:
    from swe_agent.forge import ForgeSettings, PrOptions, PrResult


@dataclass(frozen=True)
class SolveRequest:
    """Everything one `swe-agent solve` command line asks for.

    The solve options are layered (swe_agent/solve/layers.py): the defaults, the user's and
    the project's files, the ``config`` file, ``flags`` (the options given explicitly), then
    the ``overrides`` (``key.path=value``); with the repository and the issue they become one
    validated `SolveOptions` (`solve_options`).
    """

    repo: Path
    issue: str = ""  # the text, or a forge issue address (URL or OWNER/REPO#N)
    config: Path | None = None  # a YAML file of solve options
    flags: Mapping[str, object] = field(default_factory=dict)  # SolveOptions field -> value
    overrides: tuple[str, ...] = ()  # key.path=value, applied last
    resume: str | None = None  # the id or folder of a killed run to continue
    watch: bool = False  # follow the search live in the review UI
    pull_request: PrOptions | None = None  # open one when the run ends (--open-pr)
    json_out: bool = False  # the outcome is printed as one JSON object

    def solve_options(
        self, *, issue: str, issue_url: str | None
    ) -> tuple[SolveOptions, tuple[str, ...]]:
        """The validated options of a new run on ``issue``, and the notes of the layering
        (what a project file could not set)."""
        from swe_agent.solve.config import layered_options

        base = {"repo": self.repo.resolve(), "issue": issue, "issue_url": issue_url}
        options, effective = layered_options(
            base,
            project=self.repo.resolve(),
            config=self.config,
            flags=self.flags,
            overrides=self.overrides,
        )
        return options, tuple(effective.notes())


class SolveFrontend(Protocol):
    """How a run is shown while it goes: it runs `swe_agent.solve.solve` its own way."""

    def solve(
        self, options: SolveOptions, *, run: RunPaths | None = None, resume: bool = False
    ) -> SolveReport: ...

    def note(self, message: str) -> None: ...


@dataclass(frozen=True)
class SolveOutcome:
    """The report of the run (None when the forge check stopped it before it began) and the
    pull request opened or refused (None without --open-pr)."""

    report: SolveReport | None
    pull_request: PrResult | None = None

    @property
    def exit_code(self) -> int:
        """0 a patch worth applying, 1 none; with --open-pr the pull request's code."""
        if self.pull_request is not None:
            return self.pull_request.exit_code
        return 0 if self.report is not None and self.report.succeeded else 1

    def to_dict(self) -> dict[str, object]:
        """The one JSON object ``--json`` prints."""
        if self.report is None:
            return self.pull_request.to_dict() if self.pull_request is not None else {}
        out = self.report.to_dict()
        if self.pull_request is not None:
            out["pull_request"] = self.pull_request.to_dict()
        return out


def run_request(request: SolveRequest, *, frontend: SolveFrontend) -> SolveOutcome:
    """Solve (or resume) as the request says; open the pull request after when asked."""
    from swe_agent.forge import check_before_solve, open_pull_request, repo_root, solve_settings

    run, resumed = _start(request)
    forge = solve_settings()
    options = resumed or _read_issue(request, forge, frontend=frontend)
    if request.pull_request is not None:
        stop = check_before_solve(
            request.repo,
            issue_url=options.issue_url,
            options=request.pull_request,
            settings=forge,
        )
        if stop is not None:
            return SolveOutcome(None, stop)
    report = frontend.solve(options, run=run, resume=run is not None)
    if request.pull_request is None:
        return SolveOutcome(report)
    opened = open_pull_request(
        repo_root(request.repo), RunPaths(report.run_dir), request.pull_request, settings=forge
    )
    return SolveOutcome(report, opened)


def _start(request: SolveRequest) -> tuple[RunPaths | None, SolveOptions | None]:
    """The killed run to continue and its own options; (None, None) for a new run."""
    if request.resume is None:
        if not request.repo.is_dir():
            raise BadInput(
                f"{request.repo} is not a directory", hint="pass --repo PATH to a repository"
            )
        return None, None
    from swe_agent.runs import find_run
    from swe_agent.solve.resume import load_options

    run = find_run(request.repo.resolve(), request.resume)
    return run, load_options(run)


def _read_issue(
    request: SolveRequest, forge: ForgeSettings, *, frontend: SolveFrontend
) -> SolveOptions:
    """The options of a new run, its issue read from the forge when it is an address."""
    from swe_agent.forge import read_issue

    text, issue_url = read_issue(request.issue, forge, say=frontend.note)
    if not text.strip():
        raise BadInput("no issue text given", hint="pass --issue TEXT or --issue @FILE")
    options, notes = request.solve_options(issue=text, issue_url=issue_url)
    for note in notes:
        frontend.note(f"note: {note}")
    return options
