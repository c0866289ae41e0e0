"""`swe-agent undo`: remove exactly the change a run applied, never losing later work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from swe_agent.cli._common import handles_errors, print_json


@handles_errors
def undo_command(
    run: Annotated[
        str | None,
        typer.Argument(help="Run id (or a unique prefix), or its folder. Default: the latest."),
    ] = None,
    repo: Annotated[Path, typer.Option(help="The repository the run was applied to.")] = Path("."),
    json_out: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """Undo an applied run: reset while its commit is still HEAD, else a revert commit.

    Refused (exit 2) when later commits changed the same files, or those files have
    uncommitted changes; the message says why and what to do. The undo is recorded in the
    run's applied.json.

    Examples:

      swe-agent undo

      swe-agent undo 20250101-120000-ab12 --repo ../project --json
    """
    from patches import latest_applied, repository_root, undo_run
    from swe_agent.runs import find_run, list_runs

    root = repository_root(repo)
    if run is None:
        run_dir = latest_applied(r.root for r in list_runs(root)).parent
    else:
        run_dir = find_run(root, run).root
    done = undo_run(root, run_dir)
    if json_out:
        print_json(done.to_dict())
        return
    from rich.console import Console

    info = done.info
    Console(stderr=True, highlight=False).print(
        f"[green]undone[/] run {done.record.run_id} by {info.method}: "
        f"HEAD is now {info.head_after[:12]}"
        + (f" (revert commit {info.commit[:12]})" if info.commit else "")
    )
