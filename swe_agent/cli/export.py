"""`swe-agent export`: a run's chosen branch as mini-swe-agent's or SWE-agent's trajectory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from swe_agent.cli._common import handles_errors, print_json
from swe_agent.export import ExportFormat


@handles_errors
def export_command(
    run: Annotated[
        str | None,
        typer.Argument(help="Run id (or a unique prefix), or its folder. Default: the latest."),
    ] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="mini: mini-swe-agent's .traj.json; swe-agent: SWE-agent's .traj; "
            "jsonl: our trajectory.jsonl cut to the branch.",
        ),
    ] = ExportFormat.MINI,
    node: Annotated[
        int | None,
        typer.Option("--node", "-n", help="Export the branch to this node. Default: the chosen."),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            "-o",
            help="A file, or a folder that gets RUN_ID.traj.json (.traj, .jsonl); - for stdout. "
            "Default: the current folder.",
        ),
    ] = None,
    repo: Annotated[
        Path, typer.Option(help="The repository whose .swe-agent/runs/ holds the run.")
    ] = Path("."),
    json_out: Annotated[
        bool, typer.Option("--json", help="Print where it was written, as JSON.")
    ] = False,
) -> None:
    """Export a run's branch for the tools of other agents: from the root to the chosen node
    (or --node N), as one conversation with its actions, observations, usage and patch.

    mini-swe-agent's inspector (`mini-extra inspector FILE`) and SWE-agent's (`sweagent
    inspect FILE`) open the files it writes.

    Examples:

      swe-agent export --format mini

      swe-agent export 20250101-120000-ab12 --format swe-agent --out trajectories/

      swe-agent export RUN --node 7 --format jsonl --out - | jq .type

      swe-agent export OUT/runs/astropy__astropy-12907 -f mini -o astropy__astropy-12907.traj.json
    """
    from swe_agent.errors import BadInput
    from swe_agent.export import export_run, write_export
    from swe_agent.runs import find_run

    if out == "-" and json_out:
        raise BadInput("--out - writes the export to stdout, where --json would write too",
                       hint="drop --json, or give --out a file or folder")  # fmt: skip
    done = export_run(find_run(repo, run), fmt=fmt, node=node)
    if out == "-":
        sys.stdout.write(done.text)
        return
    path = write_export(done, Path(out) if out else Path.cwd())
    if json_out:
        print_json({"status": "ok", "path": str(path), "format": str(done.format),
                    "node": done.node, "chosen": done.chosen, "steps": done.steps})  # fmt: skip
        return
    which = "chosen node" if done.chosen else "node"
    typer.echo(f"wrote {path} ({done.format}: {done.steps} steps to {which} {done.node})", err=True)
