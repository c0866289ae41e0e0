"""Forges: read an issue from GitHub (GitLab and Gitea could follow), and turn a finished run
into a pushed branch and a pull request that carries the run's evidence.

The forge is behind two small protocols (``IssueSource``, ``PullRequestHost``); GitHub is
reached over its REST API with the variables GitHub Actions sets (``GITHUB_API_URL``,
``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_TOKEN``).
"""

from swe_agent.forge.around_solve import check_before_solve, read_issue, repo_root, solve_settings
from swe_agent.forge.errors import ForgeError, ForgeInputError, PushFailed
from swe_agent.forge.model import (
    Comment,
    ForgeKind,
    Issue,
    IssueRef,
    PullRequest,
    PullRequestDraft,
    RepoRef,
    Secret,
)
from swe_agent.forge.protocol import IssueSource, PullRequestHost
from swe_agent.forge.publish import (
    EXIT_CODES,
    RECORD_FILE,
    Outcome,
    PrOptions,
    PrResult,
    open_forge,
    open_pull_request,
    preflight,
)
from swe_agent.forge.refs import closes_issue, parse_issue_ref
from swe_agent.forge.settings import ForgeSettings, take_token_from_environment
from swe_agent.forge.text import issue_text

__all__ = [
    "EXIT_CODES",
    "RECORD_FILE",
    "Comment",
    "ForgeError",
    "ForgeInputError",
    "ForgeKind",
    "ForgeSettings",
    "Issue",
    "IssueRef",
    "IssueSource",
    "Outcome",
    "PrOptions",
    "PrResult",
    "PullRequest",
    "PullRequestDraft",
    "PullRequestHost",
    "PushFailed",
    "RepoRef",
    "Secret",
    "check_before_solve",
    "closes_issue",
    "issue_text",
    "open_forge",
    "open_pull_request",
    "parse_issue_ref",
    "preflight",
    "read_issue",
    "repo_root",
    "solve_settings",
    "take_token_from_environment",
]
