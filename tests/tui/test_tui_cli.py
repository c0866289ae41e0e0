"""`swe-agent review` as a command: help, refusals with exit 2, and no TUI import at start-up."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import typer
from tui_testlib import ROOT, RUN_ID
from typer.testing import CliRunner

from swe_agent.cli.review import review_command


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("review")(review_command)
    app.command("other")(lambda: None)  # two commands, so "review" is a subcommand as in swe-agent
    return app


def test_help_has_examples_and_keys() -> None:
    result = CliRunner().invoke(_cli(), ["review", "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.output and "swe-agent review" in result.output
    assert "space toggles the hunk" in result.output


def test_no_runs_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), ["review", "--repo", str(tmp_path)])
    assert result.exit_code == 2
    assert "no runs in" in result.output
    assert "Traceback" not in result.output


def test_unknown_run_theme_and_branch_are_bad_input(repo: Path) -> None:
    runner = CliRunner()
    unknown = runner.invoke(_cli(), ["review", "nope", "--repo", str(repo)])
    assert unknown.exit_code == 2 and "no run match 'nope'" in unknown.output
    theme = runner.invoke(_cli(), ["review", "--repo", str(repo), "--theme", "sepia"])
    assert theme.exit_code == 2 and "unknown theme 'sepia'" in theme.output
    branch = runner.invoke(_cli(), ["review", "--repo", str(repo), "--branch", "x"])
    assert branch.exit_code == 2 and "unknown branch mode 'x'" in branch.output


def test_a_broken_run_folder_is_bad_input(repo: Path, run_dir: Path) -> None:
    (run_dir / "tree.json").write_text("{broken")
    result = CliRunner().invoke(_cli(), ["review", "--repo", str(repo)])
    assert result.exit_code == 2
    assert "Unreadable run" in result.output and "Traceback" not in result.output


def test_importing_the_command_loads_no_textual() -> None:
    code = (
        "import sys, json; import swe_agent.cli.review; "
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    loaded = set(json.loads(out))
    assert "textual" not in loaded and "tui" not in loaded


def test_the_latest_run_is_the_default(repo: Path, run_dir: Path) -> None:
    from swe_agent.runs import find_run

    later = run_dir.with_name("20991231-235959-ffff")
    shutil.copytree(run_dir, later)
    assert find_run(repo).root == later  # `swe-agent review` without a run
    assert find_run(repo, RUN_ID[:12]).root == run_dir  # a unique prefix of the id
    assert find_run(repo, str(run_dir)).root == run_dir.resolve()  # the folder itself
