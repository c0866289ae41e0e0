"""`swe-agent bench env`: environment set-up success rate and timings over a dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from swe_agent.cli._common import handles_errors, print_json
from swe_agent.cli.bench_options import (
    Blobs,
    Dataset,
    Filter,
    Instances,
    Limit,
    Repos,
    RepoUrl,
    Split,
    blob_paths,
    clone_url_template,
    mirrors_dir,
    select_instances,
)
from swe_agent.errors import BadInput


@handles_errors
def env_command(  # noqa: PLR0913 - the dataset and repository options every bench command has
    dataset: Dataset,
    split: Split = None,
    repos: Repos = None,
    repo_url_template: RepoUrl = None,
    blobs: Blobs = None,
    work: Annotated[
        Path | None, typer.Option("--work", help="Where instance checkouts go.")
    ] = None,
    instances: Instances = None,
    filter_: Filter = None,
    limit: Limit = None,
    tooling: Annotated[
        str | None,
        typer.Option(
            "--tooling",
            help="Build tooling for dated dependencies: isolated (default) or dated.",
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print rows and summary as JSON.")
    ] = False,
) -> None:
    """Set up each instance's environment at base_commit and check its named tests collect.

    Examples:

      swe-agent bench env ../shared/data/swebench_lite_dev.jsonl --limit 5

      swe-agent bench env dev.jsonl --repos mirrors --filter '^sqlfluff' --json

      swe-agent bench env princeton-nlp/SWE-bench_Lite --split dev --limit 5

      swe-agent bench env dev.jsonl --filter '^pvlib' --blobs pvlib-0.10.1-py3-none-any.whl

      swe-agent bench env dev.jsonl --repos mirrors --repo-url-template ''

      swe-agent bench env dev.jsonl --tooling dated --work /tmp/dated   # the other era
    """
    from rich.console import Console

    from swe_agent.bench import default_cache_dir
    from swe_agent.bench.env_bench import Sources, run_env_bench, summarize
    from swe_agent.cli.env import parse_tooling

    mirrors = mirrors_dir(repos)
    if not mirrors.is_dir():
        raise BadInput(f"--repos {mirrors} is not a directory", hint="pass the mirrors directory")
    sources = Sources(
        mirrors=mirrors,
        url_template=clone_url_template(repo_url_template),
        blob_sources=blob_paths(blobs),
    )
    chosen = select_instances(dataset, instances, filter_, limit, split=split)
    console = Console(stderr=True)
    rows = []
    folder = work or default_cache_dir().parent / "env-bench"
    era = parse_tooling(tooling)
    for row in run_env_bench(chosen, sources=sources, work=folder, tooling=era):
        rows.append(row)
        mark = "[green]ok[/]" if row.success else f"[red]failed[/] {row.error or ''}"[:160]
        console.print(f"{len(rows)}/{len(chosen)} {row.instance_id} {row.seconds:.0f}s {mark}")
    summary = summarize(rows)
    if json_out:
        print_json({"rows": [r.to_json() for r in rows], "summary": summary})
    else:
        console.print(summary)
