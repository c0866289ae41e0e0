"""`swe-agent apply`: commit a run's patch to the repository it was made for."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swe_agent.cli._common import handles_errors, print_json

if TYPE_CHECKING:
    from patches import AppliedRecord


@handles_errors
def apply_command(
    run: Annotated[str, typer.Argument(help="Run id (or a unique prefix), or its folder.")],
    repo: Annotated[Path, typer.Option(help="The repository to change.")] = Path("."),
    branch: Annotated[
        str,
        typer.Option(help="current: commit on the checked-out branch; new: on swe-agent/RUN_ID."),
    ] = "current",
    allow_binary: Annotated[
        bool, typer.Option("--allow-binary", help="Accept binary changes in the patch.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """Apply <repo>/.swe-agent/runs/RUN/patch.diff as one commit, and record applied.json.

    The patch is validated first. Refused (exit 2) when a file it touches has uncommitted
    changes; other uncommitted changes are left alone and not committed.

    Examples:

      swe-agent apply 20250101-120000-ab12

      swe-agent apply 2025 --repo ../project --branch new --json
    """
    from patches import apply_run, repository_root
    from swe_agent.runs import find_run, undo_ref

    root = repository_root(repo)
    found = find_run(root, run)
    applied = apply_run(
        root, found.root, undo_ref=undo_ref(root, found), branch=branch, allow_binary=allow_binary
    )
    if json_out:
        print_json(applied.to_dict())
        return
    _print_applied(applied.record)


def _print_applied(record: AppliedRecord) -> None:
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    where = record.branch or "detached HEAD"
    console.print(
        f"[green]applied[/] run {record.run_id} as {record.commit[:12]} on {where} "
        f"({len(record.files)} file{'s' if len(record.files) != 1 else ''})"
    )
    for path in record.files:
        console.print(f"  {path}")
    console.print(f"[dim]undo with:[/] {record.undo_command}")
