"""`swe-agent pr`: a solved run becomes one pushed commit and a pull request with evidence,
once per issue, against the local GitHub server and a bare remote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from forge_world import TOKEN, checkout, git
from github_server import FakeGitHub
from typer.testing import CliRunner

from swe_agent.cli import app


def pr(repo: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["pr", "--repo", str(repo), "--json", *args])
    assert isinstance(result.exception, SystemExit | None), result.output
    start = result.output.find("{")
    return result.exit_code, json.loads(result.output[start:]) if start >= 0 else {}


def run_report(repo: Path) -> dict:
    (run,) = (repo / ".swe-agent" / "runs").iterdir()
    return json.loads((run / "report.json").read_text())


def test_opens_one_commit_and_a_pull_request_with_the_evidence(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    report = run_report(repo)
    code, result = pr(repo, "--comment")
    assert code == 0 and result["outcome"] == "opened", result
    remote = tmp_path / "remote.git"
    branch = "swe-agent/issue-1"
    # one commit on the run's base commit, whose diff is the run's patch
    assert git(remote, "rev-parse", f"{branch}~1") == report["base_commit"]
    diff = git(remote, "diff", "--full-index", f"{branch}~1", branch)
    assert _changes(diff) == _changes(report["patch"])
    assert "Swe-Agent-Run: " + report["run_id"] in git(remote, "log", "-1", "--format=%B", branch)
    # the request GitHub got
    (create, comment) = forge_env.writes()
    assert create.path == "/repos/o/r/pulls" and create.method == "POST"
    assert create.headers["authorization"] == f"Bearer {TOKEN}"
    assert create.body["head"] == branch and create.body["base"] == "main"
    assert create.body["draft"] is False
    body = create.body["body"]
    assert body.startswith("Fixes #1.")
    assert "`tests/test_stats.py::test_median_even`" in body  # the test it fixed
    assert "| tests broken | none |" in body
    assert "calculator/stats.py" in body and "named in the issue" in body  # localization
    assert "<details>" in body and "edit('calculator/stats.py'" in body  # the trajectory
    assert create.body["title"].startswith("Fix #1: median()")
    assert comment.path == "/repos/o/r/issues/1/comments"
    assert f"#{result['number']}" in comment.body["body"]
    # the working tree and HEAD were not touched
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "HEAD") == report["base_commit"]
    assert (Path(report["run_dir"]).name) == result["run_id"]
    record = json.loads(
        (repo / ".swe-agent/runs" / result["run_id"] / "pull_request.json").read_text()
    )
    assert record["url"] == result["url"] and record["branch"] == branch


def test_a_second_invocation_does_nothing(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    assert pr(repo)[0] == 0
    tip = git(tmp_path / "remote.git", "rev-parse", "swe-agent/issue-1")
    writes = len(forge_env.writes())
    code, result = pr(repo)
    assert code == 4 and result["outcome"] == "exists", result
    assert "is open" in result["message"] and result["url"]
    assert len(forge_env.writes()) == writes  # nothing posted
    assert git(tmp_path / "remote.git", "rev-parse", "swe-agent/issue-1") == tip  # nothing pushed


def test_force_updates_the_branch_and_the_pull_request(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    first = pr(repo)[1]
    code, result = pr(repo, "--force")
    assert code == 0 and result["outcome"] == "updated", result
    assert result["number"] == first["number"]
    update = forge_env.writes()[-1]
    assert update.method == "PATCH" and update.path == f"/repos/o/r/pulls/{first['number']}"
    assert set(update.body) == {"title", "body"}


def test_an_open_pull_request_that_closes_the_issue_stops_it(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    git(repo, "push", "-q", "origin", "main:someone/fix")
    forge_env.add_pull("o", "r", head="someone/fix", base="main", title="x", body="Closes #1")
    code, result = pr(repo)
    assert code == 4 and "already closes o/r#1" in result["message"]
    assert not forge_env.writes()


def test_a_remote_branch_stops_it(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    git(repo, "push", "-q", "origin", "main:swe-agent/issue-1")
    code, result = pr(repo)
    assert code == 4 and "exists on the remote" in result["message"]


def test_dry_run_pushes_and_posts_nothing(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    result = CliRunner().invoke(app, ["pr", "--repo", str(repo), "--dry-run", "--comment"])
    assert result.exit_code == 0, result.output
    assert "would open a pull request from swe-agent/issue-1 into main" in result.output
    assert "Fixes #1." in result.output  # the body it would post
    assert not forge_env.writes()
    assert git(tmp_path / "remote.git", "branch", "--list", "swe-agent/*") == ""
    assert git(repo, "branch", "--list", "swe-agent/*") == ""


def test_unresolved_runs_open_a_draft_only_when_asked(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["unresolved"], tmp_path, forge_env)
    assert run_report(repo)["status"] == "submitted"
    code, result = pr(repo)
    assert code == 1 and result["outcome"] == "no_fix" and "--draft-unresolved" in result["message"]
    assert not forge_env.writes()
    code, result = pr(repo, "--draft-unresolved")
    assert code == 3 and result["outcome"] == "draft", result
    (create,) = forge_env.writes()
    assert create.body["draft"] is True
    assert create.body["body"].startswith("For #1. **Draft**")
    assert "Fixes #1" not in create.body["body"]


def test_the_commit_sits_on_the_runs_base_when_main_moved_on(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "commit", "-q", "--allow-empty", "-m", "later work")
    git(repo, "push", "-q", "origin", "main")
    code, result = pr(repo)
    assert code == 0, result
    assert git(tmp_path / "remote.git", "rev-parse", "swe-agent/issue-1~1") == base


def test_a_base_commit_missing_from_the_remote_is_refused(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    other = tmp_path / "other.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(other)], check=True)
    unrelated = git(repo, "commit-tree", "-m", "unrelated history", "HEAD^{tree}")
    git(repo, "push", "-q", str(other), f"{unrelated}:refs/heads/main")
    git(repo, "remote", "add", "other", str(other))
    result = CliRunner().invoke(app, ["pr", "--repo", str(repo), "--remote", "other"])
    assert result.exit_code == 2, result.output
    assert "is not on other/main" in result.output
    assert git(other, "branch", "--list", "swe-agent/*") == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--remote", "nowhere"], "has no git remote 'nowhere'"),
        (["--base", "nope"], "has no branch 'nope'"),
        (["--issue", "not an issue"], "is not an issue address"),
        (["--issue", "https://gitlab.com/o/r/issues/1"], "not a GitHub server"),
    ],
)
def test_bad_input_exits_2_naming_the_fix(
    solved_repos: dict[str, Path],
    forge_env: FakeGitHub,
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    result = CliRunner().invoke(app, ["pr", "--repo", str(repo), *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_a_wrong_token_is_named_and_never_shown(
    solved_repos: dict[str, Path],
    forge_env: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrong_token_value")
    result = CliRunner().invoke(app, ["pr", "--repo", str(repo)])
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "401 Bad credentials" in output and "set GITHUB_TOKEN" in output
    assert "ghs_wrong_token_value" not in output


def _changes(diff: str) -> list[str]:
    """The changed lines of a diff, without index lines (abbreviation differs)."""
    return [
        line
        for line in diff.splitlines()
        if line.startswith(("+", "-", "@@")) and not line.startswith(("+++", "---"))
    ]


def test_a_run_folder_committed_to_the_repository_is_refused(
    solved_repos: dict[str, Path], forge_env: FakeGitHub, tmp_path: Path
) -> None:
    """Anyone can commit a .swe-agent/ folder: its 'run' is not pushed as a fix."""
    repo = checkout(solved_repos["resolved"], tmp_path, forge_env)
    run_id = run_report(repo)["run_id"]
    git(repo, "add", "-f", f".swe-agent/runs/{run_id}")
    git(repo, "commit", "-qm", "a run folder from elsewhere")
    git(repo, "push", "-q", "origin", "main")
    result = CliRunner().invoke(app, ["pr", run_id, "--repo", str(repo)])
    assert result.exit_code == 2 and "committed to the repository" in result.output
    assert not forge_env.writes()
