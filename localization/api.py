"""One-call entry points: localize an issue in a graph, or in a repository on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from localization.errors import LocalizationError
from localization.execution import Execution
from localization.graphview import GraphLike
from localization.history import read_history
from localization.model import TOP, Localization
from localization.rank import GraphLocalizer
from localization.weights import RankWeights


class BadRepository(LocalizationError):
    """The --repo path is not a directory that can be localized in."""

    title = "Bad repository"
    exit_code = 2


class BadIssue(LocalizationError):
    """The issue text gives nothing to localize (it is empty)."""

    title = "Bad issue"
    exit_code = 2


def localize(
    graph: GraphLike, issue_text: str, *, top: int = TOP, weights: RankWeights | None = None
) -> Localization:
    """Rank the files, classes and functions of ``graph`` that ``issue_text`` is about."""
    return GraphLocalizer(graph, weights=weights).localize(issue_text, top=top)


def localize_repo(
    root: Path,
    issue_text: str,
    *,
    top: int = TOP,
    run_example: Callable[[str | None], Execution | None] | None = None,
    history: bool = True,
) -> Localization:
    """Build (or load) the code graph of ``root`` and localize ``issue_text`` in it.

    ``run_example(main_package)``, when given, runs the issue's example (in a sandbox: the
    application layer's part) and returns what it did, which the ranking then uses. When
    ``root`` is in a git repository, its past commits are evidence too (unless ``history`` is
    false)."""
    from repo_graph import build_graph

    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is a file, not a directory"
        raise BadRepository(f"{root} {what}", hint="pass --repo PATH to a repository's root folder")
    if not issue_text.strip():
        raise BadIssue("the issue text is empty", hint="pass --issue TEXT or --issue @FILE")
    changes = read_history(root) if history else ()
    localizer = GraphLocalizer(build_graph(root), history=changes)
    execution = run_example(localizer.modules.main_package) if run_example else None
    return localizer.localize(issue_text, top=top, execution=execution)
