"""`swe-agent pr`: open the pull request of a finished run, with the run's evidence; and the
pull request options that `solve --open-pr` shares with it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swe_agent.cli._common import handles_errors, print_json
from swe_agent.errors import BadInput

if TYPE_CHECKING:
    from swe_agent.forge import PrOptions, PrResult

OpenPr = Annotated[
    bool,
    typer.Option(
        "--open-pr",
        help="After the run: push a swe-agent/ISSUE branch and open a pull request (see `pr`).",
    ),
]
Remote = Annotated[str, typer.Option(help="Git remote to push the branch to.")]
Base = Annotated[
    str | None, typer.Option(help="Branch to merge into; default: the checked-out branch.")
]
DraftUnresolved = Annotated[
    bool,
    typer.Option(
        "--draft-unresolved", help="Open a draft when the run has a patch but did not resolve."
    ),
]
Comment = Annotated[
    bool, typer.Option("--comment", help="Also comment on the issue, linking the pull request.")
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Go ahead when a pull request or the branch exists: update it."),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print what would be pushed and posted; do neither.")
]
PR_FLAGS = ("remote", "base", "draft_unresolved", "comment", "force", "dry_run")


@handles_errors
def pr_command(  # noqa: PLR0913 - one option per knob a user can turn
    run: Annotated[
        str | None, typer.Argument(help="Run id (or a unique prefix) or folder; default: latest.")
    ] = None,
    repo: Annotated[Path, typer.Option("--repo", "-r", help="The repository of the run.")] = Path(
        "."
    ),
    issue: Annotated[
        str | None,
        typer.Option(help="The issue it fixes (URL or OWNER/REPO#N); default: the run's --issue."),
    ] = None,
    remote: Remote = "origin",
    base: Base = None,
    draft_unresolved: DraftUnresolved = False,
    comment: Comment = False,
    force: Force = False,
    dry_run: DryRun = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Push a finished run's patch as one commit on swe-agent/issue-N and open a pull request.

    The commit is made by the same apply path as `swe-agent apply`, on the run's base commit,
    without touching your working tree. The body gives the evidence: the issue, the tests
    fixed and broken, the reproduction test, the top localization reasons, model, calls,
    cost, time, and the chosen branch's actions. GitHub is reached through GITHUB_API_URL,
    GITHUB_SERVER_URL and GITHUB_TOKEN (as GitHub Actions sets them).

    Exit codes: 0 opened (or updated with --force), 1 no fix to propose, 2 bad input,
    3 a draft opened (--draft-unresolved), 4 nothing done: a pull request for the issue or
    the branch exists already.

    Examples:

      swe-agent pr                                  # the latest run

      swe-agent pr 20250101-120000-ab12 --comment --draft-unresolved

      swe-agent pr 2025 --issue octo-org/octo-repo#12 --base main --dry-run

      GITHUB_TOKEN=... swe-agent pr --force --json
    """
    from swe_agent.forge import ForgeSettings, PrOptions, open_pull_request, repo_root
    from swe_agent.runs import find_run

    root = repo_root(repo)
    found = find_run(root, run)
    options = PrOptions(
        remote=remote,
        base=base,
        issue=issue,
        draft_unresolved=draft_unresolved,
        comment=comment,
        force=force,
        dry_run=dry_run,
    )
    result = open_pull_request(root, found, options, settings=ForgeSettings.from_env())
    show(result, json_out=json_out)
    raise typer.Exit(result.exit_code)


def show(result: PrResult, *, json_out: bool) -> None:
    """Print the outcome: JSON on stdout, or a line on stderr (plus the plan for --dry-run)."""
    if json_out:
        print_json(result.to_dict())
        return
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    if result.dry_run and result.commit:
        console.print(f"[bold]branch[/] {result.branch} <- commit {result.commit[:12]}")
        console.print(f"[bold]pull request[/] into {result.base}: {result.title}")
        console.print(result.body, markup=False)
    colour = "green" if result.exit_code == 0 else "yellow"
    console.print(f"[{colour}]{result.outcome}[/]: {result.message}")


def pr_options(ctx: typer.Context, *, open_pr: bool) -> PrOptions | None:
    """The pull request options of `solve --open-pr`; refuses them without --open-pr."""
    from swe_agent.forge import PrOptions

    given = [name for name in PR_FLAGS if _given(ctx, name)]
    if not open_pr:
        if given:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise BadInput(f"{flags} only apply with --open-pr", hint="add --open-pr")
        return None
    return PrOptions(**{name: ctx.params[name] for name in PR_FLAGS})


def _given(ctx: typer.Context, param: str) -> bool:
    source = ctx.get_parameter_source(param)
    return source is not None and source.name != "DEFAULT"
