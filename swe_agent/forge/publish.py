"""`swe-agent pr`: a finished run -> one commit on a branch, pushed, and a pull request."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from common import atomic_write
from swe_agent.forge.errors import ForgeInputError
from swe_agent.forge.evidence import PullRequestText, issue_comment, pull_request_text
from swe_agent.forge.model import ForgeKind, PullRequest, PullRequestDraft
from swe_agent.forge.remote import NO_COMMIT, Remote, open_remote
from swe_agent.forge.run_facts import RunFacts, read_run
from swe_agent.forge.settings import ForgeSettings
from swe_agent.forge.target import Target, check_base_commit, find_target, issue_ref
from swe_agent.runs import RunPaths

RECORD_FILE = "pull_request.json"
FORGES: dict[ForgeKind, str] = {ForgeKind.GITHUB: "swe_agent.forge.github:GitHub"}
"""Forge kind -> client class; GitLab and Gitea would join here."""


class Outcome(StrEnum):
    """What ``open_pull_request`` did (or, with ``dry_run``, would do)."""

    OPENED = "opened"  # a pull request, ready for review
    UPDATED = "updated"  # --force: the branch and the open pull request were updated
    DRAFT = "draft"  # a draft pull request for an unresolved run (--draft-unresolved)
    NO_FIX = "no_fix"  # nothing: the run has no fix to propose
    EXISTS = "exists"  # nothing: a pull request for the issue, or the branch, exists already


PUBLISHED = frozenset({Outcome.OPENED, Outcome.UPDATED, Outcome.DRAFT})
EXIT_CODES = {
    Outcome.OPENED: 0,
    Outcome.UPDATED: 0,
    Outcome.NO_FIX: 1,
    Outcome.DRAFT: 3,
    Outcome.EXISTS: 4,
}


@dataclass(frozen=True)
class PrOptions:
    """How to open the pull request; every field is a flag of ``swe-agent pr``."""

    remote: str = "origin"  # the git remote to push the branch to
    base: str | None = None  # the branch to merge into; default: the checked-out branch
    issue: str | None = None  # the issue it fixes; default: the run's --issue address
    draft_unresolved: bool = False  # a draft pull request when the run was not resolved
    comment: bool = False  # also comment on the issue with a link to the pull request
    force: bool = False  # update the branch and pull request when they exist already
    dry_run: bool = False  # print what would be pushed and posted, do nothing


@dataclass(frozen=True)
class PrResult:
    """The outcome, with what was (or would be) pushed and posted."""

    outcome: Outcome
    message: str
    run_id: str
    dry_run: bool = False
    branch: str | None = None
    base: str | None = None
    commit: str | None = None
    url: str | None = None
    number: int | None = None
    comment_url: str | None = None
    title: str = ""
    body: str = ""
    comment: str = ""

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return asdict(self) | {"outcome": str(self.outcome), "exit_code": self.exit_code}


def open_pull_request(
    repo: Path, run: RunPaths, options: PrOptions, *, settings: ForgeSettings
) -> PrResult:
    """Open (or update, or draft) the pull request of a finished run, at most once per issue."""
    facts = read_run(run)
    if not facts.has_patch or (not facts.resolved and not options.draft_unresolved):
        return _no_fix(facts, options)
    remote = open_remote(repo, options.remote, settings)
    issue = issue_ref(options.issue or facts.issue_url, settings)
    target = find_target(remote, issue=issue, run_id=facts.run_id, base=options.base)
    check_base_commit(remote, commit=facts.base_commit, base=target.base)
    with open_forge(settings, target.repo.forge) as forge:
        result = _open(forge, remote, facts, target, options)
    if not result.dry_run and result.outcome in PUBLISHED:
        record(run, result)
    return result


def _open(
    forge: Any, remote: Remote, facts: RunFacts, target: Target, options: PrOptions
) -> PrResult:
    existing, lease = _existing(forge, remote, target)
    if (existing is not None or lease is not None) and not options.force:
        return _exists(facts, target, existing, lease, dry_run=options.dry_run)
    plan = _plan(remote, facts, target, existing, options)
    if options.dry_run:
        return plan
    _publish_branch(remote, target, str(plan.commit), lease=lease)
    request = PullRequestDraft(
        plan.title, plan.body, target.branch, target.base, draft=plan.outcome is Outcome.DRAFT
    )
    update = plan.number if plan.outcome is Outcome.UPDATED else None
    pull = forge.submit_pull(target.repo, request, update=update)
    return _announce(forge, facts, target, plan, pull, comment=options.comment)


def _plan(
    remote: Remote,
    facts: RunFacts,
    target: Target,
    existing: PullRequest | None,
    options: PrOptions,
) -> PrResult:
    """What will be pushed and posted: the commit, title and body."""
    text = pull_request_text(facts, issue=target.issue, draft=not facts.resolved)
    commit = _commit(remote, facts, target, text, force=options.force)
    ours = existing if existing is not None and existing.head == target.branch else None
    if ours is not None:
        outcome = Outcome.UPDATED
    else:
        outcome = Outcome.OPENED if facts.resolved else Outcome.DRAFT
    return PrResult(
        outcome=outcome,
        message=_message(outcome, target, number=ours.number if ours else None, url=None),
        run_id=facts.run_id,
        dry_run=options.dry_run,
        branch=target.branch,
        base=target.base,
        commit=commit,
        title=text.title,
        body=text.body,
        url=ours.url if ours else None,
        number=ours.number if ours else None,
    )


def preflight(
    repo: Path, *, issue_url: str | None, options: PrOptions, settings: ForgeSettings
) -> PrResult | None:
    """Before a solve: refuse bad pull request settings early, and return the ``EXISTS``
    result when the issue has a pull request or branch already (None: go ahead)."""
    remote = open_remote(repo, options.remote, settings)
    issue = issue_ref(options.issue or issue_url, settings)
    if issue is None:
        find_target(remote, issue=None, run_id="preflight", base=options.base)
        return None
    target = find_target(remote, issue=issue, run_id=None, base=options.base)
    if options.force:
        return None
    with open_forge(settings, target.repo.forge) as forge:
        existing, lease = _existing(forge, remote, target)
    if existing is None and lease is None:
        return None
    reason = _exists_reason(target, existing, lease)
    return PrResult(
        Outcome.EXISTS,
        f"{reason}: not solving again (pass --force to solve and update it)",
        run_id="",
        dry_run=options.dry_run,
        branch=target.branch,
        base=target.base,
        url=existing.url if existing else None,
        number=existing.number if existing else None,
    )


def open_forge(settings: ForgeSettings, kind: ForgeKind = ForgeKind.GITHUB) -> Any:
    """The client of a forge kind (a context manager), imported when first used."""
    import importlib

    module, _, name = FORGES[kind].partition(":")
    return getattr(importlib.import_module(module), name)(settings)


def record(run: RunPaths, result: PrResult) -> Path:
    """Write ``pull_request.json`` in the run folder (atomically; the body is not repeated)."""
    data = result.to_dict() | {"at": datetime.now(UTC).isoformat(timespec="seconds")}
    data.pop("body", None)
    path = run.root / RECORD_FILE
    atomic_write(path, json.dumps(data, indent=2) + "\n")
    return path


def _existing(forge: Any, remote: Remote, target: Target) -> tuple[PullRequest | None, str | None]:
    """The open pull request for the issue or branch, and the remote branch's commit."""
    pull = forge.find_pull(target.repo, branch=target.branch, issue=target.issue)
    return pull, remote.branch_tip(target.branch)


def _commit(
    remote: Remote, facts: RunFacts, target: Target, text: PullRequestText, *, force: bool
) -> str:
    """The branch's one commit, built by the apply path; an earlier identical one is reused."""
    from patches import commit_patch

    assert facts.base_commit is not None  # check_base_commit refused a run without one
    commit = commit_patch(
        remote.repo,
        facts.patch,
        parent=facts.base_commit,
        run_id=facts.run_id,
        message=text.commit_message,
    )
    local = _rev(remote, f"refs/heads/{target.branch}")
    if local is None or local == commit:
        return commit
    if _same_change(remote, local, commit):
        return local  # left by an earlier attempt whose push or pull request failed
    if not force:
        raise ForgeInputError(
            f"a local branch {target.branch} exists and holds another change",
            hint=f"delete it (git branch -D {target.branch}) or pass --force to replace it",
        )
    return commit


def _same_change(remote: Remote, one: str, other: str) -> bool:
    def shape(commit: str) -> str:
        return remote.git("show", "-s", "--format=%T %P", commit).stdout.strip()

    return shape(one) == shape(other)


def _rev(remote: Remote, ref: str) -> str | None:
    done = remote.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return done.stdout.strip() or None


def _publish_branch(remote: Remote, target: Target, commit: str, *, lease: str | None) -> None:
    ref = f"refs/heads/{target.branch}"
    old = _rev(remote, ref) or NO_COMMIT
    if old != commit:
        remote.git(
            "update-ref", "-m", f"swe-agent: pull request branch {commit[:12]}", ref, commit, old
        )
    remote.push(commit, target.branch, lease=lease)


def _announce(
    forge: Any,
    facts: RunFacts,
    target: Target,
    plan: PrResult,
    pull: PullRequest,
    *,
    comment: bool,
) -> PrResult:
    """The result of a published pull request, after the optional comment on the issue."""
    text, url = "", None
    if comment and target.issue is not None and plan.outcome is not Outcome.UPDATED:
        text = issue_comment(facts, pull, draft=plan.outcome is Outcome.DRAFT)
        url = forge.comment(target.issue, text)
    return replace(
        plan,
        message=_message(plan.outcome, target, number=pull.number, url=pull.url),
        url=pull.url,
        number=pull.number,
        comment_url=url,
        comment=text,
    )


def _message(outcome: Outcome, target: Target, *, number: int | None, url: str | None) -> str:
    what = {
        Outcome.OPENED: "a pull request",
        Outcome.DRAFT: "a draft pull request",
        Outcome.UPDATED: f"pull request #{number}",
    }[outcome]
    where = f"from {target.branch} into {target.base}"
    if url is None:
        verb = "would update" if outcome is Outcome.UPDATED else "would open"
        return f"{verb} {what} {where}"
    verb = "updated" if outcome is Outcome.UPDATED else "opened"
    return f"{verb} {what} {where}: {url}"


def _no_fix(facts: RunFacts, options: PrOptions) -> PrResult:
    if not facts.has_patch:
        why = f"run {facts.run_id} ended {facts.status} with no valid patch"
    else:
        why = f"run {facts.run_id} ended {facts.status}, not resolved"
    hint = "" if not facts.has_patch else " (--draft-unresolved opens a draft for its patch)"
    text = pull_request_text(facts, issue=None, draft=True)  # the evidence, for a summary
    return PrResult(
        Outcome.NO_FIX,
        f"{why}: no pull request{hint}",
        run_id=facts.run_id,
        dry_run=options.dry_run,
        title=text.title,
        body=text.body,
    )


def _exists(
    facts: RunFacts,
    target: Target,
    existing: PullRequest | None,
    lease: str | None,
    *,
    dry_run: bool,
) -> PrResult:
    return PrResult(
        Outcome.EXISTS,
        f"{_exists_reason(target, existing, lease)}: nothing done (--force updates it)",
        run_id=facts.run_id,
        dry_run=dry_run,
        branch=target.branch,
        base=target.base,
        url=existing.url if existing else None,
        number=existing.number if existing else None,
    )


def _exists_reason(target: Target, existing: PullRequest | None, lease: str | None) -> str:
    if existing is not None and existing.head == target.branch:
        return f"pull request #{existing.number} from {target.branch} is open ({existing.url})"
    if existing is not None:
        return f"pull request #{existing.number} already closes {target.issue} ({existing.url})"
    return f"the branch {target.branch} exists on the remote (at {str(lease)[:12]})"
