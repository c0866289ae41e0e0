"""`swe-agent solve`: turn an issue and a repository into a validated patch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swe_agent.cli import pr, run_options
from swe_agent.cli._common import (
    chatter_to_stderr,
    handles_errors,
    print_json,
    read_text_arg,
    run_command_line,
)

if TYPE_CHECKING:
    from rich.status import Status

    from search import SearchEvent
    from swe_agent.runs import RunPaths
    from swe_agent.solve import SolveFrontend, SolveOptions, SolveOutcome, SolveReport, SolveRequest

# CLI parameter -> SolveOptions field, for the flags given explicitly on the command line.
FLAG_FIELDS = {
    "commit": "commit",
    "model": "model",
    "search": "search",
    "iterations": "iterations",
    "expansions": "expansions",
    "max_steps": "max_steps",
    "budget": "budget_usd",
    "max_calls": "max_calls",
    "sandbox": "sandbox",
    "allow_unsandboxed": "allow_unsandboxed",
    "apply": "apply",
    "test_command": "test_command",
    "judge": "judge",
    "seed": "seed",
}


@handles_errors
def solve_command(  # noqa: PLR0913 - one option per knob a user can turn
    ctx: typer.Context,
    issue: Annotated[
        str | None, typer.Option("--issue", "-i", help="Issue text, or @FILE.")
    ] = None,
    repo: Annotated[Path, typer.Option("--repo", "-r", help="Repository root.")] = Path("."),
    model: run_options.Model = None,
    search: run_options.Search = None,
    iterations: run_options.Iterations = None,
    expansions: run_options.Expansions = None,
    max_steps: run_options.MaxSteps = None,
    budget: Annotated[float | None, typer.Option(help="Dollars of model calls.")] = None,
    max_calls: run_options.MaxCalls = None,
    commit: Annotated[str | None, typer.Option(help="Base revision; default HEAD.")] = None,
    sandbox: run_options.SandboxOpt = None,
    allow_unsandboxed: Annotated[
        bool, typer.Option(help="Use the local sandbox when Docker is missing.")
    ] = False,
    no_env: Annotated[bool, typer.Option("--no-env", help="Skip environment set-up.")] = False,
    apply: Annotated[bool, typer.Option(help="Commit the patch to the repository.")] = False,
    test_command: run_options.TestCommand = None,
    judge: run_options.Judge = None,
    seed: run_options.Seed = None,
    config: run_options.ConfigFileOpt = None,
    overrides: run_options.Overrides = None,
    tui: Annotated[bool, typer.Option(help="Watch the search live in the review UI.")] = False,
    resume: Annotated[
        str | None, typer.Option(help="Continue a killed run (its id or folder).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    open_pr: pr.OpenPr = False,
    remote: pr.Remote = "origin",
    base: pr.Base = None,
    draft_unresolved: pr.DraftUnresolved = False,
    comment: pr.Comment = False,
    force: pr.Force = False,
    dry_run: pr.DryRun = False,
) -> None:
    """Find, test and record a fix for an issue.

    Options come from, each over the ones before: the defaults, SWE_AGENT_MODEL (the default
    model), your user file (~/.config/swe-agent/config.yaml), the repository's
    .swe-agent/config.yaml (it may not set the model, the sandbox, the judge or apply, and may
    only lower caps), --config FILE, the flags given, then -c overrides (e.g. -c
    agent.max_format_errors=5 -c test_timeout_s=300). `swe-agent config show` prints them.

    Examples:

      swe-agent solve --repo . --issue @issue.md

      swe-agent solve --repo . --issue "median() is wrong for even counts" --search linear

      swe-agent solve --repo . -i @issue.md --model anthropic/claude-sonnet-4-20250514 --budget 2

      swe-agent solve --repo . -i @issue.md -C solve.yaml -c iterations=80 --tui

      swe-agent solve --repo . -i @issue.md --test-command "python -m pytest -x --timeout 10"

      swe-agent solve --repo . --resume 20261122-001216-41d3

      swe-agent solve --repo . --issue https://github.com/OWNER/REPO/issues/12 --open-pr

    --issue also takes a GitHub issue address (or OWNER/REPO#N): its title, body and comments
    are read through GITHUB_API_URL, with GITHUB_TOKEN when set. --open-pr then pushes the
    patch and opens a pull request, as `swe-agent pr` does (its exit codes: 3 a draft
    opened, 4 nothing done because a pull request or the branch exists).
    """
    from swe_agent.solve import SolveRequest, run_request

    flags = {field: ctx.params[param] for param, field in FLAG_FIELDS.items() if _given(ctx, param)}
    if no_env:
        flags["setup_env"] = False
    request = SolveRequest(
        repo=repo,
        issue=read_text_arg(issue) if issue is not None else "",
        config=config,
        flags=flags,
        overrides=tuple(overrides or ()),
        resume=resume,
        watch=tui,
        pull_request=pr.pr_options(ctx, open_pr=open_pr),
        json_out=json_out,
    )
    outcome = run_request(request, frontend=_frontend(request))
    _show(outcome, json_out=json_out)
    raise typer.Exit(outcome.exit_code)


def _given(ctx: typer.Context, param: str) -> bool:
    """True when the user passed ``param`` (not its default)."""
    source = ctx.get_parameter_source(param)
    return source is not None and source.name != "DEFAULT"


def _frontend(request: SolveRequest) -> SolveFrontend:
    """The review app following the run (--tui), else a progress line on stderr."""
    if not request.watch:
        return _Console()
    from tui import LiveSolve

    def follow(run: RunPaths) -> str:
        return run_command_line("review", run.run_id, repo=request.repo, extra="--follow")

    return LiveSolve(note=_note, follow_hint=follow)


def _note(message: str) -> None:
    typer.echo(message, err=True)


class _Console:
    """Solve with a live progress line on stderr; anything printed meanwhile goes there too."""

    def solve(
        self, options: SolveOptions, *, run: RunPaths | None = None, resume: bool = False
    ) -> SolveReport:
        from swe_agent.solve import solve

        with _Progress(quiet=False) as progress, chatter_to_stderr():
            return solve(
                options, say=progress.phase, on_event=progress.event, run=run, resume=resume
            )

    def note(self, message: str) -> None:
        _note(message)


def _show(outcome: SolveOutcome, *, json_out: bool) -> None:
    """Print the report (JSON, or the patch and a summary), then the pull request's line."""
    if json_out:
        print_json(outcome.to_dict())
        return
    if outcome.report is not None:
        _print_summary(outcome.report)
    if outcome.pull_request is not None:
        pr.show(outcome.pull_request, json_out=False)


class _Progress:
    """A one-line live display on stderr: phase, iteration, nodes, elapsed."""

    def __init__(self, *, quiet: bool) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.started = time.monotonic()
        self.text = "starting"
        self.nodes = 0
        self.status: Status | None = None
        self.quiet = quiet

    def __enter__(self) -> _Progress:
        if not self.quiet:
            self.status = self.console.status(self.text)
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()

    def phase(self, message: str) -> None:
        self.text = message
        self._say(message)
        self._refresh()

    def _say(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        self.console.print(f"[dim]{elapsed:>6.1f}s[/] {message}", highlight=False)

    def event(self, event: SearchEvent) -> None:
        if str(event.kind) == "node_added" and event.node is not None:
            self.nodes += 1
            action = (event.node.action or {}).get("summary", "")
            self._say(f"step {self.nodes}: {action}")
        self.text = f"searching: iteration {event.iteration}, {self.nodes} nodes"
        self._refresh()

    def _refresh(self) -> None:
        if self.status is not None:
            elapsed = time.monotonic() - self.started
            self.status.update(f"{self.text}  [dim]{elapsed:.0f}s[/]")


def _print_summary(report: SolveReport) -> None:
    from rich.console import Console
    from rich.syntax import Syntax

    console = Console()
    if report.patch:
        console.print(Syntax(report.patch, "diff", theme="ansi_dark"))
    search = report.search
    console.print(
        f"[bold]{report.status}[/]  run {report.run_id}  "
        f"tests: fixed {len(report.fixed)}, broken {len(report.broken)}  "
        f"nodes {search.get('nodes')}  stop {search.get('stop_reason')}  "
        f"tokens {report.tokens.input}+{report.tokens.output}  "
        f"${report.cost_usd:.4f}  {report.elapsed_s:.0f}s"
    )
    if report.autosubmitted is not None:
        console.print(str(report.autosubmitted.get("why", "")), markup=False)
    repo = report.run_dir.parents[2]  # <repo>/.swe-agent/runs/<run-id>
    review = run_command_line("review", report.run_id, repo=repo)
    console.print(f"run folder: {report.run_dir}  (review: {review})", markup=False)
