"""The ``swe-agent`` command line. Command bodies parse options and call one library function."""

from __future__ import annotations

import typer

from swe_agent import __version__
from swe_agent.cli import (
    apply,
    bench,
    bench_batch,
    bench_env,
    bench_make,
    env,
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
        "  swe-agent pr --comment\n\n"
        "  swe-agent localize --repo . --issue @issue.md --top 5\n\n"
        "  swe-agent bench eval data.jsonl --predictions preds.jsonl --workers 2\n\n"
        "  swe-agent sandbox doctor"
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
bench.app.command("run")(bench_batch.run_command)
bench.app.command("eval")(bench_batch.eval_command)
bench.app.command("env")(bench_env.env_command)
bench.app.command("make")(bench_make.make_command)
app.add_typer(bench.app, name="bench")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(env.app, name="env")
app.add_typer(models.app, name="models")


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
    """Console-script entry point."""
    app()
