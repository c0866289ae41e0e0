"""`swe-agent config`: the options `solve` and `bench run` would use, and where each came from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from swe_agent.cli import run_options
from swe_agent.cli._common import handles_errors, print_json

if TYPE_CHECKING:
    from swe_agent.solve.layers import Effective

app = typer.Typer(
    help="The layered configuration of solve and bench run: defaults, SWE_AGENT_MODEL, "
    "the user file, the project file, -C FILE, flags, -c key=value.",
    no_args_is_help=True,
)


@app.command("show")
@handles_errors
def show_command(  # noqa: PLR0913 - the flags solve and bench run share
    repo: Annotated[
        Path,
        typer.Option("--repo", "-r", help="The repository whose .swe-agent/config.yaml is read."),
    ] = Path("."),
    model: run_options.Model = None,
    search: run_options.Search = None,
    iterations: run_options.Iterations = None,
    expansions: run_options.Expansions = None,
    max_steps: run_options.MaxSteps = None,
    max_calls: run_options.MaxCalls = None,
    test_command: run_options.TestCommand = None,
    judge: run_options.Judge = None,
    seed: run_options.Seed = None,
    sandbox: run_options.SandboxOpt = None,
    config: run_options.ConfigFileOpt = None,
    overrides: run_options.Overrides = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print the effective options and where each value came from.

    Sources, each over the ones before it: the built-in defaults; SWE_AGENT_MODEL (the default
    model); your user file ($XDG_CONFIG_HOME/swe-agent/config.yaml, else
    ~/.config/swe-agent/config.yaml); the project file (REPO/.swe-agent/config.yaml, which a
    repository may commit: it may not set the model, the sandbox, the judge or apply, and may
    only lower the caps); -C FILE; the flags solve and bench run share; -c key.path=value.

    Examples:

      swe-agent config show

      swe-agent config show --repo ../project -c iterations=80 --json

      swe-agent config show -C batch.yaml --search linear --judge off
    """
    from swe_agent.errors import BadInput
    from swe_agent.solve.layers import gather

    flags = run_options.flag_sources(locals())  # the parameters: the shared flags given
    if not repo.is_dir():
        raise BadInput(f"{repo} is not a directory", hint="pass --repo PATH to a repository")
    effective = gather(
        project=repo.resolve(), config_file=config, flags=flags, overrides=overrides or []
    )
    if json_out:
        print_json({"status": "ok", **effective.to_dict()})
    else:
        _print(effective)


def _print(effective: Effective) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from swe_agent.solve.layers import FILE_LABELS

    console = Console(highlight=False)
    for entry in effective.files:
        state = "" if entry.found else "  [dim](none)[/]"
        console.print(f"{FILE_LABELS[entry.layer]}: {escape(str(entry.path))}{state}")
    table = Table(box=None, pad_edge=False)
    for column in ("option", "value", "from"):
        table.add_column(column, overflow="fold")
    labels = {entry.layer: FILE_LABELS[entry.layer] for entry in effective.files}
    for key, setting in effective.settings.items():
        source = labels.get(setting.layer, setting.where)
        table.add_row(key, escape(_shown(setting.value)), escape(source))
    console.print(table)
    for note in effective.notes():
        console.print(f"[yellow]{escape(note)}[/]")


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
