"""Fixtures of the forge tests: solved runs of the calculator example and the local GitHub
server, reached through GITHUB_API_URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from forge_world import BREAK, EXAMPLE, FIX, PROBE, SUBMIT, TOKEN, make_calc_repo, solve_scripted
from github_server import FakeGitHub


@pytest.fixture(scope="session")
def solved_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two repositories with one run each: 'resolved' (a look at the environment, then the
    fix) and 'unresolved' (a patch that breaks a test), made once per session."""
    made = {}
    for name, replies in (("resolved", [PROBE, FIX, SUBMIT]), ("unresolved", [BREAK, SUBMIT])):
        repo = make_calc_repo(tmp_path_factory.mktemp(name) / "calc")
        solve_scripted(repo, replies)
        made[name] = repo
    return made


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """The local GitHub server, with issue o/r#1 (the example's ISSUE.md) and a comment."""
    issue = (EXAMPLE / "ISSUE.md").read_text()
    title, _, body = issue.partition("\n")
    with FakeGitHub(token=TOKEN) as server:
        server.add_issue("o", "r", 1, title.strip(), body.strip())
        server.add_comment("o", "r", 1, "It also happens with [1, 2].", login="alice")
        server.add_comment("o", "r", 1, "/swe-agent", login="maintainer")
        server.add_comment("o", "r", 1, "Thanks for the report!", login="helper-bot", kind="Bot")
        yield server


@pytest.fixture
def forge_env(github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """GITHUB_* variables as GitHub Actions sets them, the API at the local server."""
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.delenv("GITHUB_SERVER_URL", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    return github
