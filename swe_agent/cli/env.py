"""`swe-agent env`: set up a repository's test environment in Docker, and show the record."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from swe_agent.cli._common import chatter_to_stderr, handles_errors, print_json

if TYPE_CHECKING:
    from env_setup import EnvRecord

app = typer.Typer(
    help="Environment set-up: detect, install, verify and cache a repository's test environment.",
    no_args_is_help=True,
)


@app.command("setup")
@handles_errors
def setup_command(  # noqa: PLR0913 - one option per knob of a setup
    path: Annotated[Path, typer.Argument(help="The repository to set up.")] = Path("."),
    commit: Annotated[
        str | None, typer.Option("--commit", help="Set up the repository at this git revision.")
    ] = None,
    python: Annotated[
        str | None, typer.Option("--python", help="Force the Python version (X.Y).")
    ] = None,
    tests: Annotated[
        list[str] | None,
        typer.Option("--tests", help="Verify collection of these test files or ids only."),
    ] = None,
    cache: Annotated[
        bool, typer.Option("--cache/--no-cache", help="Reuse a cached environment image.")
    ] = True,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            help="When the rules cannot fix a failure, let this model repair it "
            "(e.g. anthropic/claude-sonnet-4-20250514, local).",
        ),
    ] = None,
    repair_steps: Annotated[
        int, typer.Option("--repair-steps", min=1, help="Model replies the repair may use.")
    ] = 15,
    repair_cost: Annotated[
        float, typer.Option("--repair-cost", min=0.0, help="Dollars the repair may spend.")
    ] = 0.5,
    pyright: Annotated[
        bool,
        typer.Option(
            "--pyright",
            help="Also count the imports pyright cannot resolve (EnvBench's metric; "
            "installs basedpyright from PyPI in the set-up sandbox, then removes it).",
        ),
    ] = False,
    known: Annotated[
        str | None,
        typer.Option(
            "--known",
            help="OWNER/NAME whose SWE-bench spec to start from (default: read from the "
            "origin remote), or 'none' for the generic rules only.",
        ),
    ] = None,
    tooling: Annotated[
        str | None,
        typer.Option(
            "--tooling",
            help="Build tooling for dated dependencies: 'isolated' (default; current "
            "setuptools in pip's isolated build) or 'dated' (the date's, in the venv).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Work out, install, verify and cache the environment in which PATH's tests run.

    Reads packaging, test and CI files; picks a Python and a base image. A repository the
    SWE-bench harness knows (sympy, astropy, requests, ...) starts from its spec: Python,
    pins, pre-install steps and its own test runner for verification.

    Installs in a networked Docker sandbox, repairing common failures.

    Checks that the packages import and that pytest collects the tests.

    With --model, a model repairs what the rules cannot; the commands that worked go into
    env.json and later setups replay them without a model.

    Saves the container as an image and the record as PATH/.swe-agent/env.json;
    a second setup with the same dependency files reuses the image.
    Exits 1 when the environment could not be verified.

    Examples:

      swe-agent env setup .

      swe-agent env setup ../astropy --commit 3832210 --json

      swe-agent env setup . --python 3.11 --tests tests/test_core.py

      swe-agent env setup . --model anthropic/claude-sonnet-4-20250514 --repair-cost 0.2

      swe-agent env setup ~/src/sympy --known sympy/sympy --commit 1.1
    """
    from rich.console import Console
    from rich.markup import escape

    from env_setup import SetupOptions, setup_environment

    agent = _repairer(model, steps=repair_steps, cost=repair_cost) if model else None
    options = SetupOptions(
        repo=None if known in (None, "none") else known,
        known=known != "none",
        tooling=parse_tooling(tooling),
        commit=commit,
        python=python,
        tests=tuple(tests or ()),
        use_cache=cache,
        agent=agent,
        pyright=pyright,
    )
    console = Console(stderr=True, highlight=False, log_path=False)
    with console.status("setting up the environment") as status:

        def progress(message: str) -> None:
            console.log(f"[dim]{escape(message)}[/]")
            status.update(message[:100])

        with chatter_to_stderr():
            record = setup_environment(path, options, progress=progress)
    summary = summarize(record, path)
    if agent is not None:
        summary["repair_agent"] = agent.report()
    if json_out:
        print_json(summary)
    else:
        _print_summary(summary)
    if not record.success:
        raise typer.Exit(1)


def parse_tooling(value: str | None) -> Any:
    """The --tooling value as env_setup's Tooling, or BadInput naming the choices."""
    from env_setup import Tooling
    from swe_agent.errors import BadInput

    if value is None:
        return None
    try:
        return Tooling(value)
    except ValueError:
        choices = ", ".join(t.value for t in Tooling)
        raise BadInput(
            f"--tooling {value!r} is not known", hint=f"choose one of {choices}"
        ) from None


def _repairer(model: str, *, steps: int, cost: float) -> Any:
    from swe_agent.agent.env_repair import ModelRepairer, RepairBudget
    from swe_agent.models import check_model, get_model

    checked = check_model(model)  # before any set-up work: the spec, its key, its weights
    for note in checked.notes:
        typer.echo(f"note: {note}", err=True)
    if not checked.cost_known:
        typer.echo(f"note: --repair-cost cannot stop it; --repair-steps {steps} does", err=True)
    return ModelRepairer(get_model(model), budget=RepairBudget(max_steps=steps, max_cost_usd=cost))


@app.command("show")
@handles_errors
def show_command(
    path: Annotated[Path, typer.Argument(help="The repository whose record to show.")] = Path("."),
    json_out: Annotated[bool, typer.Option("--json", help="Print env.json as it is.")] = False,
) -> None:
    """Show the environment recorded for PATH: Python, image, commands, verification.

    Examples:

      swe-agent env show .

      swe-agent env show ../astropy --json
    """
    from env_setup import BadRepository, load_record

    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is a file, not a directory"
        raise BadRepository(f"{path} {what}", hint="pass the path of a repository")
    record = load_record(path)
    if json_out:
        print_json(record.to_json())
        return
    _print_summary(summarize(record, path))
    _print_commands(record)


def summarize(record: EnvRecord, path: Path) -> dict[str, Any]:
    """The one object `env setup --json` prints."""
    from env_setup import record_path

    failed = [c for c in record.commands if not c.ok and not c.optional]
    return {
        "success": record.success,
        "python": record.python,
        "image": record.image,
        "base_image": record.base_image,
        "test_command": record.test_command,
        "known_spec": record.known_spec,
        "tooling": record.tooling,
        "verify": record.verify.__dict__ if record.verify else None,
        "seconds": record.timings.get("total_s"),
        "cache_hit": record.cache_hit,
        "cache_key": record.cache_key,
        "commands": len(record.commands),
        "repairs": sum(1 for c in record.commands if c.kind == "repair"),
        "last_failure": failed[-1].output_tail[-1500:] if failed and not record.success else None,
        "env_json": str(record_path(path.resolve())),
    }


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    verdict = "[green]ready[/]" if summary["success"] else "[red]not verified[/]"
    how = "cache hit" if summary["cache_hit"] else "built"
    console.print(f"{verdict}: Python {summary['python']}, {how} in {summary['seconds']} s")
    console.print(f"image: {summary['image'] or '-'} (from {summary['base_image']})")
    console.print(f"tests: {escape(summary['test_command'])}")
    if summary.get("known_spec"):
        console.print(f"started from the SWE-bench spec of {summary['known_spec']}")
    verify = summary["verify"] or {}
    if verify:
        console.print(
            f"verify: {verify.get('collected', 0)} tests collected, "
            f"{verify.get('collection_errors', 0)} collection errors, imports "
            f"{'ok' if all(v is None for v in verify.get('imports', {}).values()) else 'failing'}"
        )
        if verify.get("own_warnings"):
            console.print(
                "left out: test files stopping on the repository's own warning, which its own"
                f" settings make an error: {escape(', '.join(verify['own_warnings']))}"
            )
        if verify.get("missing_imports") is not None:
            console.print(f"pyright: {verify['missing_imports']} unresolved imports")
    if summary.get("last_failure"):
        console.print(f"[red]last failure:[/]\n{escape(summary['last_failure'])}")
    console.print(f"[dim]record: {summary['env_json']}[/]")


def _print_commands(record: EnvRecord) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_header=True, header_style="bold")
    for column in ("ok", "s", "kind", "command", "why"):
        table.add_column(column)
    for result in record.commands:
        mark = (
            "[green]ok[/]"
            if result.ok
            else ("[yellow]skip[/]" if result.optional else "[red]fail[/]")
        )
        first = result.command.splitlines()[0] if result.command else ""
        table.add_row(mark, f"{result.seconds:.1f}", result.kind, escape(first), escape(result.why))
    Console().print(table)
