"""`swe-agent bench run` and `bench eval`: batch solving and SWE-bench-compatible evaluation.

The bench group (swe_agent/cli/bench.py) registers ``run_command`` and ``eval_command``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from swe_agent.choices import ExecutorKind
from swe_agent.cli import run_options
from swe_agent.cli._common import chatter_to_stderr, handles_errors, print_json
from swe_agent.cli.bench_options import (
    Blobs,
    Dataset,
    Filter,
    Instances,
    Limit,
    Repos,
    RepoUrl,
    Split,
    Workers,
    blob_paths,
    clone_url_template,
    mirrors_dir,
    read_dataset,
    select_instances,
)
from swe_agent.errors import BadInput

ExecutorOpt = Annotated[
    ExecutorKind, typer.Option("--executor", help="A local process pool, or a Ray cluster.")
]
RayAddress = Annotated[
    str | None,
    typer.Option("--ray-address", help="Ray cluster: auto or HOST:PORT; default: a local one."),
]
Out = Annotated[Path, typer.Option("--out", help="Output folder (resumable: run again to go on).")]


def _check_common(repos: Path, workers: int) -> None:
    if not repos.is_dir():
        raise BadInput(f"--repos {repos} is not a directory", hint="pass the mirrors directory")
    if workers < 1:
        raise BadInput(f"--workers {workers} must be at least 1")


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    """A progress bar on stderr: done/total, ETA, and a status text (cost, failures)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        yield progress


@handles_errors
def run_command(  # noqa: PLR0913 - one option per knob of a batch
    dataset: Dataset,
    out: Out,
    model: run_options.Model = None,
    split: Split = None,
    repos: Repos = None,
    workers: Workers = 1,
    instances: Instances = None,
    filter_: Filter = None,
    limit: Limit = None,
    budget_usd: Annotated[
        float | None, typer.Option("--budget-usd", help="No new instance after this much spent.")
    ] = None,
    wall_time: Annotated[
        float | None, typer.Option("--wall-time", help="No new instance after S seconds.")
    ] = None,
    executor: ExecutorOpt = ExecutorKind.LOCAL,
    ray_address: RayAddress = None,
    repo_url_template: RepoUrl = None,
    blobs: Blobs = None,
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
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the batch result as JSON.")
    ] = False,
) -> None:
    """Solve every instance of a dataset; write OUT/preds.jsonl, OUT/preds.json, a run folder each.

    Run it again with the same --out to resume: finished instances are never run again.
    Each instance is solved with the options `solve` takes, from the same sources: the
    defaults, SWE_AGENT_MODEL, your user file, ./.swe-agent/config.yaml, -C FILE, the flags,
    -c key=value (`swe-agent config show` prints them; an instance's own repository is never
    read for options). --budget-usd and --wall-time bound the whole batch.

    Examples:

      swe-agent bench run lite.jsonl -m openai/gpt-4o --out runs/lite --workers 2 --budget-usd 20

      swe-agent bench run dev.jsonl -m qwen2.5-coder-1.5b --out out --max-calls 10 \\
        -c wall_time_s=1200 -c test_timeout_s=300

      swe-agent bench run dev.jsonl -m replay:old-run --out out --filter '^marshmallow' --limit 2

      swe-agent bench run princeton-nlp/SWE-bench_Lite --split test -m openai/gpt-4o --out lite

      swe-agent bench run dev.jsonl -m openai/gpt-4o --out out --executor ray --ray-address auto

      swe-agent bench run dev.jsonl --out out -C batch.yaml --test-command "pytest -x" --judge off
    """
    from swe_agent.bench.batch import RunOptions, run_batch

    flags = run_options.flag_sources(locals())  # the parameters: the shared flags given
    settings = _solve_settings(config, flags, overrides or [])
    repos = mirrors_dir(repos)
    _check_common(repos, workers)
    if wall_time is not None and wall_time <= 0:
        raise BadInput(f"--wall-time {wall_time:g} must be more than 0")
    selected = select_instances(dataset, instances, filter_, limit, split=split)
    options = RunOptions(
        out=out,
        mirrors=repos,
        model=settings["model"],
        workers=workers,
        executor=executor,
        ray_address=ray_address,
        budget_usd=budget_usd,
        wall_time_s=wall_time,
        solve=settings,
        url_template=clone_url_template(repo_url_template),
        blob_sources=blob_paths(blobs),
    )
    with _progress("solving") as progress:
        bar = progress.add_task("", total=len(selected), status="")
        state = {"failed": 0, "spent": 0.0}

        def on_event(kind: str, data: dict[str, Any]) -> None:
            if kind == "note":
                progress.console.print(f"note: {data['text']}", highlight=False, markup=False)
                return
            if kind == "plan":
                progress.update(bar, completed=data["done"])
                return
            state["failed"] += kind == "failed"
            state["spent"] = data.get("spent_usd", state["spent"])
            status = f"${state['spent']:.2f} · {state['failed']} failed"
            progress.update(bar, advance=1, status=status)

        with chatter_to_stderr():
            result = run_batch(selected, options, on_event=on_event)
    if as_json:
        print_json(result)
    else:
        typer.echo(
            f"finished {result['finished']}, failed {result['failed']}, "
            f"cost ${result['cost_usd']:.2f}; predictions in {result['preds']} "
            f"and {result['preds_json']}"
        )
    if result["failed"]:
        raise typer.Exit(1)


def _solve_settings(config: Path | None, flags: list[Any], overrides: list[str]) -> dict[str, Any]:
    """The solve options of every instance, from the layered sources (the project file is the
    current folder's), checked before any work; ignored project values are said on stderr."""
    from rich.console import Console
    from rich.markup import escape

    from swe_agent.solve.layers import gather

    effective = gather(project=Path.cwd(), config_file=config, flags=flags, overrides=overrides)
    for note in effective.notes():
        Console(stderr=True, highlight=False).print(f"[yellow]note:[/] {escape(note)}")
    return effective.values()


@handles_errors
def eval_command(  # noqa: PLR0913 - one option per knob of an evaluation
    dataset: Dataset,
    predictions: Annotated[
        str,
        typer.Option(
            "--predictions", "-p", help="preds.jsonl (SWE-bench format), or gold, or empty."
        ),
    ],
    out: Out,
    split: Split = None,
    repos: Repos = None,
    workers: Workers = 1,
    instances: Instances = None,
    filter_: Filter = None,
    limit: Limit = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds the tests of one instance may run.")
    ] = 1800.0,
    executor: ExecutorOpt = ExecutorKind.LOCAL,
    ray_address: RayAddress = None,
    repo_url_template: RepoUrl = None,
    blobs: Blobs = None,
    keep_images: Annotated[
        int, typer.Option("--keep-images", help="Keep the newest N instance images.")
    ] = 0,
    disk_budget: Annotated[
        str | None,
        typer.Option("--disk-budget", help="Prune instance images while images exceed SIZE."),
    ] = None,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Let the tests reach the network, as the harness does (requests' httpbin "
            "tests need it); without it, tests that fail for want of it are errors.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Evaluate predictions as SWE-bench does: patch, test patch, FAIL_TO_PASS and PASS_TO_PASS.

    Each repository SWE-bench knows runs its harness's test command (django's runtests.py,
    sympy's bin/test, pytest -rA ...) and log parser; others run pytest -rA. Writes
    OUT/<instance_id>/report.json (SWE-bench's fields) and OUT/summary.json, which holds the
    official harness's run-report keys (resolved_instances, resolved_ids, error_ids, ...) next
    to ours. Infrastructure failures (environment, timeout, dead runner or container, no
    network) are errors, run again when the same OUT is evaluated again; empty patches are
    unresolved, never run.

    Examples:

      swe-agent bench eval lite.jsonl --predictions runs/lite/preds.jsonl --out eval --workers 2

      swe-agent bench eval dev.jsonl -p gold --out eval/gold --filter '^pylint-dev' --json

      swe-agent bench eval SWE-bench/SWE-bench_Verified -p preds.json --out eval/verified

      swe-agent bench eval dev.jsonl -p preds.jsonl --out eval --executor ray --keep-images 10

      swe-agent bench eval lite.parquet -p gold --out eval/gold --blobs wheels/

      swe-agent bench eval dev.jsonl -p gold --out eval/gold --filter '^psf__' --network
    """
    from swe_agent.bench.datasets import select
    from swe_agent.bench.evaluate import EvalOptions
    from swe_agent.bench.images import parse_size

    repos = mirrors_dir(repos)
    _check_common(repos, workers)
    if timeout <= 0:
        raise BadInput(f"--timeout {timeout} must be positive")
    rows = read_dataset(dataset, split)
    ids = [part.strip() for part in (instances or "").split(",") if part.strip()]
    selected = select(rows, instances=ids, pattern=filter_, limit=limit)
    every_id = rows.ids()
    options = EvalOptions(
        out=out,
        mirrors=repos,
        workers=workers,
        timeout_s=timeout,
        executor=executor,
        ray_address=ray_address,
        keep_images=keep_images,
        disk_budget=parse_size(disk_budget) if disk_budget else None,
        url_template=clone_url_template(repo_url_template),
        blob_sources=blob_paths(blobs),
        network=network,
    )
    summary = _evaluate_with_progress(selected, predictions, options, every_id)
    if as_json:
        print_json(summary)
    else:
        _print_summary(summary)


def _evaluate_with_progress(
    selected: Any, predictions: str, options: Any, every_id: list[str]
) -> dict[str, Any]:
    from swe_agent.bench.evaluate import evaluate

    with _progress("evaluating") as progress:
        bar = progress.add_task("", total=None, status="")
        counts = {"resolved": 0, "errors": 0}

        def on_row(row: dict[str, Any]) -> None:
            counts["resolved"] += bool(row.get("resolved"))
            counts["errors"] += bool(row.get("error"))
            status = f"{counts['resolved']} resolved · {counts['errors']} errors"
            progress.update(bar, advance=1, status=status)

        return evaluate(
            selected,
            predictions,
            options,
            dataset_ids=every_id,
            on_row=on_row,
            on_total=lambda total: progress.update(bar, total=total),
        )


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    console.print(
        f"[bold]{summary['resolved_count']}/{summary['total']} resolved[/] "
        f"({len(summary['errors'])} errors) in {summary['seconds']:.0f} s; "
        f"reports in {escape(summary['out'])}"
    )
    for instance_id, error in summary["error_details"].items():
        console.print(f"[red]error[/] {escape(instance_id)}: {escape(error.splitlines()[0][:200])}")
    for problem in summary["prediction_errors"]:
        console.print(f"[yellow]skipped[/] {escape(problem['error'])}")
    if summary.get("incomplete_checkout"):
        ids = ", ".join(summary["incomplete_checkout"])
        console.print(f"[yellow]files missing from the mirror[/] (see --blobs): {escape(ids)}")
