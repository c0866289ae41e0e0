"""A run recorded by the real `solve` (local sandbox, scripted model) opens and applies in the TUI.

Guards the file formats between solve and the review app: the kept recording under
tests/fixtures/runs/ was written by an earlier version of solve; this one is written now.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tui_testlib import EXAMPLE, git, head, run_async, settle

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
    )
    report = solve(options, model=get_model([LOOK, FIX, SUBMIT]))
    assert report["status"] == "resolved"
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
