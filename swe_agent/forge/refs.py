"""Read an issue reference: ``https://github.com/OWNER/REPO/issues/N`` or ``OWNER/REPO#N``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from swe_agent.forge.errors import ForgeInputError
from swe_agent.forge.model import ForgeKind, IssueRef, RepoRef
from swe_agent.forge.settings import ForgeSettings

_NAME = r"[A-Za-z0-9_.-]+"
_URL = re.compile(
    rf"(?P<server>https?://[^/\s]+)/(?P<owner>{_NAME})/(?P<name>{_NAME})"
    r"/issues/(?P<number>\d+)/?(?:[#?]\S*)?"
)
_SHORT = re.compile(rf"(?P<owner>{_NAME})/(?P<name>{_NAME})#(?P<number>\d+)")
_REMOTE = re.compile(
    rf"(?:https?://(?:[^@/\s]+@)?|ssh://(?:[^@/\s]+@)?|[^@/\s]+@)(?P<host>[^/:\s]+)(?::\d+)?[:/]"
    rf"(?P<owner>{_NAME})/(?P<name>{_NAME}?)(?:\.git)?/?"
)


def parse_issue_ref(text: str, settings: ForgeSettings) -> IssueRef | None:
    """The issue ``text`` names when it is only an issue address; None for issue text.

    Addresses on another host than github.com or ``GITHUB_SERVER_URL`` are refused: no other
    forge is supported yet.
    """
    text = text.strip()
    if match := _SHORT.fullmatch(text):
        repo = RepoRef(ForgeKind.GITHUB, settings.server_url, match["owner"], match["name"])
        return IssueRef(repo, int(match["number"]))
    match = _URL.fullmatch(text)
    if match is None:
        _refuse_other_github_pages(text, settings)
        return None
    server = match["server"].rstrip("/")
    host = (urlsplit(server).hostname or "").lower()
    if host not in ("github.com", settings.server_host):
        raise ForgeInputError(
            f"{text} is on {host}, which is not a GitHub server this tool knows",
            hint="for GitHub Enterprise set GITHUB_SERVER_URL (and GITHUB_API_URL); "
            "other forges are not supported yet: pass the issue text with --issue @FILE",
        )
    if host == settings.server_host:
        server = settings.server_url
    repo = RepoRef(ForgeKind.GITHUB, server, match["owner"], match["name"])
    return IssueRef(repo, int(match["number"]))


def _refuse_other_github_pages(text: str, settings: ForgeSettings) -> None:
    """A lone address of another GitHub page (a pull request, a file) is a mistake, not the
    text of an issue."""
    if not re.fullmatch(r"https?://\S+", text):
        return
    host = (urlsplit(text).hostname or "").lower()
    if host in ("github.com", settings.server_host):
        raise ForgeInputError(
            f"{text} is not an issue's address",
            hint="pass https://HOST/OWNER/REPO/issues/N, OWNER/REPO#N, or the issue's text",
        )


def repo_from_slug(slug: str, settings: ForgeSettings) -> RepoRef:
    """``owner/name`` on the configured server."""
    owner, sep, name = slug.strip().partition("/")
    if not (sep and re.fullmatch(_NAME, owner) and re.fullmatch(_NAME, name)):
        raise ForgeInputError(
            f"{slug!r} is not OWNER/NAME", hint="e.g. GITHUB_REPOSITORY=octo-org/octo-repo"
        )
    return RepoRef(ForgeKind.GITHUB, settings.server_url, owner, name)


def repo_from_remote_url(url: str, settings: ForgeSettings) -> RepoRef | None:
    """The repository a git remote address points to, when it is on the configured server."""
    match = _REMOTE.fullmatch(url.strip())
    if match is None or match["host"].lower() not in ("github.com", settings.server_host):
        return None
    server = settings.server_url if match["host"].lower() == settings.server_host else None
    return RepoRef(ForgeKind.GITHUB, server or "https://github.com", match["owner"], match["name"])


# GitHub's closing keywords, then the issue as #N, OWNER/NAME#N or its address.
_CLOSES = re.compile(
    rf"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?):?\s+(?:(?P<slug>{_NAME}/{_NAME})?#(?P<number>\d+)"
    r"|(?P<url>https?://\S+?/issues/\d+)\b)",
    re.IGNORECASE,
)


def closes_issue(text: str, issue: IssueRef) -> bool:
    """True when ``text`` (a pull request's body) says it closes ``issue``, as GitHub reads it."""
    for match in _CLOSES.finditer(text or ""):
        if match["url"]:
            if (
                match["url"]
                .rstrip("/")
                .lower()
                .endswith(f"/{issue.repo.slug}/issues/{issue.number}".lower())
            ):
                return True
        elif int(match["number"]) == issue.number and (
            match["slug"] is None or match["slug"].lower() == issue.repo.slug.lower()
        ):
            return True
    return False
