"""`swe-agent review`: open a run in the review TUI (tree, trajectory, hunks, apply, undo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from swe_agent.cli._common import handles_errors


@handles_errors
def review_command(
    run: Annotated[
        str | None,
        typer.Argument(help="Run id (or a unique prefix), or its folder. Default: the latest."),
    ] = None,
    repo: Annotated[
        Path, typer.Option(help="The repository whose .swe-agent/runs/ holds the run.")
    ] = Path("."),
    theme: Annotated[
        str | None, typer.Option(help="dark, light, or any Textual theme name.")
    ] = None,
    branch: Annotated[
        str,
        typer.Option(help="Where p commits: current branch, or new branch swe-agent/RUN_ID."),
    ] = "current",
    follow: Annotated[
        bool, typer.Option(help="Re-read the run folder every second (a run still going).")
    ] = False,
) -> None:
    """Review a run: browse its search tree, accept hunks, apply them as one commit, undo.

    Keys: space toggles the hunk under the cursor, a accepts all hunks of the node, p applies
    the accepted hunks as one commit (refused when a touched file has uncommitted changes), u
    undoes that commit, e exports the accepted hunks to a patch file in the run folder, t
    re-runs the node's tests (when the run's environment image still exists), ? shows every
    key, q quits.

    Examples:

      swe-agent review

      swe-agent review 20250101-120000-ab12 --repo ../project --theme light

      swe-agent review --follow      (while swe-agent solve runs in another terminal)
    """
    from swe_agent.runs import find_run
    from swe_agent.solve import node_test_runner
    from tui import ReviewSettings, make_app

    found = find_run(repo, run)
    settings = ReviewSettings(
        repo=repo,
        theme=theme,
        branch=branch,
        run_tests=node_test_runner(repo, found),
        refresh_s=1.0 if follow else None,
    )
    make_app(found, settings).run()
