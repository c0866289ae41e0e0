"""`swe-agent apply` and `swe-agent undo` through the CLI: exit codes, messages, --json."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from patches_testlib import APP, commit, git, write
from typer.testing import CliRunner

from swe_agent.cli.apply import apply_command
from swe_agent.cli.undo import undo_command

MakePatch = Callable[[dict[str, str | bytes | None]], str]
FIXED = APP.replace("return a + b", "return b + a")


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("apply")(apply_command)
    app.command("undo")(undo_command)
    return app


def _run(repo: Path, run_id: str, text: str, summary: str | None = None) -> Path:
    run_dir = repo / ".swe-agent" / "runs" / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "patch.diff").write_text(text)
    if summary:
        (run_dir / "report.json").write_text(json.dumps({"summary": summary}))
    return run_dir


def _invoke(cli: typer.Typer, *args: str):
    return CliRunner().invoke(cli, list(args))


def test_apply_then_undo_with_json(cli: typer.Typer, repo: Path, make_patch: MakePatch):
    base = git(repo, "rev-parse", "HEAD")
    _run(repo, "20260101-aa", make_patch({"src/app.py": FIXED}), summary="Swap the operands")
    result = _invoke(cli, "apply", "20260101", "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    applied = json.loads(result.stdout)
    assert applied["run_id"] == "20260101-aa"
    assert applied["files"] == ["src/app.py"]
    assert "Swap the operands" in git(repo, "log", "-1", "--format=%B")
    again = _invoke(cli, "apply", "20260101-aa", "--repo", str(repo))
    assert again.exit_code == 2
    assert "already applied" in again.output
    result = _invoke(cli, "undo", "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    undone = json.loads(result.stdout)
    assert undone["undone"]["method"] == "reset"
    assert git(repo, "rev-parse", "HEAD") == base


def test_apply_on_a_new_branch_human_output(cli: typer.Typer, repo: Path, make_patch: MakePatch):
    _run(repo, "r2", make_patch({"src/app.py": FIXED}))
    result = _invoke(cli, "apply", "r2", "--repo", str(repo), "--branch", "new")
    assert result.exit_code == 0, result.output
    assert "swe-agent/r2" in result.output
    assert "swe-agent undo r2" in result.output
    assert git(repo, "branch", "--show-current") == "swe-agent/r2"


def test_apply_refused_on_a_dirty_file_exits_2(cli: typer.Typer, repo: Path, make_patch: MakePatch):
    _run(repo, "r3", make_patch({"src/app.py": FIXED}))
    write(repo, {"src/app.py": APP + "# mine\n"})
    result = _invoke(cli, "apply", "r3", "--repo", str(repo))
    assert result.exit_code == 2
    assert "src/app.py" in result.output
    assert "Traceback" not in result.output
    assert not (repo / ".swe-agent/runs/r3/applied.json").exists()


def test_bad_input_exits_2(cli: typer.Typer, repo: Path, tmp_path: Path, make_patch: MakePatch):
    assert _invoke(cli, "apply", "nope", "--repo", str(repo)).exit_code == 2
    assert _invoke(cli, "undo", "--repo", str(repo)).exit_code == 2
    assert _invoke(cli, "undo", "--repo", str(tmp_path)).exit_code == 2
    _run(repo, "r4", make_patch({"src/app.py": FIXED}))
    result = _invoke(cli, "apply", "r4", "--repo", str(repo), "--branch", "sideways")
    assert result.exit_code == 2
    _run(
        repo,
        "bad",
        "diff --git a/.git/config b/.git/config\n--- a/.git/config\n+++ b/.git/config\n",
    )
    result = _invoke(cli, "apply", "bad", "--repo", str(repo))
    assert result.exit_code == 2
    assert ".git" in result.output


def test_undo_refused_after_a_later_commit_on_the_same_file(
    cli: typer.Typer, repo: Path, make_patch: MakePatch
):
    _run(repo, "r5", make_patch({"src/app.py": FIXED}))
    assert _invoke(cli, "apply", "r5", "--repo", str(repo)).exit_code == 0
    commit(repo, {"src/app.py": FIXED + "# later\n"}, "later")
    result = _invoke(cli, "undo", "r5", "--repo", str(repo))
    assert result.exit_code == 2
    assert "later commits" in result.output
    assert "git revert" in result.output


def test_undo_picks_the_latest_applied_run(cli: typer.Typer, repo: Path, make_patch: MakePatch):
    _run(repo, "r6", make_patch({"src/app.py": FIXED}))
    _run(repo, "r7", make_patch({"notes.txt": "a\nb\nc\nd\n"}))
    assert _invoke(cli, "apply", "r6", "--repo", str(repo)).exit_code == 0
    assert _invoke(cli, "apply", "r7", "--repo", str(repo)).exit_code == 0
    result = _invoke(cli, "undo", "--repo", str(repo), "--json")
    assert json.loads(result.stdout)["run_id"] == "r7"
    result = _invoke(cli, "undo", "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    assert git(repo, "rev-list", "--count", "HEAD") == "1"
    assert (repo / "src/app.py").read_text() == APP


def test_a_broken_repository_is_a_failed_run_exit_1(
    cli: typer.Typer, repo: Path, make_patch: MakePatch
):
    _run(repo, "r8", make_patch({"src/app.py": FIXED}))
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    result = _invoke(cli, "apply", "r8", "--repo", str(repo))
    assert result.exit_code == 1
    assert "git failed" in result.output
    assert "Traceback" not in result.output


def test_the_printed_undo_works_for_a_run_folder_outside_the_repo(
    cli: typer.Typer, repo: Path, make_patch: MakePatch, tmp_path: Path
) -> None:
    # Before: the record said `swe-agent undo RUN_ID --repo REPO`, which looks the id up in
    # REPO/.swe-agent/runs/ and fails ("'RUN_ID' is not a run").
    base = git(repo, "rev-parse", "HEAD")
    outside = tmp_path / "elsewhere" / "20260102-bb"
    outside.mkdir(parents=True)
    (outside / "patch.diff").write_text(make_patch({"src/app.py": FIXED}))
    result = _invoke(cli, "apply", str(outside), "--repo", str(repo), "--json")
    assert result.exit_code == 0, result.output
    command = json.loads(result.stdout)["undo_command"]
    assert str(outside.resolve()) in command
    args = shlex.split(command)
    assert args[:2] == ["swe-agent", "undo"]
    undone = _invoke(cli, *args[1:])
    assert undone.exit_code == 0, undone.output
    assert git(repo, "rev-parse", "HEAD") == base


def test_the_printed_undo_names_a_run_of_the_repo_by_id(
    cli: typer.Typer, repo: Path, make_patch: MakePatch
) -> None:
    _run(repo, "20260103-cc", make_patch({"src/app.py": FIXED}))
    result = _invoke(cli, "apply", "20260103-cc", "--repo", str(repo), "--json")
    command = json.loads(result.stdout)["undo_command"]
    assert command == f"swe-agent undo 20260103-cc --repo {shlex.quote(str(repo.resolve()))}"


def test_apply_errors_are_one_json_object_with_json(cli: typer.Typer, repo: Path) -> None:
    result = _invoke(cli, "apply", "no-such-run", "--repo", str(repo), "--json")
    assert result.exit_code == 2
    failure = json.loads(result.stdout)
    assert failure["status"] == "error" and "no-such-run" in failure["error"]["message"]
