"""The forge's parts: issue references, settings from the Actions variables, the GitHub
client against the local server, the issue text, closing keywords, the push credentials."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from forge_world import TOKEN
from github_server import FakeGitHub

from swe_agent.forge import (
    ForgeError,
    ForgeInputError,
    ForgeSettings,
    Secret,
    closes_issue,
    issue_text,
    parse_issue_ref,
)
from swe_agent.forge.github import GitHub
from swe_agent.forge.refs import repo_from_remote_url
from swe_agent.forge.remote import Remote, safe_url

DOTCOM = ForgeSettings()
GHE = ForgeSettings.from_env(
    {"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_TOKEN": "t0k"}
)


@pytest.mark.parametrize(
    ("text", "slug", "number"),
    [
        ("https://github.com/o/r/issues/1", "o/r", 1),
        ("  https://github.com/psf/requests/issues/6710/  \n", "psf/requests", 6710),
        ("https://github.com/o/r.js/issues/3#issuecomment-9", "o/r.js", 3),
        ("o/r#12", "o/r", 12),
    ],
)
def test_issue_references(text: str, slug: str, number: int) -> None:
    ref = parse_issue_ref(text, DOTCOM)
    assert ref is not None and (ref.repo.slug, ref.number) == (slug, number)
    assert ref.url == f"https://github.com/{slug}/issues/{number}"


@pytest.mark.parametrize(
    "text",
    ["median() is wrong", "see https://github.com/o/r/issues/1 for more", "o/r#x", ""],
)
def test_issue_text_is_not_a_reference(text: str) -> None:
    assert parse_issue_ref(text, DOTCOM) is None


@pytest.mark.parametrize(
    "text", ["https://github.com/o/r/pull/3", "https://github.com/o/r", "https://github.com/"]
)
def test_other_github_pages_are_refused(text: str) -> None:
    with pytest.raises(ForgeInputError, match="not an issue's address"):
        parse_issue_ref(text, DOTCOM)


def test_enterprise_server_from_the_actions_variables() -> None:
    assert GHE.api_url == "https://ghe.example.com/api/v3"
    ref = parse_issue_ref("https://ghe.example.com/o/r/issues/4", GHE)
    assert ref is not None and ref.url == "https://ghe.example.com/o/r/issues/4"
    assert parse_issue_ref("o/r#4", GHE) == ref
    with pytest.raises(ForgeInputError, match="gitlab.com"):
        parse_issue_ref("https://gitlab.com/o/r/issues/4", GHE)
    explicit = ForgeSettings.from_env({"GITHUB_API_URL": "http://127.0.0.1:9/", "X": "y"})
    assert explicit.api_url == "http://127.0.0.1:9" and explicit.token is None


def test_the_token_never_prints() -> None:
    secret = Secret("s3cr3t-value")
    assert "s3cr3t" not in repr(secret) + str(secret) + repr(GHE)
    assert secret.redact("Bearer s3cr3t-value failed") == "Bearer *** failed"
    assert safe_url("https://x-access-token:abc@github.com/o/r") == "https://***@github.com/o/r"


@pytest.mark.parametrize(
    ("body", "closes"),
    [
        ("Fixes #1", True),
        ("This closes o/r#1.", True),
        ("resolved: https://github.com/o/r/issues/1", True),
        ("Fixes #12", False),
        ("See #1", False),
        ("Fixes other/r#1", False),
        ("", False),
    ],
)
def test_closing_keywords(body: str, closes: bool) -> None:
    ref = parse_issue_ref("o/r#1", DOTCOM)
    assert ref is not None and closes_issue(body, ref) is closes


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/o/r.git", "o/r"),
        ("git@github.com:o/r.git", "o/r"),
        ("ssh://git@github.com/o/r", "o/r"),
        ("https://x-access-token:abc@github.com/o/r", "o/r"),
        ("/srv/git/r.git", None),
        ("https://gitlab.com/o/r.git", None),
    ],
)
def test_remote_addresses(url: str, slug: str | None) -> None:
    repo = repo_from_remote_url(url, DOTCOM)
    assert (repo.slug if repo else None) == slug


def test_the_client_reads_every_page_of_comments(github: FakeGitHub) -> None:
    for index in range(150):
        github.add_comment("o", "r", 1, f"comment {index}", login="alice")
    settings = ForgeSettings(api_url=github.url, token=Secret(TOKEN))
    ref = parse_issue_ref("o/r#1", DOTCOM)
    assert ref is not None
    with GitHub(settings) as client:
        issue = client.issue(ref)
    assert issue.title.startswith("median()") and len(issue.comments) == 153
    pages = [r.query.get("page") for r in github.requests if r.path.endswith("/comments")]
    assert pages == [None, "2"]
    request = github.requests[0]
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    text = issue_text(issue)
    assert "Comment by alice:\n\nIt also happens with [1, 2]." in text
    assert "Thanks for the report" not in text and "/swe-agent" not in text


def test_the_client_names_missing_issues_and_anonymous_writes(github: FakeGitHub) -> None:
    ref = parse_issue_ref("o/r#7", DOTCOM)
    assert ref is not None
    with GitHub(ForgeSettings(api_url=github.url)) as client:
        with pytest.raises(ForgeInputError, match="404 Not Found") as missing:
            client.issue(ref)
        assert missing.value.exit_code == 2
        with pytest.raises(ForgeInputError, match="401 Requires authentication"):
            client.comment(ref, "hello")


def test_an_unreachable_server_is_a_forge_error() -> None:
    settings = ForgeSettings(api_url="http://127.0.0.1:9", token=Secret(TOKEN))
    ref = parse_issue_ref("o/r#1", DOTCOM)
    assert ref is not None
    with GitHub(settings) as client, pytest.raises(ForgeError, match="cannot reach") as error:
        client.issue(ref)
    assert TOKEN not in str(error.value)


def test_a_push_to_github_carries_the_token_in_the_environment_only(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    settings = ForgeSettings(token=Secret(TOKEN))
    env = Remote(tmp_path, "origin", "https://github.com/o/r.git", settings).auth_env()
    assert env["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    encoded = env["GIT_CONFIG_VALUE_0"].removeprefix("AUTHORIZATION: basic ")
    assert base64.b64decode(encoded).decode() == f"x-access-token:{TOKEN}"
    assert Remote(tmp_path, "origin", str(tmp_path), settings).auth_env() == {}
    assert Remote(tmp_path, "o", "https://gitlab.com/o/r.git", settings).auth_env() == {}
    # actions/checkout leaves its own header: ours would be a second Authorization header
    subprocess.run(
        ["git", "-C", str(tmp_path), "config", "http.https://github.com/.extraheader", "x"],
        check=True,
    )
    assert Remote(tmp_path, "origin", "https://github.com/o/r.git", settings).auth_env() == {}
