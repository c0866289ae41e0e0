"""`swe-agent localize`: rank files, classes and functions for an issue, with no model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from swe_agent.cli._common import handles_errors, print_json, read_text_arg

if TYPE_CHECKING:
    from localization import Localization


def _print_tables(result: Localization) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for title, locations in (
        ("Files", result.files),
        ("Classes", result.classes),
        ("Functions", result.functions),
    ):
        table = Table(title=title, title_justify="left", expand=False)
        table.add_column("#", justify="right")
        table.add_column("location", overflow="fold")
        table.add_column("score", justify="right")
        table.add_column("why", overflow="fold")
        for rank, loc in enumerate(locations, start=1):
            table.add_row(str(rank), loc.id, f"{loc.score:.2f}", "; ".join(loc.reasons[:2]))
        if not locations:
            table.add_row("", "(nothing matched)", "", "")
        console.print(table)


@handles_errors
def localize_command(
    repo: Annotated[Path, typer.Option("--repo", help="Root folder of the repository.")] = Path(
        "."
    ),
    issue: Annotated[
        str, typer.Option("--issue", help="The issue text, or @FILE to read it from a file.")
    ] = "",
    top: Annotated[int, typer.Option("--top", min=1, help="How many locations per level.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print files, classes and functions as JSON.")
    ] = False,
    run_example: Annotated[
        bool,
        typer.Option(
            "--run-example",
            help="Also run the issue's example (a >>> session, a shell reproducer running the "
            "project's command, or a script importing the project) in a Docker sandbox, in "
            "the environment `swe-agent env setup` recorded, and rank with the code it ran "
            "and the frames it raised through.",
        ),
    ] = False,
    no_history: Annotated[
        bool,
        typer.Option(
            "--no-history",
            help="Leave the repository's git history out (by default the files of past "
            "commits whose messages read like the issue gain score).",
        ),
    ] = False,
) -> None:
    """Rank the places in a repository that an issue is about (no model needed).

    Evidence: the tracebacks, paths, links to source lines
    (github .../blob/REF/f.py#L12), names and messages the issue quotes,
    text match, the code graph's calls and imports and, in a git checkout,
    the files of past commits like the issue.

    Examples:

      swe-agent localize --repo . --issue @issue.md

      swe-agent localize --repo ~/src/requests --issue "Session.send drops proxies" --top 5 --json

      swe-agent localize --repo . --issue @issue.md --run-example
    """
    from localization import localize_repo

    text = read_text_arg(issue)
    ran: dict[str, Any] = {}

    def run(main_package: str | None) -> Any:
        from swe_agent.example_trace import trace_in_repo

        ran["execution"] = trace_in_repo(repo, text, main_package=main_package)
        return ran["execution"]

    result = localize_repo(
        repo, text, top=top, run_example=run if run_example else None, history=not no_history
    )
    example = _example_summary(ran["execution"]) if run_example else None
    if as_json:
        print_json({**result.to_dict(), **({"example": example} if run_example else {})})
    else:
        if example is not None:
            typer.echo(example["summary"])
        _print_tables(result)


def _example_summary(execution: Any) -> dict[str, Any]:
    """What running the example gave, for the report."""
    if execution is None:
        return {"ran": 0, "raised": [], "summary": "example: none found in the issue, or no trace"}
    raised = [f"{path}:{line} in {name}" for path, line, name in execution.raised]
    summary = f"example: ran {len(execution.calls)} functions of the repository" + (
        f"; raised through {raised[-1]}" if raised else ""
    )
    return {"ran": len(execution.calls), "raised": raised, "summary": summary}
