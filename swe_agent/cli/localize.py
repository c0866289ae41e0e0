"""`swe-agent localize`: rank files, classes and functions for an issue, with no model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
) -> None:
    """Rank the places in a repository that an issue is about (no model needed).

    Examples:

      swe-agent localize --repo . --issue @issue.md

      swe-agent localize --repo ~/src/requests --issue "Session.send drops proxies" --top 5 --json
    """
    from localization import localize_repo

    result = localize_repo(repo, read_text_arg(issue), top=top)
    if as_json:
        print_json(result.to_dict())
    else:
        _print_tables(result)
