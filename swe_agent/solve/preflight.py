"""Checks of a solve run that need no work: done before localization, set-up or a run folder.

Everything a user can get wrong is found here in well under a second (the repository, the
base commit, the issue, the model spec, its API key and weights); what cannot be wrong but
should be said (a model litellm has no price for, an issue too long to send whole) becomes a
note, and a dollar budget that cannot hold gets a cap on model calls instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from common import resolve_commit
from swe_agent.errors import BadInput
from swe_agent.solve.options import SolveOptions

# With a model litellm cannot price, --budget caps calls instead: one policy call and one
# judge call per iteration (re-asks share the rest).
CALLS_PER_ITERATION = 2


@dataclass(frozen=True)
class Preflight:
    """The options a run goes on with (a call cap may be added) and what to tell the user."""

    options: SolveOptions
    notes: tuple[str, ...] = ()


def preflight(options: SolveOptions, *, check_the_model: bool = True) -> Preflight:
    """Check the run's inputs before any work; raise the error that names the fix.

    ``check_the_model`` is false when the caller hands solve a ready model (a replay in tests).
    """
    check_repo(options)
    check_issue(options.issue)
    notes: list[str] = []
    if check_the_model:
        from swe_agent.models import check_model
        from swe_agent.solve.seams import model_settings

        checked = check_model(options.model, **model_settings(options))
        notes += checked.notes
        options, capped = hold_budget(options, cost_known=checked.cost_known)
        notes += capped
    notes += issue_notes(options)
    return Preflight(options, tuple(notes))


def check_repo(options: SolveOptions) -> None:
    """The repository is a folder, and the base revision names a commit in it."""
    repo = options.repo
    if not repo.is_dir():
        what = "does not exist" if not repo.exists() else "is not a directory"
        raise BadInput(f"the repository {repo} {what}", hint="pass --repo PATH to a repository")
    if options.commit is None:
        return
    if resolve_commit(repo, options.commit) is None:
        raise BadInput(
            f"--commit {options.commit!r} is not a commit of {repo}",
            hint="pass a commit id, branch or tag that `git rev-parse` knows there",
        )


def check_issue(issue: str) -> None:
    """The issue says something."""
    if not issue.strip():
        raise BadInput("the issue text is empty", hint="pass --issue TEXT or --issue @FILE")


def hold_budget(options: SolveOptions, *, cost_known: bool) -> tuple[SolveOptions, list[str]]:
    """A dollar budget on a model whose calls count $0 cannot stop the run: cap its calls."""
    if cost_known or options.budget_usd is None:
        return options, []
    if options.max_calls is not None:
        return options, [
            f"--budget {options.budget_usd:g} cannot stop this model (its calls count $0); "
            f"--max-calls {options.max_calls} bounds it"
        ]
    cap = CALLS_PER_ITERATION * options.iterations
    note = (
        f"--budget {options.budget_usd:g} cannot stop this model (its calls count $0): "
        f"model calls are capped at {cap} ({CALLS_PER_ITERATION} per iteration) instead; "
        "set --max-calls to choose"
    )
    return options.model_copy(update={"max_calls": cap}), [note]


def issue_notes(options: SolveOptions) -> list[str]:
    """Say so when the model will not see the whole issue."""
    size, limit = len(options.issue), options.agent.max_issue_chars
    if size <= limit:
        return []
    return [
        f"the issue is {size:,} characters: the model is sent about {limit:,} of them (its head "
        "and tail, with a note between); the whole text is kept in the run folder's issue.md "
        "(-c agent.max_issue_chars=N to change)"
    ]
