"""Run folders made by real solves (scripted replies, the local sandbox, real git and pytest)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from swe_agent.agent.policy import AgentConfig
from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calculator"
sys.path.insert(0, str(EXAMPLE.parents[1] / "tests" / "solve"))

from solve_replies import BREAK, FIX, LOOK, SUBMIT  # noqa: E402

PROSE = "I think the bug is in median."


def calculator_repo(root: Path) -> Path:
    """The calculator example as a fresh git repository under ``root``."""
    repo = root / "calc"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".pytest_cache", ".swe-agent"))
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    return repo


def scripted_solve(repo: Path, replies: list[str], **options: object) -> Path:
    """Solve the example's issue with ``replies``; the run folder."""
    base: dict[str, object] = {
        "repo": repo,
        "issue": (EXAMPLE / "ISSUE.md").read_text(),
        "search": "linear",
        "sandbox": "local",
        "setup_env": False,
        "iterations": 8,
        "agent": AgentConfig(auto_finish=False, rewrite=False),
    }
    report = solve(SolveOptions(**(base | options)), model=get_model(replies))
    return Path(report.run_dir)


@pytest.fixture(scope="module")
def linear_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A resolved linear run: look, a reply without code (re-asked), fix, submit."""
    repo = calculator_repo(tmp_path_factory.mktemp("linear"))
    return scripted_solve(repo, [LOOK, PROSE, FIX, SUBMIT])


@pytest.fixture(scope="module")
def tree_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tree search whose first child breaks the code and whose sibling fixes it."""
    repo = calculator_repo(tmp_path_factory.mktemp("tree"))
    return scripted_solve(
        repo, [BREAK, FIX, SUBMIT, SUBMIT, SUBMIT], search="mcts", expansions=2, iterations=5
    )
