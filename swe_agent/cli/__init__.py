"""The ``swe-agent`` command line. Command bodies parse options and call one library function."""

from __future__ import annotations

import sys

import typer

from swe_agent import __version__
from swe_agent.cli import (
    apply,
    bench,
    bench_batch,
    bench_env,
    bench_make,
    config,
    env,
    export,
    graph,
    localize,
    models,
    pr,
    review,
    sandbox,
    solve,
    undo,
)

app = typer.Typer(
    name="swe-agent",
    help=(
        "Turn an issue and a repository into a reviewed, tested patch.\n\n"
        "Examples:\n\n"
        "  swe-agent solve --repo . --issue @issue.md\n\n"
        "  swe-agent review\n\n"
        "  swe-agent export --format mini\n\n"
        "  swe-agent pr --comment\n\n"
        "  swe-agent localize --repo . --issue @issue.md --top 5\n\n"
        "  swe-agent bench eval data.jsonl --predictions preds.jsonl --workers 2\n\n"
        "  swe-agent sandbox doctor\n\n"
        "  swe-agent config show"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(graph.app, name="graph")
app.command("solve")(solve.solve_command)
app.command("localize")(localize.localize_command)
app.command("apply")(apply.apply_command)
app.command("undo")(undo.undo_command)
app.command("pr")(pr.pr_command)
app.command("review")(review.review_command)
app.command("export")(export.export_command)
bench.app.command("run")(bench_batch.run_command)
bench.app.command("eval")(bench_batch.eval_command)
bench.app.command("env")(bench_env.env_command)
bench.app.command("make")(bench_make.make_command)
app.add_typer(bench.app, name="bench")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(env.app, name="env")
app.add_typer(models.app, name="models")
app.add_typer(config.app, name="config")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"swe-agent {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Turn an issue and a repository into a reviewed, tested patch."""


def main() -> None:
    """Console-script entry point; SIGTERM ends a command the way Ctrl-C does."""
    from swe_agent.signals import terminate_as_interrupt

    terminate_as_interrupt()
    if "--json" not in sys.argv[1:]:
        app()
        return
    sys.exit(_main_json())


def _main_json() -> int:
    """Run with --json: a usage error (a bad option value, an unknown option) is one JSON
    object on stdout too, as every other outcome is; the message also goes to stderr."""
    from swe_agent.cli._common import error_object, print_json

    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("interrupted", err=True)
        print_json({"status": "interrupted"})
        return 130
    except typer.TyperException as exc:  # click's usage errors (typer vendors click)
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "swe-agent"
        failure = error_object(exc, title="Bad usage")
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        exit_code = int(getattr(exc, "exit_code", 2))
        failure["error"].update(message=message, hint=f"see `{where} --help`", exit_code=exit_code)
        print_json(failure)
        return exit_code
    return code if isinstance(code, int) else 0
