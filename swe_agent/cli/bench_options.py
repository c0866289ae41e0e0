"""Options and helpers every `bench` command shares: the dataset, which instances, where the
repositories come from (mirrors, clone URL, loose blobs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from swe_agent.errors import BadInput

Dataset = Annotated[
    str,
    typer.Argument(
        help="SWE-bench-style dataset: a .jsonl, .json or .parquet file, a dataset folder, or a "
        "Hugging Face dataset name (princeton-nlp/SWE-bench_Lite; needs swe-agent[datasets]).",
        show_default=False,
    ),
]
Split = Annotated[
    str | None,
    typer.Option(
        "--split",
        help="The split of a Hugging Face dataset or dataset folder (default test); "
        "a file is read whole.",
    ),
]
Repos = Annotated[
    Path | None,
    typer.Option(
        "--repos",
        help="Git mirrors, DIR/OWNER+NAME/<bare git dir> (default: $SWE_AGENT_MIRRORS or "
        "~/.cache/swe-agent/mirrors, where repositories without a mirror are cloned).",
    ),
]
RepoUrl = Annotated[
    str | None,
    typer.Option(
        "--repo-url-template",
        envvar="SWE_AGENT_REPO_URL_TEMPLATE",
        help="Where a repository without a mirror is cloned from ({repo} = OWNER/NAME; "
        "{owner}, {name}); default https://github.com/{repo}.git; '' never clones.",
    ),
]
Instances = Annotated[str | None, typer.Option("--instances", help="Comma-separated instance ids.")]
Filter = Annotated[str | None, typer.Option("--filter", help="Regular expression on instance ids.")]
Limit = Annotated[int | None, typer.Option("--limit", help="At most N instances.")]
Workers = Annotated[int, typer.Option("--workers", help="Instances in parallel.")]
Blobs = Annotated[
    list[Path] | None,
    typer.Option(
        "--blobs",
        metavar="PATH",
        help="A folder, wheel, sdist or file holding blobs the mirrors lack (matched by git id; "
        "e.g. `pip download --no-deps NAME==VERSION`); repeatable.",
    ),
]


def read_dataset(dataset: str, split: str | None) -> Any:
    """The dataset's rows; what to know about where they came from is said on stderr."""
    from rich.console import Console
    from rich.markup import escape

    from swe_agent.bench.datasets import is_file_source, read_dataset

    rows = read_dataset(dataset, split=split)
    notes = [rows.note] if rows.note else []
    if split is not None and is_file_source(dataset):
        notes.append(f"--split {split} is for Hugging Face datasets; {dataset} is read whole")
    for note in notes:
        Console(stderr=True, highlight=False).print(f"[yellow]note:[/] {escape(note)}")
    return rows


def select_instances(
    dataset: str,
    instances: str | None,
    filter_: str | None,
    limit: int | None,
    *,
    split: str | None = None,
) -> Any:
    from swe_agent.bench.datasets import select

    if limit is not None and limit < 1:
        raise BadInput(f"--limit {limit} must be at least 1")
    ids = [part.strip() for part in (instances or "").split(",") if part.strip()]
    return select(read_dataset(dataset, split), instances=ids, pattern=filter_, limit=limit)


def mirrors_dir(repos: Path | None) -> Path:
    """--repos, else $SWE_AGENT_MIRRORS, else the mirror cache (made when missing)."""
    import os

    from swe_agent.bench.repos import default_mirror_cache

    if repos is not None:
        return repos
    if os.environ.get("SWE_AGENT_MIRRORS"):
        return Path(os.environ["SWE_AGENT_MIRRORS"])
    cache = default_mirror_cache()
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def clone_url_template(option: str | None) -> str | None:
    """The clone URL template: GitHub's unless told; None (never clone) for ''."""
    from swe_agent.bench.repos import DEFAULT_REPO_URL

    if option is None:
        return DEFAULT_REPO_URL
    if option and "{" not in option:
        raise BadInput(
            f"--repo-url-template {option!r} names no repository",
            hint="put {repo} (OWNER/NAME), or {owner} and {name}, in it",
        )
    return option or None


def blob_paths(blobs: list[Path] | None) -> tuple[Path, ...]:
    for path in blobs or ():
        if not path.exists():
            raise BadInput(f"--blobs {path} does not exist")
    return tuple(blobs or ())
