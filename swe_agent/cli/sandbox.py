"""`swe-agent sandbox`: build base images, check Docker, remove leftover containers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from swe_agent.cli._common import handles_errors, print_json

T = TypeVar("T")
app = typer.Typer(help="Sandbox images and health: bootstrap, doctor, gc.", no_args_is_help=True)


@app.command("bootstrap")
@handles_errors
def bootstrap_command(
    python: Annotated[
        str, typer.Option(help="Python version of the image: 3.6, 3.8 to 3.13.")
    ] = "3.9",
    mirror: Annotated[
        str | None,
        typer.Option(
            help="Mirror of the release's distribution (default: the Debian mirror apt uses "
            "here, or Ubuntu's archive)."
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where the root file system tarball is kept (~/.cache/swe-agent/images)."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Build a base image with debootstrap + docker import; no registry needed.

    Debian bullseye gives Python 3.9, bookworm 3.11, trixie 3.13; Ubuntu bionic 3.6, focal
    3.8, jammy 3.10, noble 3.12 (its archive key comes from Debian's ubuntu-keyring package).
    The image is tagged swe-agent/python:X.Y.

    The root file system is cached, so a second bootstrap is a docker import of seconds.

    Examples:

      swe-agent sandbox bootstrap --python 3.9

      swe-agent sandbox bootstrap --python 3.11 --mirror http://deb.debian.org/debian

      swe-agent sandbox bootstrap --python 3.8      # Ubuntu focal, for code of 2016-2020
    """
    from rich.console import Console

    from sandbox import bootstrap

    console = Console(stderr=True, highlight=False)
    result = _with_progress(
        console,
        f"bootstrapping Python {python}",
        lambda progress: bootstrap(python, mirror=mirror, cache_dir=cache_dir, progress=progress),
    )
    if json_out:
        print_json({**result.__dict__, "tarball": str(result.tarball)})
        return
    how = "built"
    if result.from_cache:
        how = "imported from the cached tarball" if result.imported else "already present"
    console.print(
        f"[green]{result.tag}[/] {how} in {result.seconds:.1f} s ({result.image_id[:19]})"
    )


def _with_progress(console: Any, title: str, work: Callable[[Callable[[str], None]], T]) -> T:
    """Run ``work(progress)``: a spinner on a terminal, plain lines in a CI log."""
    from rich.markup import escape

    if not console.is_terminal:
        return work(lambda line: console.print(line, markup=False))
    with console.status(title) as status:
        return work(lambda line: status.update(f"{title}: [dim]{escape(line[:90])}[/]"))


@app.command("doctor")
@handles_errors
def doctor_command(
    python: Annotated[str, typer.Option(help="Python version whose image to try.")] = "3.9",
    pip: Annotated[
        bool, typer.Option(help="Also check that pip in a container reaches the package index.")
    ] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check the Docker daemon, images, registry, start-up time and pip through the proxy.

    Every failed check comes with its fix. Exits 1 when a check failed.

    Examples:

      swe-agent sandbox doctor

      swe-agent sandbox doctor --no-pip --json
    """
    from rich.console import Console

    from sandbox import run_doctor

    console = Console(stderr=True, highlight=False)
    report = _with_progress(
        console, "checking", lambda progress: run_doctor(python=python, pip=pip, progress=progress)
    )
    if json_out:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(report: object) -> None:
    from rich.console import Console
    from rich.table import Table

    colours = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "dim"}
    table = Table(show_header=True, header_style="bold")
    for column in ("check", "result", "detail"):
        table.add_column(column)
    for check in report.checks:  # type: ignore[attr-defined]
        colour = colours[check.level.value]
        detail = check.detail + (f"\n[yellow]fix:[/] {check.fix}" if check.fix else "")
        table.add_row(check.name, f"[{colour}]{check.level.value}[/]", detail)
    Console().print(table)


@app.command("gc")
@handles_errors
def gc_command(
    all_: Annotated[
        bool,
        typer.Option("--all", help="Remove every sandbox container, even ones still in use."),
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the removed ids as JSON.")
    ] = False,
) -> None:
    """Remove leftover sandbox containers (those whose owning process has ended).

    Examples:

      swe-agent sandbox gc

      swe-agent sandbox gc --all --json
    """
    from sandbox import remove_leftovers

    removed = remove_leftovers(everything=all_)
    if json_out:
        print_json({"removed": removed})
    else:
        typer.echo(f"removed {len(removed)} container(s) {' '.join(removed)}".rstrip())
