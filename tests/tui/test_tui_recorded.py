"""Runs that the real `solve` writes now (local sandbox; scripted or replayed model) and the TUI.

Guards the file formats between solve and the review app: a run written now opens and applies,
and replaying the kept recording's model replies (tests/fixtures/runs/) gives back its tree, so
the fixture the other tests read is still what solve writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tui_testlib import EXAMPLE, FIXTURE_RUN, RUN_ID, git, head, run_async, settle

from swe_agent.agent.policy import AgentConfig
from swe_agent.models import get_model
from swe_agent.runs import find_run
from swe_agent.solve import SolveOptions, solve
from tui import ReviewSettings, make_app
from tui.runview import Verdict, load_run

pytestmark = pytest.mark.slow

LOOK = "Look first.\n```python\nview('calculator/stats.py', 18, 24)\n```"
FIX = (
    "Average the two middle values.\n```python\nedit('calculator/stats.py', "
    "'    return ordered[middle]', '    if len(ordered) % 2 == 0:\\n"
    "        return (ordered[middle - 1] + ordered[middle]) / 2\\n    return ordered[middle]')\n```"
)
SUBMIT = "Done.\n```python\nsubmit('median averages the two middle values')\n```"


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    repo = tmp_path / "calc"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns(".swe-agent", ".pytest_cache"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Reviewer")
    git(repo, "config", "user.email", "reviewer@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    options = SolveOptions(
        repo=repo,
        issue=(EXAMPLE / "ISSUE.md").read_text(),
        search="linear",
        sandbox="local",
        setup_env=False,
        iterations=6,
        agent=AgentConfig(rewrite=False),
    )
    report = solve(options, model=get_model([LOOK, FIX, SUBMIT]))
    assert report.status == "resolved"
    return repo


def test_a_recorded_run_opens_and_its_patch_applies(recorded: Path) -> None:
    run = find_run(recorded)
    view = load_run(run)
    assert view.chosen is not None and view.nodes[view.chosen].terminal
    assert view.nodes[view.chosen].verdict is Verdict.PASSING
    assert [n.id for n in view.path(view.chosen)][0] == 0
    base = head(recorded)

    async def body() -> None:
        app = make_app(run, ReviewSettings(repo=recorded))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.node_id == view.chosen
            assert [f.path for f in app.files] == ["calculator/stats.py"]
            await pilot.press("a", "p")
            await settle(pilot)
            assert app.applied == head(recorded)

    run_async(body)
    assert git(recorded, "rev-parse", "HEAD~1").strip() == base
    assert "(ordered[middle - 1] + ordered[middle]) / 2" in git(recorded, "show", "HEAD")


def _shape(tree_json: Path) -> list[tuple[object, ...]]:
    """Each node's place and workspace state."""
    # rewards are left out: tuning the value function does not make the recording stale
    nodes = json.loads(tree_json.read_text())["nodes"]
    return [(n["id"], n["parent"], n["state"], n["terminal"]) for n in nodes]


def test_the_kept_recording_replays_to_the_same_tree(repo: Path) -> None:
    """The kept run's model replies, given to solve again, rebuild its tree node for node."""
    options = SolveOptions(
        repo=repo,
        issue=(FIXTURE_RUN / "issue.md").read_text(),
        sandbox="local",
        setup_env=False,
        iterations=12,
    )
    report = solve(options, model=get_model(f"replay:{FIXTURE_RUN}"))
    assert report.status == "resolved"
    run = find_run(repo)  # the newest run: this replay
    assert run.run_id != RUN_ID
    assert _shape(run.tree) == _shape(FIXTURE_RUN / "tree.json")
    assert run.patch.read_text() == (FIXTURE_RUN / "patch.diff").read_text()
