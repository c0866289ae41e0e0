"""`swe-agent solve`: turn an issue and a repository into a validated patch."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from swe_agent.cli import pr, run_options
from swe_agent.cli._common import (
    chatter_to_stderr,
    handles_errors,
    print_json,
    read_text_arg,
    run_command_line,
)
from swe_agent.errors import BadInput

if TYPE_CHECKING:
    from swe_agent.forge import ForgeSettings, PrOptions

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
    from swe_agent.solve import solve
    from swe_agent.solve.config import layered_options

    pr_options = pr.pr_options(ctx, open_pr=open_pr)
    if resume is not None:
        _resume(repo, resume, pr_options=pr_options, json_out=json_out)
        return
    if not repo.is_dir():
        raise BadInput(f"{repo} is not a directory", hint="pass --repo PATH to a repository")
    text = read_text_arg(issue) if issue is not None else ""
    forge = pr.forge_settings()
    text, issue_url = pr.forge_issue(text, forge)
    if not text.strip():
        raise BadInput("no issue text given", hint="pass --issue TEXT or --issue @FILE")
    flags = {field: ctx.params[param] for param, field in FLAG_FIELDS.items() if _given(ctx, param)}
    if no_env:
        flags["setup_env"] = False
    options, effective = layered_options(
        {"repo": repo.resolve(), "issue": text, "issue_url": issue_url},
        project=repo.resolve(),
        config=config,
        flags=flags,
        overrides=overrides or (),
    )
    for note in effective.notes():
        typer.echo(f"note: {note}", err=True)
    if pr_options is not None:
        pr.before_solve(
            repo, issue_url=issue_url, options=pr_options, settings=forge, json_out=json_out
        )
    if tui:
        report = _solve_with_tui(options)
    else:
        with _Progress(quiet=False) as progress, chatter_to_stderr():
            report = solve(options, say=progress.phase, on_event=progress.event)
    _finish(repo, report, pr_options=pr_options, forge=forge, json_out=json_out)


def _finish(
    repo: Path,
    report: dict[str, Any],
    *,
    pr_options: PrOptions | None,
    forge: ForgeSettings,
    json_out: bool,
) -> None:
    """Print the report, after opening the pull request when --open-pr asked for one."""
    if pr_options is None:
        _report(report, json_out=json_out)
        return
    opened = pr.after_solve(repo, report, options=pr_options, settings=forge)
    _report(report | {"pull_request": opened.to_dict()}, json_out=json_out, code=opened.exit_code)
    if not json_out:
        pr.show(opened, json_out=False)
    raise typer.Exit(opened.exit_code)


def _given(ctx: typer.Context, param: str) -> bool:
    """True when the user passed ``param`` (not its default)."""
    source = ctx.get_parameter_source(param)
    return source is not None and source.name != "DEFAULT"


def _solve_with_tui(options: Any) -> dict[str, Any]:
    """Solve in a worker thread while the review app follows the run folder."""
    import threading

    from swe_agent.runs import RunPaths, new_run_id, runs_dir
    from swe_agent.solve import node_test_runner, solve
    from tui import ReviewSettings, make_app

    run = RunPaths(runs_dir(options.repo) / new_run_id())
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["report"] = solve(options, run=run)
        except BaseException as exc:  # handed to the main thread, which re-raises it
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="solve", daemon=True)
    worker.start()
    while not run.root.exists() and worker.is_alive():
        time.sleep(0.05)
    if run.root.exists():
        tests = node_test_runner(options.repo, run)  # t works once the run has ended
        make_app(run, ReviewSettings(repo=options.repo, refresh_s=1.0, run_tests=tests)).run()
    if worker.is_alive():
        follow = run_command_line("review", run.run_id, repo=options.repo, extra="--follow")
        typer.echo(f"the search goes on; follow it with: {follow}")
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return dict(outcome["report"])


def _resume(repo: Path, run_name: str, *, pr_options: PrOptions | None, json_out: bool) -> None:
    """Continue a killed run; with --open-pr, open its pull request as a fresh solve would."""
    from swe_agent.runs import find_run
    from swe_agent.solve import solve
    from swe_agent.solve.resume import load_options

    run = find_run(repo.resolve(), run_name)
    options = load_options(run)
    forge = pr.forge_settings()
    if pr_options is not None:
        pr.before_solve(
            repo, issue_url=options.issue_url, options=pr_options, settings=forge, json_out=json_out
        )
    with _Progress(quiet=False) as progress, chatter_to_stderr():
        report = solve(options, say=progress.phase, on_event=progress.event, run=run, resume=True)
    _finish(repo, report, pr_options=pr_options, forge=forge, json_out=json_out)


def _report(report: dict[str, Any], *, json_out: bool, code: int | None = None) -> None:
    if json_out:
        print_json(report)
    else:
        _print_summary(report)
    if code is None and report["status"] not in ("resolved", "submitted"):
        raise typer.Exit(1)


class _Progress:
    """A one-line live display on stderr: phase, iteration, nodes, elapsed."""

    def __init__(self, *, quiet: bool) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.started = time.monotonic()
        self.text = "starting"
        self.nodes = 0
        self.status: Any = None
        self.quiet = quiet

    def __enter__(self) -> _Progress:
        if not self.quiet:
            self.status = self.console.status(self.text)
            self.status.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)

    def phase(self, message: str) -> None:
        self.text = message
        self._say(message)
        self._refresh()

    def _say(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        self.console.print(f"[dim]{elapsed:>6.1f}s[/] {message}", highlight=False)

    def event(self, event: Any) -> None:
        if str(event.kind) == "node_added":
            self.nodes += 1
            action = (event.node.action or {}).get("summary", "")
            self._say(f"step {self.nodes}: {action}")
        self.text = f"searching: iteration {event.iteration}, {self.nodes} nodes"
        self._refresh()

    def _refresh(self) -> None:
        if self.status is not None:
            elapsed = time.monotonic() - self.started
            self.status.update(f"{self.text}  [dim]{elapsed:.0f}s[/]")


def _print_summary(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.syntax import Syntax

    console = Console()
    if report["patch"]:
        console.print(Syntax(report["patch"], "diff", theme="ansi_dark"))
    tests = report.get("tests") or {}
    search = report["search"]
    console.print(
        f"[bold]{report['status']}[/]  run {report['run_id']}  "
        f"tests: fixed {len(tests.get('fixed', []))}, broken {len(tests.get('broken', []))}  "
        f"nodes {search.get('nodes')}  stop {search.get('stop_reason')}  "
        f"tokens {report['tokens']['in']}+{report['tokens']['out']}  "
        f"${report['cost_usd']:.4f}  {report['elapsed_s']:.0f}s"
    )
    repo = Path(report["run_dir"]).parents[2]  # <repo>/.swe-agent/runs/<run-id>
    review = run_command_line("review", report["run_id"], repo=repo)
    console.print(f"run folder: {report['run_dir']}  (review: {review})", markup=False)
