"""GitHub's REST API for issues, issue comments and pull requests, over httpx.

Requests and responses follow GitHub's documentation (API version 2022-11-28): the token goes
in ``Authorization: Bearer``, lists are paged through the ``Link`` header, and errors carry a
JSON ``message`` (422s also ``errors``). Error messages never include the token.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from swe_agent import __version__
from swe_agent.forge.errors import ForgeError, ForgeInputError
from swe_agent.forge.model import (
    Comment,
    Issue,
    IssueRef,
    PullRequest,
    PullRequestDraft,
    RepoRef,
)
from swe_agent.forge.refs import closes_issue
from swe_agent.forge.settings import ForgeSettings

API_VERSION = "2022-11-28"
PER_PAGE = 100
MAX_PAGES = 20  # 2,000 comments or open pull requests are read at most
RETRY_STATUSES = frozenset({502, 503, 504})  # GET only: a POST retried could open two
RETRY_DELAYS_S = (1.0, 3.0)


class _User(BaseModel):
    login: str = ""
    type: str = "User"


class _IssueJson(BaseModel):
    number: int
    title: str
    body: str | None = None
    html_url: str = ""
    state: str = "open"
    user: _User | None = None


class _CommentJson(BaseModel):
    body: str | None = None
    user: _User | None = None
    performed_via_github_app: dict[str, Any] | None = None


class _Branch(BaseModel):
    ref: str
    repo: dict[str, Any] | None = None


class _PullJson(BaseModel):
    number: int
    html_url: str = ""
    title: str = ""
    body: str | None = None
    draft: bool = False
    head: _Branch
    base: _Branch


class GitHub:
    """A GitHub (or GitHub Enterprise, or test) server, as ``ForgeSettings`` name it."""

    def __init__(self, settings: ForgeSettings, *, timeout_s: float = 30.0) -> None:
        import httpx

        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"swe-agent/{__version__}",
        }
        if settings.token is not None:
            headers["Authorization"] = f"Bearer {settings.token.value}"
        self.settings = settings
        self._http = httpx.Client(
            base_url=settings.api_url, headers=headers, timeout=timeout_s, follow_redirects=True
        )

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def issue(self, ref: IssueRef) -> Issue:
        """The issue's title, body and comments (every page of them)."""
        path = f"/repos/{ref.repo.slug}/issues/{ref.number}"
        data = _parse(_IssueJson, self._get(path, what=f"reading issue {ref}"), what="issue")
        comments = [
            _parse(_CommentJson, item, what="comment")
            for item in self._pages(f"{path}/comments", what=f"reading the comments of {ref}")
        ]
        return Issue(
            ref=ref,
            title=data.title,
            body=data.body or "",
            url=data.html_url or ref.url,
            state=data.state,
            author=data.user.login if data.user else "",
            comments=tuple(_comment(c) for c in comments),
        )

    def find_pull(
        self, repo: RepoRef, *, branch: str, issue: IssueRef | None
    ) -> PullRequest | None:
        """An open pull request from ``branch`` of ``repo``, or one whose text closes ``issue``."""
        path = f"/repos/{repo.slug}/pulls"
        closing = None
        for item in self._pages(
            path, what=f"listing the open pull requests of {repo.slug}", state="open"
        ):
            pull = _pull(_parse(_PullJson, item, what="pull request"))
            if pull.head == branch and pull.head_repo in (None, repo.slug):
                return pull
            if closing is None and issue is not None and closes_issue(pull.body, issue):
                closing = pull
        return closing

    def submit_pull(
        self, repo: RepoRef, draft: PullRequestDraft, *, update: int | None = None
    ) -> PullRequest:
        """Open the pull request (``draft`` as asked), or update pull request ``update``."""
        if update is not None:
            body: dict[str, Any] = {"title": draft.title, "body": draft.body}
            data = self._send(
                "PATCH",
                f"/repos/{repo.slug}/pulls/{update}",
                body,
                what=f"updating pull request #{update}",
            )
        else:
            body = {
                "title": draft.title,
                "head": draft.head,
                "base": draft.base,
                "body": draft.body,
                "draft": draft.draft,
                "maintainer_can_modify": True,
            }
            data = self._send(
                "POST", f"/repos/{repo.slug}/pulls", body, what="opening the pull request"
            )
        return _pull(_parse(_PullJson, data, what="pull request"))

    def comment(self, ref: IssueRef, body: str) -> str:
        """Post a comment on the issue and return its address."""
        path = f"/repos/{ref.repo.slug}/issues/{ref.number}/comments"
        data = self._send("POST", path, {"body": body}, what=f"commenting on {ref}")
        return str(data.get("html_url") or "") if isinstance(data, dict) else ""

    def _get(self, path: str, *, what: str, **params: Any) -> Any:
        return self._pages_raw(path, what=what, params=params, single=True)[0]

    def _pages(self, path: str, *, what: str, **params: Any) -> Iterator[Any]:
        yield from self._pages_raw(path, what=what, params={"per_page": PER_PAGE, **params})

    def _pages_raw(
        self, path: str, *, what: str, params: Mapping[str, Any], single: bool = False
    ) -> list[Any]:
        """A GET, then every ``rel="next"`` page it links to (up to ``MAX_PAGES``)."""
        url: str | None = path
        found: list[Any] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self._request("GET", url, what=what, params=params if url == path else None)
            data = response.json()
            if single:
                return [data]
            if not isinstance(data, list):
                raise ForgeError(f"GitHub answered {what} with {type(data).__name__}, not a list")
            found.extend(data)
            url = response.links.get("next", {}).get("url")
        return found

    def _send(self, method: str, path: str, body: Mapping[str, Any], *, what: str) -> Any:
        return self._request(method, path, what=what, json=dict(body)).json()

    def _request(self, method: str, url: str, *, what: str, **kwargs: Any) -> Any:
        import httpx

        delays = list(RETRY_DELAYS_S) if method == "GET" else []
        while True:
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if delays:
                    time.sleep(delays.pop(0))
                    continue
                raise ForgeError(
                    self.settings.redact(f"cannot reach {self.settings.api_url}: {exc}"),
                    hint="check GITHUB_API_URL and the network",
                ) from None
            if response.status_code in RETRY_STATUSES and delays:
                time.sleep(delays.pop(0))
                continue
            _raise_for_status(response, what=what, settings=self.settings)
            return response


def _raise_for_status(response: Any, *, what: str, settings: ForgeSettings) -> None:
    status = int(response.status_code)
    if status < 400:
        return
    detail = settings.redact(_message(response))
    message = f"GitHub refused {what}: {status} {detail}".rstrip()
    if status == 401:
        raise ForgeInputError(message, hint="set GITHUB_TOKEN to a valid token")
    if status == 403 and response.headers.get("x-ratelimit-remaining") == "0":
        raise ForgeError(message, hint="wait for the rate limit to reset, or set GITHUB_TOKEN")
    if status == 403:
        raise ForgeInputError(
            message,
            hint="the token needs contents: write, pull-requests: write and issues: write",
        )
    if status in (404, 410):
        raise ForgeInputError(
            message, hint="check the address; a private repository needs GITHUB_TOKEN"
        )
    if status == 422:
        raise ForgeInputError(message, hint="see GitHub's message above")
    raise ForgeError(message)


def _message(response: Any) -> str:
    """GitHub's error message and, for a 422, what each error was about."""
    try:
        data = response.json()
    except ValueError:
        return str(response.text)[:300]
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get("message") or "")]
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            parts.append(str(error.get("message") or error.get("code") or ""))
        elif isinstance(error, str):
            parts.append(error)
    return "; ".join(p for p in parts if p)


def _parse(model: type[Any], data: Any, *, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ForgeError(f"GitHub sent a {what} this tool cannot read: {exc}") from None


def _comment(data: _CommentJson) -> Comment:
    user = data.user or _User()
    bot = user.type == "Bot" or data.performed_via_github_app is not None
    return Comment(author=user.login, body=data.body or "", bot=bot)


def _pull(data: _PullJson) -> PullRequest:
    head_repo = (data.head.repo or {}).get("full_name")
    return PullRequest(
        number=data.number,
        url=data.html_url,
        title=data.title,
        head=data.head.ref,
        base=data.base.ref,
        draft=data.draft,
        body=data.body or "",
        head_repo=str(head_repo) if head_repo else None,
    )
