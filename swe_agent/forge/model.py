"""The forge's value objects: repositories, issues, comments and pull requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ForgeKind(StrEnum):
    """Which forge a repository lives on (GitLab and Gitea would join here)."""

    GITHUB = "github"


@dataclass(frozen=True)
class RepoRef:
    """A repository on a forge: ``https://github.com`` + ``owner/name``."""

    forge: ForgeKind
    server: str  # the web root, no trailing slash
    owner: str
    name: str

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def url(self) -> str:
        return f"{self.server}/{self.slug}"


@dataclass(frozen=True)
class IssueRef:
    """One issue of a repository."""

    repo: RepoRef
    number: int

    @property
    def url(self) -> str:
        return f"{self.repo.url}/issues/{self.number}"

    def __str__(self) -> str:
        return f"{self.repo.slug}#{self.number}"


@dataclass(frozen=True)
class Comment:
    """A comment on an issue; ``bot`` marks an app's or a bot account's."""

    author: str
    body: str
    bot: bool = False


@dataclass(frozen=True)
class Issue:
    """An issue as fetched: the text a run works from, and where it came from."""

    ref: IssueRef
    title: str
    body: str
    url: str
    state: str = "open"
    author: str = ""
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class PullRequest:
    """An open (or just opened) pull request."""

    number: int
    url: str
    title: str
    head: str  # the branch name
    base: str
    draft: bool = False
    body: str = ""
    head_repo: str | None = None  # owner/name of the head branch's repository


@dataclass(frozen=True)
class PullRequestDraft:
    """What to open (or update): title and body, from ``head`` into ``base``."""

    title: str
    body: str
    head: str
    base: str
    draft: bool = False


@dataclass(frozen=True)
class Secret:
    """A credential that prints as ``***``: reprs, logs and tracebacks never show it."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return "***"

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the secret replaced by ``***``."""
        return text.replace(self.value, "***") if self.value else text
