"""`swe-agent graph` commands: build the code graph of a repository and query it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from swe_agent.cli._common import handles_errors, print_json

if TYPE_CHECKING:
    from repo_graph import CodeGraph

app = typer.Typer(
    help="Build the code graph of a repository (cached, incremental) and query it.",
    no_args_is_help=True,
)
query_app = typer.Typer(
    help="Query the code graph: search entities, traverse around them, retrieve their code.",
    no_args_is_help=True,
)
app.add_typer(query_app, name="query")

RepoOption = Annotated[
    Path, typer.Option("--repo", "-r", help="Repository (or source directory) to query.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _load(repo: Path, **options: Any) -> CodeGraph:
    """Build or load the graph, with a progress bar on stderr while files are parsed."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from repo_graph import build_graph

    console = Console(stderr=True)
    if not console.is_terminal:
        return build_graph(repo, **options)
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("parsing", total=None)

        def report(done: int, total: int) -> None:
            # After the last file the build resolves names and writes the cache: say so.
            label = "resolving" if done == total else "parsing"
            bar.update(task, completed=done, total=total, description=label)

        return build_graph(repo, progress=report, **options)


@app.command("build")
@handles_errors
def build_command(
    path: Annotated[
        Path, typer.Argument(help="Repository or source directory (default: current).")
    ] = Path("."),
    json_output: JsonOption = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse everything; neither read nor write the cache.")
    ] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            "-x",
            help="Glob of files to leave out (repeatable; replaces the default vendored and "
            "generated globs, e.g. '**/vendor/**').",
        ),
    ] = None,
    max_file_bytes: Annotated[
        int, typer.Option(help="Files larger than this are skipped and reported.")
    ] = 1_000_000,
) -> None:
    """Build the code graph of a repository and report what it holds.

    Counts nodes per kind and edges per kind, lists files skipped and why, and the time
    each step took. The graph is cached in ~/.cache/swe-agent/graph/; a second build loads it,
    and after edits only the changed files are parsed again.

    Examples:

      swe-agent graph build .

      swe-agent graph build ~/src/django --json

      swe-agent graph build . --no-cache

      swe-agent graph build . -x '**/migrations/**' -x '**/vendor/**'
    """
    from repo_graph import DEFAULT_EXCLUDES

    graph = _load(
        path,
        use_cache=not no_cache,
        exclude=tuple(exclude) if exclude else DEFAULT_EXCLUDES,
        max_file_bytes=max_file_bytes,
    )
    if json_output:
        print_json(graph.summary())
        return
    _print_summary(graph.summary())


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title=f"code graph of {summary['root']} ({summary['mode']})", show_header=True)
    table.add_column("kind")
    table.add_column("count", justify="right")
    for kind, count in summary["nodes"].items():
        table.add_row(f"{kind} nodes", str(count))
    for kind, count in summary["edges"].items():
        table.add_row(f"{kind} edges", str(count))
    table.add_row("files parsed", str(summary["files_parsed"]))
    table.add_row("files from cache", str(summary["cache_hits"]))
    table.add_row("files with syntax errors", str(summary["files_with_syntax_errors"]))
    table.add_row("unresolved calls", str(summary["unresolved_calls"]))
    console.print(table)
    if summary["skipped"]:
        console.print(f"[bold]skipped ({len(summary['skipped'])}):[/]")
        for item in summary["skipped"][:20]:
            console.print(f"  {item['path']}: {item['reason']}")
        if len(summary["skipped"]) > 20:
            console.print(f"  ... and {len(summary['skipped']) - 20} more (see --json)")
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in summary["timings"].items())
    console.print(f"timings: {timings}")


@query_app.command("search")
@handles_errors
def search_command(
    query: Annotated[str, typer.Argument(help="An entity id, a name, or words of one.")],
    repo: RepoOption = Path("."),
    limit: Annotated[int, typer.Option("--limit", "-n", help="Most hits to show.")] = 10,
    json_output: JsonOption = False,
) -> None:
    """Find entities: an exact id first, then name matches, then BM25 over entity ids.

    Examples:

      swe-agent graph query search QuerySet.filter --repo ~/src/django

      swe-agent graph query search "django/db/models/query.py:QuerySet" --json
    """
    from repo_graph import search_entity

    hits = search_entity(_load(repo), query, limit=limit)
    if json_output:
        print_json(
            {
                "query": query,
                "hits": [
                    {
                        "id": h.entity.id,
                        "kind": h.entity.kind.value,
                        "match": h.match,
                        "score": h.score,
                        "signature": h.entity.signature,
                        "lines": [h.entity.start_line, h.entity.end_line],
                    }
                    for h in hits
                ],
            }
        )
        return
    for hit in hits:
        where = f"{hit.entity.start_line}-{hit.entity.end_line}" if hit.entity.end_line else ""
        typer.echo(f"{hit.entity.id}\t{hit.entity.kind.value}\t{hit.match}\t{where}")
    if not hits:
        typer.echo(f"no entity matches {query!r}", err=True)


@query_app.command("traverse")
@handles_errors
def traverse_command(
    entity: Annotated[str, typer.Argument(help="Entity id (or a name that means one entity).")],
    repo: RepoOption = Path("."),
    direction: Annotated[
        str, typer.Option(help="downstream (what it uses), upstream (what uses it), or both.")
    ] = "downstream",
    depth: Annotated[int, typer.Option(help="Hops to follow; -1 for no limit.")] = 2,
    edge_kinds: Annotated[
        list[str] | None,
        typer.Option("--edge-kinds", "-e", help="Edge kinds to follow (repeat or comma-separate)."),
    ] = None,
    node_kinds: Annotated[
        list[str] | None,
        typer.Option("--node-kinds", "-k", help="Node kinds to show (repeat or comma-separate)."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Show the neighbourhood of an entity as an indented tree.

    Examples:

      swe-agent graph query traverse django/db/models/base.py:Model.save --depth 1

      swe-agent graph query traverse Model.save --direction upstream -e invokes

      swe-agent graph query traverse django/db -e contains -k directory,file --depth 1 --json
    """
    from repo_graph import traverse

    result = traverse(
        _load(repo),
        entity,
        direction=direction,
        depth=depth,
        edge_kinds=_split(edge_kinds),
        node_kinds=_split(node_kinds),
    )
    if json_output:
        print_json(
            {
                "start": list(result.start),
                "nodes": [{"id": n.id, "kind": n.kind.value} for n in result.nodes],
                "edges": [{"source": s, "target": t, "kind": k} for s, t, k in result.edges],
                "text": result.text,
            }
        )
        return
    typer.echo(result.text)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@query_app.command("retrieve")
@handles_errors
def retrieve_command(
    entity: Annotated[str, typer.Argument(help="Entity id (or a name that means one entity).")],
    repo: RepoOption = Path("."),
    max_lines: Annotated[
        int | None, typer.Option(help="Keep the first and last lines of a longer entity.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Print the code of an entity with line numbers.

    Examples:

      swe-agent graph query retrieve django/utils/text.py:slugify --repo ~/src/django

      swe-agent graph query retrieve QuerySet.filter --json

      swe-agent graph query retrieve django/db/models/query.py --max-lines 80
    """
    from repo_graph import retrieve

    result = retrieve(_load(repo), entity, max_lines=max_lines)
    if json_output:
        e = result.entity
        print_json(
            {
                "id": e.id,
                "kind": e.kind.value,
                "path": e.path,
                "start_line": e.start_line,
                "end_line": e.end_line,
                "signature": e.signature,
                "text": result.text,
            }
        )
        return
    typer.echo(result.text)
