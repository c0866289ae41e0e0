"""A local GitHub REST server for tests: the endpoints swe-agent uses, answering with the
request checks and response shapes GitHub documents (REST API version 2022-11-28).

Endpoints: get an issue; list and create issue comments; list, create and update pull
requests. Lists page with ``per_page`` (at most 100) and ``page`` and a ``Link`` header;
errors are ``{"message", "documentation_url", "status"}`` (422s add ``errors``). Requests
without a User-Agent are refused (403), a wrong token gets 401 "Bad credentials", a write
without a token 401 "Requires authentication". With ``remote`` (a bare repository), a pull
request's ``head`` and ``base`` must be branches there, as on GitHub.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSIONS = ("2022-11-28", "2026-03-10")
DOCS = "https://docs.github.com/rest"
WEB = "https://github.com"


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    """The server's state: issues, comments and pull requests per repository."""

    token: str | None = None
    remote: Path | None = None
    issues: dict[tuple[str, str, int], dict[str, Any]] = field(default_factory=dict)
    comments: dict[tuple[str, str, int], list[dict[str, Any]]] = field(default_factory=dict)
    pulls: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    _ids: int = 1000
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> FakeGitHub:
        handler = type("Handler", (_Handler,), {"github": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def add_issue(self, owner: str, repo: str, number: int, title: str, body: str) -> None:
        """An open issue by octocat."""
        self.issues[(owner, repo, number)] = self._issue(owner, repo, number, title, body)

    def add_comment(
        self, owner: str, repo: str, number: int, body: str, *, login: str = "hubot", kind="User"
    ) -> dict[str, Any]:
        comment = self._comment(owner, repo, number, body, login=login, kind=kind)
        self.comments.setdefault((owner, repo, number), []).append(comment)
        return comment

    def add_pull(
        self, owner: str, repo: str, *, head: str, base: str, title: str, body: str
    ) -> dict[str, Any]:
        pull = self._pull(owner, repo, head=head, base=base, title=title, body=body, draft=False)
        self.pulls.setdefault((owner, repo), []).append(pull)
        return pull

    def writes(self) -> list[Recorded]:
        """The POST and PATCH requests, in order."""
        return [r for r in self.requests if r.method in ("POST", "PATCH")]

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _next_number(self, owner: str, repo: str) -> int:
        numbers = [n for (o, r, n) in self.issues if (o, r) == (owner, repo)]
        numbers += [p["number"] for p in self.pulls.get((owner, repo), [])]
        return max(numbers, default=0) + 1

    def _user(self, login: str, kind: str = "User") -> dict[str, Any]:
        return {
            "login": login,
            "id": 1,
            "node_id": "MDQ6VXNlcjE=",
            "url": f"{self.url}/users/{login}",
            "html_url": f"{WEB}/{login}",
            "type": kind,
            "site_admin": False,
        }

    def _repo(self, owner: str, repo: str) -> dict[str, Any]:
        return {
            "id": 1296269,
            "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
            "name": repo,
            "full_name": f"{owner}/{repo}",
            "owner": self._user(owner, "Organization"),
            "private": False,
            "html_url": f"{WEB}/{owner}/{repo}",
            "url": f"{self.url}/repos/{owner}/{repo}",
            "default_branch": "main",
        }

    def _issue(self, owner: str, repo: str, number: int, title: str, body: str) -> dict[str, Any]:
        api = f"{self.url}/repos/{owner}/{repo}"
        now = _now()
        return {
            "id": self._next_id(),
            "node_id": "MDU6SXNzdWUx",
            "url": f"{api}/issues/{number}",
            "repository_url": api,
            "labels_url": f"{api}/issues/{number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{number}/comments",
            "events_url": f"{api}/issues/{number}/events",
            "html_url": f"{WEB}/{owner}/{repo}/issues/{number}",
            "number": number,
            "state": "open",
            "title": title,
            "body": body,
            "user": self._user("octocat"),
            "labels": [{"id": 208045946, "name": "swe-agent", "color": "f29513"}],
            "assignee": None,
            "assignees": [],
            "locked": False,
            "comments": 0,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "author_association": "OWNER",
        }

    def _comment(
        self, owner: str, repo: str, number: int, body: str, *, login: str, kind: str
    ) -> dict[str, Any]:
        comment_id = self._next_id()
        api = f"{self.url}/repos/{owner}/{repo}"
        now = _now()
        return {
            "id": comment_id,
            "node_id": "MDEyOklzc3VlQ29tbWVudDE=",
            "url": f"{api}/issues/comments/{comment_id}",
            "html_url": f"{WEB}/{owner}/{repo}/issues/{number}#issuecomment-{comment_id}",
            "body": body,
            "user": self._user(login, kind),
            "created_at": now,
            "updated_at": now,
            "issue_url": f"{api}/issues/{number}",
            "author_association": "COLLABORATOR",
            "performed_via_github_app": None,
        }

    def _pull(self, owner: str, repo: str, **fields: Any) -> dict[str, Any]:
        number = self._next_number(owner, repo)
        api = f"{self.url}/repos/{owner}/{repo}"
        now = _now()
        branch = {"repo": self._repo(owner, repo), "user": self._user(owner, "Organization")}
        return {
            "url": f"{api}/pulls/{number}",
            "id": self._next_id(),
            "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
            "html_url": f"{WEB}/{owner}/{repo}/pull/{number}",
            "diff_url": f"{WEB}/{owner}/{repo}/pull/{number}.diff",
            "issue_url": f"{api}/issues/{number}",
            "number": number,
            "state": "open",
            "locked": False,
            "title": fields["title"],
            "user": self._user("github-actions[bot]", "Bot"),
            "body": fields["body"],
            "draft": bool(fields.get("draft", False)),
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "merged_at": None,
            "head": {
                "label": f"{owner}:{fields['head']}",
                "ref": fields["head"],
                "sha": self._sha(fields["head"]) or "0" * 40,
                **branch,
            },
            "base": {
                "label": f"{owner}:{fields['base']}",
                "ref": fields["base"],
                "sha": self._sha(fields["base"]) or "0" * 40,
                **branch,
            },
            "maintainer_can_modify": bool(fields.get("maintainer_can_modify", False)),
        }

    def _sha(self, branch: str) -> str | None:
        if self.remote is None:
            return None
        done = subprocess.run(
            ["git", "-C", str(self.remote), "rev-parse", "--verify", "-q", f"refs/heads/{branch}"],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Handler(BaseHTTPRequestHandler):
    github: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.github.requests.append(Recorded(method, parts.path, query, headers, body))
        refusal = self._refusal(method, headers)
        if refusal is not None:
            self._send(*refusal)
            return
        for pattern, handler in ROUTES.get(method, ()):
            match = re.fullmatch(pattern, parts.path)
            if match:
                handler(self, *match.groups(), query=query, body=body)
                return
        self._error(404, "Not Found")

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return {"__unparsable__": raw.decode(errors="replace")}

    def _refusal(self, method: str, headers: dict[str, str]) -> tuple[int, Any] | None:
        if not headers.get("user-agent"):
            return 403, _error_body(
                403,
                "Request forbidden by administrative rules. Please make sure your request "
                "has a User-Agent header.",
            )
        version = headers.get("x-github-api-version")
        if version is not None and version not in API_VERSIONS:
            return 400, _error_body(400, f"API version {version} is not supported.")
        auth = headers.get("authorization")
        token = self.github.token
        if auth is not None:
            scheme, _, value = auth.partition(" ")
            if scheme.lower() not in ("bearer", "token") or value != token:
                return 401, _error_body(401, "Bad credentials")
        elif method != "GET" and token is not None:
            return 401, _error_body(401, "Requires authentication")
        return None

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("X-GitHub-Api-Version-Selected", API_VERSIONS[0])
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def _error(self, status: int, message: str, errors: list[Any] | None = None) -> None:
        self._send(status, _error_body(status, message, errors))

    def _page(self, items: list[dict[str, Any]], query: dict[str, str]) -> None:
        """One page of a list, with GitHub's Link header when there are more."""
        per_page = min(int(query.get("per_page") or 30), 100)
        page = max(int(query.get("page") or 1), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        base = f"{self.github.url}{urlsplit(self.path).path}"
        if page < last:
            links.append(f'<{base}?{urlencode({**query, "page": page + 1})}>; rel="next"')
            links.append(f'<{base}?{urlencode({**query, "page": last})}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?{urlencode({**query, "page": 1})}>; rel="first"')
            links.append(f'<{base}?{urlencode({**query, "page": page - 1})}>; rel="prev"')
        self._send(200, chunk, {"Link": ", ".join(links)} if links else None)

    def get_issue(self, owner: str, repo: str, number: str, **_: Any) -> None:
        issue = self.github.issues.get((owner, repo, int(number)))
        if issue is None:
            self._error(404, "Not Found")
            return
        count = len(self.github.comments.get((owner, repo, int(number)), []))
        self._send(200, {**issue, "comments": count})

    def list_comments(self, owner: str, repo: str, number: str, *, query: Any, **_: Any) -> None:
        if (owner, repo, int(number)) not in self.github.issues:
            self._error(404, "Not Found")
            return
        self._page(self.github.comments.get((owner, repo, int(number)), []), query)

    def create_comment(self, owner: str, repo: str, number: str, *, body: Any, **_: Any) -> None:
        if (owner, repo, int(number)) not in self.github.issues:
            self._error(404, "Not Found")
            return
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            self._error(
                422,
                "Validation Failed",
                [{"resource": "IssueComment", "code": "missing_field", "field": "body"}],
            )
            return
        comment = self.github.add_comment(
            owner, repo, int(number), body["body"], login="github-actions[bot]", kind="Bot"
        )
        self._send(201, comment, {"Location": comment["url"]})

    def list_pulls(self, owner: str, repo: str, *, query: Any, **_: Any) -> None:
        pulls = [p for p in self.github.pulls.get((owner, repo), []) if _matches(p, query)]
        self._page(sorted(pulls, key=lambda p: -p["number"]), query)

    def create_pull(self, owner: str, repo: str, *, body: Any, **_: Any) -> None:
        problem = self._pull_problem(owner, repo, body)
        if problem is not None:
            self._error(422, "Validation Failed", [problem])
            return
        pull = self.github._pull(owner, repo, **body)
        self.github.pulls.setdefault((owner, repo), []).append(pull)
        self._send(201, pull, {"Location": pull["url"]})

    def update_pull(self, owner: str, repo: str, number: str, *, body: Any, **_: Any) -> None:
        found = [p for p in self.github.pulls.get((owner, repo), []) if p["number"] == int(number)]
        if not found:
            self._error(404, "Not Found")
            return
        for key in ("title", "body", "state", "base", "maintainer_can_modify"):
            if isinstance(body, dict) and key in body:
                if key == "base":
                    found[0]["base"]["ref"] = body[key]
                else:
                    found[0][key] = body[key]
        found[0]["updated_at"] = _now()
        self._send(200, found[0])

    def _pull_problem(self, owner: str, repo: str, body: Any) -> dict[str, Any] | None:
        if not isinstance(body, dict):
            return {"resource": "PullRequest", "code": "invalid", "field": "body"}
        for name in ("head", "base"):
            if not isinstance(body.get(name), str):
                return {"resource": "PullRequest", "code": "missing_field", "field": name}
        if not isinstance(body.get("title"), str) and "issue" not in body:
            return {"resource": "PullRequest", "code": "missing_field", "field": "title"}
        head = body["head"].split(":", 1)[-1]
        if self.github.remote is not None:
            for name, branch in (("head", head), ("base", body["base"])):
                if self.github._sha(branch) is None:
                    return {"resource": "PullRequest", "code": "invalid", "field": name}
            if self.github._sha(head) == self.github._sha(body["base"]):
                return {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"No commits between {body['base']} and {head}",
                }
        for pull in self.github.pulls.get((owner, repo), []):
            if pull["state"] == "open" and pull["head"]["ref"] == head:
                return {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"A pull request already exists for {owner}:{head}.",
                }
        return None


def _matches(pull: dict[str, Any], query: dict[str, str]) -> bool:
    state = query.get("state", "open")
    if state != "all" and pull["state"] != state:
        return False
    if "head" in query and pull["head"]["label"] != query["head"]:
        return False
    return "base" not in query or pull["base"]["ref"] == query["base"]


def _error_body(status: int, message: str, errors: list[Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
    if errors:
        data["errors"] = errors
    return data


_REPO = r"/repos/([^/]+)/([^/]+)"
ROUTES: dict[str, list[tuple[str, Any]]] = {
    "GET": [
        (rf"{_REPO}/issues/(\d+)", _Handler.get_issue),
        (rf"{_REPO}/issues/(\d+)/comments", _Handler.list_comments),
        (rf"{_REPO}/pulls", _Handler.list_pulls),
    ],
    "POST": [
        (rf"{_REPO}/issues/(\d+)/comments", _Handler.create_comment),
        (rf"{_REPO}/pulls", _Handler.create_pull),
    ],
    "PATCH": [(rf"{_REPO}/pulls/(\d+)", _Handler.update_pull)],
}
