"""`swe-agent bench make`: benchmark instances from a repository's history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from swe_agent.choices import ExecutorKind
from swe_agent.cli._common import handles_errors, print_json
from swe_agent.cli.bench_options import (
    Blobs,
    Repos,
    RepoUrl,
    Workers,
    blob_paths,
    clone_url_template,
    mirrors_dir,
)
from swe_agent.errors import BadInput


@handles_errors
def make_command(  # noqa: PLR0913 - one option per knob of the recipe
    repo: Annotated[
        str,
        typer.Argument(
            help="A git repository (a checkout or a bare one), or OWNER/NAME of a mirror "
            "under --repos.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (resumable: run again to go on).")
    ],
    commits: Annotated[
        list[str] | None,
        typer.Option(
            "--commits",
            help="A range A..B (every non-merge commit in it) or one commit; repeatable. "
            "With --from-prs: the range the pull requests were merged in.",
        ),
    ] = None,
    from_prs: Annotated[
        bool,
        typer.Option(
            "--from-prs",
            help="Each merged pull request (its merge commit, or a squash 'Title (#N)') "
            "on the first-parent line of HEAD (or of --commits) instead of each commit.",
        ),
    ] = False,
    name: Annotated[
        str | None,
        typer.Option("--name", help="OWNER/NAME of a local repository (default: its origin)."),
    ] = None,
    issues: Annotated[
        Path | None,
        typer.Option(
            "--issues",
            help="Issue texts (JSON or JSONL rows: number or commit, title and body); a "
            "commit that says 'Fixes #N' gets issue N's text, else its own message.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="Only the N newest candidates.")
    ] = None,
    no_tests: Annotated[
        bool,
        typer.Option(
            "--no-tests",
            help="Write the candidates without running tests (FAIL_TO_PASS empty: enough "
            "for `bench localize`, not for `bench eval`); needs no Docker.",
        ),
    ] = False,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Let the tests reach the network (as bench eval --network); without it, a "
            "candidate whose tests failed for want of it is an error, not left out.",
        ),
    ] = False,
    repos: Repos = None,
    workers: Workers = 1,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds each run of the tests may take.")
    ] = 1800.0,
    executor: Annotated[
        ExecutorKind, typer.Option("--executor", help="A local process pool, or a Ray cluster.")
    ] = ExecutorKind.LOCAL,
    repo_url_template: RepoUrl = None,
    blobs: Blobs = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Make SWE-bench instances from the commits (or merged pull requests) of a repository.

    Each commit that changes test files and other files is a candidate: its parent is
    base_commit, the test files' changes are test_patch, the rest is patch. The environment
    is set up at the base (as `bench eval` sets it up), the tests the test patch touches run
    before and after the patch, and the tests that then pass and did not before are
    FAIL_TO_PASS (a candidate with none is left out), those passing both times PASS_TO_PASS.
    OUT/dataset.jsonl is what `bench run` and `bench eval` read; a local repository is
    mirrored under --repos so that they find it.

    Examples:

      swe-agent bench make . --commits v1.2.0..main --out bench/mine

      swe-agent bench make ~/src/calc --commits 3f2a1c9 --name me/calc --out made --json

      swe-agent bench make sympy/sympy --repos mirrors --from-prs \\
        --commits sympy-1.11..sympy-1.12 --limit 20 --workers 2 --out made/sympy

      swe-agent bench make psf/requests --repos mirrors --from-prs --no-tests --out cands
    """
    from swe_agent.bench.make import MakeOptions

    if not commits and not from_prs:
        raise BadInput("say which history to read", hint="pass --commits A..B or --from-prs")
    if workers < 1:
        raise BadInput(f"--workers {workers} must be at least 1")
    if issues is not None and not issues.is_file():
        raise BadInput(f"--issues {issues} does not exist")
    options = MakeOptions(out=out, mirrors=_mirrors(repos), commits=tuple(commits or ()),
                          from_prs=from_prs, name=name, issues=issues, limit=limit,
                          run_tests=not no_tests, workers=workers, executor=executor,
                          timeout_s=timeout, url_template=clone_url_template(repo_url_template),
                          blob_sources=blob_paths(blobs), network=network)  # fmt: skip
    summary = _with_progress(repo, options)
    if as_json:
        print_json(summary)
    else:
        _print(summary)


def _mirrors(repos: Path | None) -> Path:
    folder = mirrors_dir(repos)
    if not folder.is_dir():
        raise BadInput(f"--repos {folder} is not a directory", hint="pass the mirrors directory")
    return folder


def _with_progress(repo: str, options: Any) -> dict[str, Any]:
    from rich.console import Console
    from rich.markup import escape

    from swe_agent.bench.make import make_dataset

    console = Console(stderr=True, highlight=False)

    def on_event(kind: str, data: dict[str, Any]) -> None:
        if kind == "plan":
            console.print(f"{escape(data['repo'])}: {data['candidates']} candidates "
                          f"({data['skipped']} commits are not)")  # fmt: skip
        elif kind == "verdict":
            mark = ("[green]kept[/]" if data.get("kept") else
                    f"[red]error[/] {escape(str(data.get('error'))[:160])}" if data.get("error")
                    else f"[yellow]left out[/] {escape(str(data.get('reason')))}")  # fmt: skip
            console.print(f"{escape(data['instance_id'])} {mark}")

    return make_dataset(repo, options, on_event=on_event)


def _print(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    kept = len(summary["kept"])
    tested = "" if summary["tests_run"] else " (tests not run: FAIL_TO_PASS empty)"
    console.print(f"[bold]{kept} instances[/] of {summary['candidates']} candidates "
                  f"from {summary['commits_examined']} commits{tested}; "
                  f"dataset in {escape(summary['dataset'])}")  # fmt: skip
    for row in summary["rejected"]:
        console.print(f"[yellow]left out[/] {escape(row['instance_id'])}: {escape(row['reason'])}")
    for row in summary["failed"]:
        console.print(f"[red]error[/] {escape(row['instance_id'])}: {escape(row['error'][:200])}")
    for reason, count in summary["not_candidates"].items():
        console.print(f"not candidates: {count} ({escape(reason)})")
