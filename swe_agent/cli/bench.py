"""`swe-agent bench` commands: benchmarks on SWE-bench-style datasets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from swe_agent.choices import Half
from swe_agent.cli._common import handles_errors, print_json
from swe_agent.cli.bench_options import (
    Dataset,
    Filter,
    Instances,
    Limit,
    Repos,
    RepoUrl,
    Split,
    Workers,
    clone_url_template,
    mirrors_dir,
    select_instances,
)

if TYPE_CHECKING:
    from swe_agent.bench import BenchReport

app = typer.Typer(help="Benchmarks on SWE-bench-style datasets.", no_args_is_help=True)


def _not_run(report: BenchReport, *, most: int = 6) -> list[tuple[str, int]]:
    """Why instances were skipped or failed, grouped by repository, commonest first."""
    from collections import Counter

    reasons: Counter[str] = Counter()
    for row in report.rows:
        if row.status == "ok":
            continue
        if "no git mirror" in row.note:
            reasons[f"no mirror of {row.repo}"] += 1
        elif "not in the mirror" in row.note:
            reasons[f"base commit missing from the {row.repo} mirror"] += 1
        else:
            reasons[f"{row.status}: {row.note[:60]}"] += 1
    top = reasons.most_common(most)
    rest = sum(reasons.values()) - sum(n for _, n in top)
    return top + ([("other reasons", rest)] if rest else [])


_CATEGORY_METRICS = ("file Acc@5", "function Acc@10")


def _category_table(report: BenchReport) -> Any:
    from rich.table import Table

    table = Table(title="By issue category (ours / BM25 baseline)")
    for column in ("category", "instances", "file Acc@5", "function Acc@10"):
        table.add_column(column, justify="left" if column == "category" else "right")
    for name, cells in report.by_category.items():
        ours, bm25 = cells["ours"], cells["bm25"]
        table.add_row(
            name,
            str(ours["file Acc@5"]["counted"]),
            *(f"{_pct(ours[m]['acc'])} / {_pct(bm25[m]['acc'])}" for m in _CATEGORY_METRICS),
        )
    return table


def _print_report(report: BenchReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title="Localization accuracy (Acc@k: every gold location in the top k)",
        caption="BM25 baseline, same run and tokenizer: whole files (file level), "
        "entity documents (class and function levels). 'no gold': left out at that level.",
    )
    for column in ("metric", "ours", "BM25 baseline", "counted", "no gold"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    ours, bm25 = report.aggregates["ours"], report.aggregates["bm25"]
    for name, cell in ours.items():
        table.add_row(
            name,
            _pct(cell["acc"]),
            _pct(bm25[name]["acc"]),
            str(cell["counted"]),
            str(cell["no_gold"]),
        )
    console.print(table)
    if report.by_category:
        console.print(_category_table(report))
    counts = report.to_dict()["counts"]
    console.print("instances: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    reasons = _not_run(report)
    if reasons:
        console.print("not run: " + ", ".join(f"{why} ({n})" for why, n in reasons))
    traced = [r.example for r in report.rows if r.example]
    if traced:
        ran = sum(1 for note in traced if note.startswith("example ran"))
        console.print(f"examples: run for {ran} of {len(traced)} instances")
    lat = report.latency
    console.print(
        "p50 seconds: "
        + ", ".join(
            f"{k.removesuffix('_p50')} {v:.3f}"
            for k, v in lat.items()
            if k.endswith("_p50") and v is not None
        )
    )


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


@app.command("localize")
@handles_errors
def localize_bench_command(  # noqa: PLR0913 - one option per filter a user can set
    dataset: Dataset,
    repos: Repos = None,
    repo_url_template: RepoUrl = None,
    limit: Limit = None,
    instances: Instances = None,
    filter_: Filter = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Where checkouts go (default ~/.cache/swe-agent/checkouts)."
        ),
    ] = None,
    split: Split = None,
    half: Annotated[
        Half | None,
        typer.Option(
            "--half",
            help="A fixed half of the instances (by a hash of the id). "
            "On a file, --split dev|heldout means the same.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print rows and aggregates as JSON.")
    ] = False,
    example_images: Annotated[
        list[str] | None,
        typer.Option(
            "--example-image",
            help="Also run each issue's example (a >>> session, a shell reproducer running "
            "the project's command, or a script importing the project) in a sandbox from "
            "this image, the checkout as its workspace, and rank with the code it called "
            "and the frames it raised. Repeat it to give images to try in order while the "
            "example's imports fail. Needs Docker.",
        ),
    ] = None,
    example_timeout: Annotated[
        int, typer.Option("--example-timeout", min=1, help="Seconds each example may run.")
    ] = 60,
    workers: Workers = 1,
) -> None:
    """Measure localization (file, class, function Acc@k) against a BM25 baseline.

    Blobs a mirror lacks (files of 4 MiB or more) are skipped, as the graph skips files over
    1 MB anyway: localization needs no --blobs.

    With --example-image the image must hold the repository's dependencies (e.g. one made
    by `swe-agent env setup`); the checkout is on the path of its Python. The instances whose
    example ran are counted under the table.

    Examples:

      swe-agent bench localize data/swebench_lite_dev.jsonl --repos mirrors

      swe-agent bench localize dev.jsonl --repos mirrors --filter '^psf__' --limit 5 --json

      swe-agent bench localize verified.jsonl --repos mirrors --half heldout --workers 4

      swe-agent bench localize princeton-nlp/SWE-bench_Lite --split dev --repos mirrors

      swe-agent bench localize verified.jsonl --repos mirrors --filter '^sympy__' \\
        --example-image swe-agent/env:0123456789abcdef
    """
    from swe_agent.bench import default_cache_dir
    from swe_agent.bench.localize_bench import split_of
    from swe_agent.errors import BadInput

    repos = mirrors_dir(repos)
    if not repos.is_dir():
        raise BadInput(f"--repos {repos} is not a directory", hint="pass the mirrors directory")
    if workers < 1:
        raise BadInput(f"--workers {workers} must be at least 1")
    if limit is not None and limit < 1:
        raise BadInput(f"--limit {limit} must be at least 1")
    url_template = clone_url_template(repo_url_template)
    split, half = _split_or_half(dataset, split, half)
    selected = select_instances(dataset, instances, filter_, None, split=split)
    if half is not None:
        selected = [i for i in selected if split_of(i.instance_id) == half]
    selected = selected[:limit] if limit is not None else selected
    examples = None
    if example_images:
        from swe_agent.example_trace import sandbox_runner

        examples = sandbox_runner(example_images, timeout_s=example_timeout)
    report = _run_with_progress(
        selected,
        repos,
        cache_dir or default_cache_dir(),
        url_template=url_template,
        examples=examples,
        workers=workers,
    )
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)


def _split_or_half(
    dataset: str, split: str | None, half: Half | None
) -> tuple[str | None, Half | None]:
    """(--split, --half): on a file, --split dev|heldout is the half it meant before names."""
    from swe_agent.bench.datasets import is_file_source
    from swe_agent.errors import BadInput

    if split is not None and half is None and is_file_source(dataset):
        if split not in tuple(Half):
            raise BadInput(
                f"{dataset} is a file, which has no split {split!r}",
                hint="--split names a split of a Hugging Face dataset; for a fixed half of a "
                "file's instances use --half dev or --half heldout",
            )
        return None, Half(split)
    return split, half


def _run_with_progress(
    selected: list[Any],
    repos: Path,
    cache_dir: Path,
    *,
    url_template: str | None,
    examples: Any = None,
    workers: int = 1,
) -> BenchReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from swe_agent.bench import run_localize_bench

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("localizing", total=len(selected))

        def advance(row: Any) -> None:
            progress.update(task, advance=1, description=row.instance_id)

        return run_localize_bench(
            selected,
            mirrors=repos,
            cache_dir=cache_dir,
            url_template=url_template,
            on_done=advance,
            examples=examples,
            workers=workers,
        )
