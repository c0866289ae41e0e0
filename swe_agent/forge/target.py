"""Where a run's pull request goes: the forge repository, the issue, the branch and its base."""

from __future__ import annotations

from dataclasses import dataclass

from swe_agent.forge.errors import ForgeInputError
from swe_agent.forge.model import IssueRef, RepoRef
from swe_agent.forge.refs import parse_issue_ref, repo_from_remote_url, repo_from_slug
from swe_agent.forge.remote import Remote, safe_url
from swe_agent.forge.settings import ForgeSettings

BRANCH_PREFIX = "swe-agent/"


@dataclass(frozen=True)
class Target:
    """The pull request's repository on the forge, the issue it fixes, and its branches."""

    repo: RepoRef
    issue: IssueRef | None
    branch: str
    base: str


def issue_ref(text: str | None, settings: ForgeSettings) -> IssueRef | None:
    """The issue an ``--issue`` value or a run's ``issue_url`` names (None: none named)."""
    if not text:
        return None
    ref = parse_issue_ref(text, settings)
    if ref is None:
        raise ForgeInputError(
            f"{text!r} is not an issue address",
            hint="use https://github.com/OWNER/REPO/issues/N or OWNER/REPO#N",
        )
    return ref


def find_target(
    remote: Remote, *, issue: IssueRef | None, run_id: str | None, base: str | None
) -> Target:
    """The target of a pull request for ``issue`` (or, without one, for run ``run_id``)."""
    settings = remote.settings
    repo = issue.repo if issue is not None else _repo_without_issue(remote, settings)
    if issue is not None:
        branch = f"{BRANCH_PREFIX}issue-{issue.number}"
    elif run_id is not None:
        branch = f"{BRANCH_PREFIX}{run_id}"
    else:
        raise ForgeInputError(
            "a pull request needs an issue or a run", hint="pass --issue URL or a run id"
        )
    return Target(repo=repo, issue=issue, branch=branch, base=base_branch(remote, base))


def base_branch(remote: Remote, given: str | None) -> str:
    """``given``, else the checked-out branch, else the remote's default; it must be on the
    remote, since the pull request merges into it there."""
    name = given or _checked_out(remote) or remote.default_branch()
    if not name:
        raise ForgeInputError(
            "cannot tell which branch the pull request should merge into",
            hint="pass --base BRANCH",
        )
    if remote.branch_tip(name) is None:
        raise ForgeInputError(
            f"the remote {remote.name} has no branch {name!r} to merge into",
            hint="push it first, or pass --base BRANCH of the remote",
        )
    return name


def check_base_commit(remote: Remote, *, commit: str | None, base: str) -> None:
    """Refuse when the run's base commit is not on the remote's ``base`` branch: the pull
    request would then carry other commits than the run's one."""
    if commit is None:
        raise ForgeInputError(
            "the run recorded no base commit (was it made outside git?)",
            hint="solve again in a git checkout of the repository",
        )
    tip = remote.branch_tip(base)
    if tip is None:
        raise ForgeInputError(f"the remote {remote.name} has no branch {base!r}")
    if remote.git("cat-file", "-e", f"{tip}^{{commit}}", check=False).returncode != 0:
        remote.git("fetch", "--quiet", "--no-tags", remote.name, f"refs/heads/{base}")
    ancestor = remote.git("merge-base", "--is-ancestor", commit, tip, check=False)
    if ancestor.returncode != 0:
        raise ForgeInputError(
            f"the run's base commit {commit[:12]} is not on {remote.name}/{base}: "
            "the pull request would carry commits that are not the run's",
            hint=f"push {commit[:12]} to {base} first, or pass --base BRANCH that holds it",
        )


def _checked_out(remote: Remote) -> str | None:
    done = remote.git("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return done.stdout.strip() or None


def _repo_without_issue(remote: Remote, settings: ForgeSettings) -> RepoRef:
    if settings.repository:
        return repo_from_slug(settings.repository, settings)
    repo = repo_from_remote_url(remote.url, settings)
    if repo is None:
        raise ForgeInputError(
            f"cannot tell which GitHub repository the remote {remote.name} "
            f"({safe_url(remote.url)}) is",
            hint="pass --issue URL of the issue, or set GITHUB_REPOSITORY=OWNER/NAME",
        )
    return repo
