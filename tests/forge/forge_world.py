"""The world of the forge tests: the calculator example under git with a bare remote, and
runs of it solved with scripted model replies."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from github_server import FakeGitHub

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "calculator"
TOKEN = "ghs_TestTokenThatMustNeverBeWrittenAnywhere0123"
ISSUE_URL = "https://github.com/o/r/issues/1"
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([*GIT, "-C", str(repo), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_calc_repo(root: Path) -> Path:
    """The example as a git repository on branch main, one commit."""
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".pytest_cache", ".swe-agent"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")  # the message tests/solve uses: the history ranks it
    return root


def add_remote(repo: Path, remote: Path) -> Path:
    """A bare clone of ``repo`` as its ``origin``, holding main."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return remote


def solve_scripted(repo: Path, replies: list[str]) -> Path:
    """A real run of the example with scripted model replies; returns its folder."""
    from swe_agent.agent.policy import AgentConfig
    from swe_agent.models import get_model
    from swe_agent.solve import SolveOptions, solve

    options = SolveOptions(
        repo=repo,
        issue=(EXAMPLE / "ISSUE.md").read_text(),
        issue_url=ISSUE_URL,
        search="linear",
        sandbox="local",
        setup_env=False,
        iterations=8,
        # The scripted replies are free-form actions: no rewrite requests in between.
        agent=AgentConfig(auto_finish=False, rewrite=False),
    )
    report = solve(options, model=get_model(replies))
    return Path(report.run_dir)


def solve_killed(repo: Path, recording: Path, *, after_calls: int) -> Path:
    """A run of the example replaying ``recording``, killed (KeyboardInterrupt) at its model
    call number ``after_calls``: a folder that `solve --resume` continues."""
    import pytest

    from swe_agent.agent.policy import AgentConfig
    from swe_agent.models import Fault, FaultKind
    from swe_agent.models.replay import ReplayModel
    from swe_agent.solve import SolveOptions, solve

    options = SolveOptions(
        repo=repo,
        issue=(EXAMPLE / "ISSUE.md").read_text(),
        issue_url=ISSUE_URL,
        model=f"replay:{recording}",
        search="linear",
        sandbox="local",
        setup_env=False,
        iterations=8,
        run_example=False,
        agent=AgentConfig(auto_finish=False, rewrite=False),
    )
    crash = {after_calls: Fault(FaultKind.RAISE, error=KeyboardInterrupt())}
    with pytest.raises(KeyboardInterrupt):
        solve(options, model=ReplayModel.from_run(recording, faults=crash))
    (run,) = (repo / ".swe-agent" / "runs").iterdir()
    return run


def checkout(solved: Path, into: Path, github: FakeGitHub) -> Path:
    """A copy of a solved repository (its run folder included) with a fresh bare remote,
    which the server checks pull request branches against."""
    repo = into / "calc"
    shutil.copytree(solved, repo, symlinks=True)
    github.remote = add_remote(repo, into / "remote.git")
    return repo


# Scripted replies for the example (the same actions as tests/solve's).
FIX = (
    "Fix the even case.\n```python\nedit('calculator/stats.py', '    return ordered[middle]', "
    "'    if len(ordered) % 2 == 0:\\n        return (ordered[middle - 1] + ordered[middle]) / 2"
    "\\n    return ordered[middle]')\n```"
)
BREAK = (
    "Try this.\n```python\nedit('calculator/stats.py', '    return ordered[middle]', "
    "'    return ordered[0]')\n```"
)
PROBE = (
    "Look at the environment first.\n```python\nimport os\n"
    "print(sorted(name for name in os.environ if 'TOKEN' in name))\n```"
)
SUBMIT = "Done.\n```python\nsubmit('median averages the two middle values')\n```"
