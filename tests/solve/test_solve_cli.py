"""The solve command line: option layering, bad input, a scripted run through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app
from swe_agent.errors import BadInput
from swe_agent.solve.config import layered_options


def test_overrides_set_nested_values_read_as_yaml() -> None:
    options, _ = layered_options(
        {"repo": Path("."), "issue": "x"},
        project=None,
        flags={"iterations": 5, "commit": "HEAD"},
        overrides=["agent.max_format_errors=7", "search=linear"],
    )
    assert options.agent.max_format_errors == 7 and options.commit == "HEAD"
    assert options.search == "linear" and options.iterations == 5


@pytest.mark.parametrize("bad", ["iterations", "=3", "iterations=many"])
def test_bad_overrides_name_the_problem(bad: str) -> None:
    with pytest.raises(BadInput):
        layered_options({"repo": Path("."), "issue": "x"}, project=None, overrides=[bad])


def test_bad_input_exits_2_without_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["solve", "--repo", str(tmp_path / "nope"), "-i", "x"])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    no_issue = runner.invoke(app, ["solve", "--repo", str(tmp_path)])
    assert no_issue.exit_code == 2
    bad_mode = runner.invoke(app, ["solve", "--repo", str(tmp_path), "-i", "x", "--search", "bfs"])
    assert bad_mode.exit_code == 2 and "search" in bad_mode.output


def test_cli_replays_a_recorded_run(calc_repo: Path, issue_text: str, tmp_path: Path) -> None:
    from solve_replies import FIX, SUBMIT

    from swe_agent.models import get_model
    from swe_agent.solve import SolveOptions, solve

    first = solve(
        SolveOptions(
            repo=calc_repo,
            issue=issue_text,
            search="linear",
            sandbox="local",
            setup_env=False,
            agent={"rewrite": False},
        ),
        model=get_model([FIX, SUBMIT]),
    )
    config = tmp_path / "solve.yaml"
    config.write_text("search: linear\nsandbox: local\niterations: 5\nagent:\n  rewrite: false\n")
    result = CliRunner().invoke(
        app,
        [
            "solve",
            "--repo",
            str(calc_repo),
            "-i",
            issue_text,
            "--no-env",
            "-C",
            str(config),
            "--model",
            f"replay:{first.run_dir}",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert report["status"] == "resolved" and report["patch"] == first.patch


def test_a_committed_run_folder_is_never_resumed_or_reviewed(calc_repo: Path) -> None:
    import subprocess

    from swe_agent.runs import find_run, list_runs

    run = calc_repo / ".swe-agent" / "runs" / "20990101-000000-beef"
    run.mkdir(parents=True)
    (run / "config.yaml").write_text('search: !!python/object/apply:os.system ["true"]\n')
    (run / "issue.md").write_text("x\n")
    git = ["git", "-C", str(calc_repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-f", ".swe-agent"], check=True)
    subprocess.run([*git, "commit", "-qm", "a run folder"], check=True)
    assert list_runs(calc_repo) == []
    for name in ("20990101-000000-beef", str(run)):
        with pytest.raises(BadInput, match="committed"):
            find_run(calc_repo, name)
    resumed = CliRunner().invoke(
        app, ["solve", "--repo", str(calc_repo), "--resume", "20990101-000000-beef"]
    )
    assert resumed.exit_code == 2 and "committed" in resumed.output


def test_chatter_during_the_work_goes_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    import os
    import subprocess
    import sys

    from swe_agent.cli._common import chatter_to_stderr, print_json

    with chatter_to_stderr():
        print("Give Feedback / Get Help")  # what litellm prints
        os.write(1, b"from C\n")  # a library writing to the descriptor
        subprocess.run([sys.executable, "-c", "print('from a child')"], check=True)
    print_json({"status": "resolved"})
    out, err = capfd.readouterr()
    assert json.loads(out) == {"status": "resolved"}
    assert "Give Feedback" in err and "from C" in err and "from a child" in err


def test_printed_run_commands_name_the_repository_when_it_is_elsewhere(tmp_path: Path) -> None:
    from swe_agent.cli._common import run_command_line

    here = run_command_line("review", "20260101-000000-ab12", repo=Path("."))
    assert here == "swe-agent review 20260101-000000-ab12"
    there = run_command_line("review", "r1", repo=tmp_path, extra="--follow")
    assert there == f"swe-agent review r1 --repo {tmp_path.resolve()} --follow"


def test_solve_reads_the_project_file_and_names_a_bad_key(calc_repo: Path) -> None:
    (calc_repo / ".swe-agent").mkdir(exist_ok=True)
    project = calc_repo / ".swe-agent" / "config.yaml"
    project.write_text("max_steps: 0\n")
    result = CliRunner().invoke(app, ["solve", "--repo", str(calc_repo), "-i", "x", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["message"].startswith(f"{project}:max_steps: ")
    assert not (calc_repo / ".swe-agent" / "runs").exists()
