"""The seams a forge implements: read an issue; find, open and announce a pull request."""

from __future__ import annotations

from typing import Protocol

from swe_agent.forge.model import Issue, IssueRef, PullRequest, PullRequestDraft, RepoRef


class IssueSource(Protocol):
    """Where ``solve --issue URL`` reads an issue from."""

    def issue(self, ref: IssueRef) -> Issue:
        """The issue's title, body and comments."""
        ...


class PullRequestHost(Protocol):
    """Where ``swe-agent pr`` opens a pull request and tells the issue about it."""

    def find_pull(
        self, repo: RepoRef, *, branch: str, issue: IssueRef | None
    ) -> PullRequest | None:
        """An open pull request from ``branch``, or one that closes ``issue``; None if none."""
        ...

    def submit_pull(
        self, repo: RepoRef, draft: PullRequestDraft, *, update: int | None = None
    ) -> PullRequest:
        """Open the pull request, or update the title and body of number ``update``."""
        ...

    def comment(self, ref: IssueRef, body: str) -> str:
        """Post a comment on the issue; returns its web address."""
        ...
