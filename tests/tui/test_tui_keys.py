"""Every key of the review app, driven by a pilot against a real git repository."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from tui_testlib import (
    CHOSEN,
    FAILING,
    FORMAT_ERROR,
    RUN_ID,
    git,
    head,
    run_async,
    settle,
    toasts,
    until,
)

from patches import read_record
from swe_agent.runs import RunPaths
from tui import BadSetting, HunkKey, Outcome, ReviewApp, ReviewSettings, make_app
from tui.diff_view import DiffView, HunkView
from tui.panes import RunHeader
from tui.tree_view import SearchTreeView

# the hunks of the chosen node in ``wide_repo``: the recorded fix, then two in a test file
STATS, TESTS = HunkKey(0, 0), HunkKey(1, 0)
ALL = {STATS, TESTS, HunkKey(1, 1)}


def _app(repo: Path, **settings: Any) -> ReviewApp:
    run = RunPaths(repo / ".swe-agent" / "runs" / RUN_ID)
    return make_app(run, ReviewSettings(repo=repo, **settings))


def _accepted_marks(app: ReviewApp) -> list[bool]:
    return [view.accepted for view in app.query(HunkView)]


def _text(widget: Any) -> str:
    return str(widget.render())


def test_opens_on_the_chosen_node_with_its_header(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.node_id == CHOSEN
            assert [f.path for f in app.files] == ["calculator/stats.py"]
            assert len(app.query(HunkView)) == 1
            header = _text(app.query_one(RunHeader))
            assert "median() returns the wrong value" in header
            assert "resolved · $0.0000 · 10,444/1,962 tok · 4m05s" in header

    run_async(body)


def test_space_toggles_the_hunk_under_the_cursor(wide_repo: Path) -> None:
    async def body() -> None:
        app = _app(wide_repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("space")
            assert app.accepted == {STATS} and _accepted_marks(app) == [True, False, False]
            await pilot.press("j", "space")
            assert app.accepted == {STATS, TESTS}
            await pilot.press("k", "space")
            assert app.accepted == {TESTS} and _accepted_marks(app) == [False, True, False]
            app.query_one(DiffView).focus()  # the diff has the focus: its own arrows move
            await pilot.press("down", "down", "space")
            assert app.accepted == {TESTS, HunkKey(1, 1)}
            await pilot.click(app.query(HunkView).last())  # a click toggles, as space does
            assert app.accepted == {TESTS}

    run_async(body)


def test_a_accepts_all_hunks_of_the_node_and_another_node_starts_afresh(
    wide_repo: Path,
) -> None:
    async def body() -> None:
        app = _app(wide_repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("a")
            assert app.accepted == ALL and all(_accepted_marks(app))
            assert "accepted all 3 hunks of node #3" in toasts(app)
            tree = app.query_one(SearchTreeView)
            await pilot.press("up")  # to node #2, whose diff is #1's stats hunk alone
            await pilot.pause()
            assert tree.cursor_node is not None and tree.cursor_node.data == FORMAT_ERROR
            assert app.node_id == FORMAT_ERROR and _accepted_marks(app) == [False]
            await pilot.press("space")
            assert app.accepted_node == FORMAT_ERROR and app.accepted == {STATS}
            assert any("dropped the accepted hunks of node #3" in t for t in toasts(app))

    run_async(body)


def test_p_applies_the_accepted_hunks_as_one_commit(wide_repo: Path, run_dir: Path) -> None:
    repo = wide_repo
    base = head(repo)

    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("space", "p")  # the stats.py hunk only
            await settle(pilot)
            assert app.applied == head(repo)
            assert any(t.startswith("apply\napplied as") for t in toasts(app))
            assert "applied " in _text(app.query_one(RunHeader))

    run_async(body)
    assert git(repo, "rev-parse", "HEAD~1").strip() == base
    assert git(repo, "log", "-1", "--format=%B").strip().splitlines()[:4] == [
        f"swe-agent: apply 1 of 3 hunks of node #3, run {RUN_ID}",
        "",
        "Chosen by the search:",
        "- tests: node 3 is resolved (1 finished: 1 resolved)",
    ]
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["calculator/stats.py"]
    assert git(repo, "status", "--porcelain") == ""
    assert read_record(run_dir / "applied.json").commit == head(repo)
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout  # the accepted fix makes the suite pass


def test_p_refuses_when_a_touched_file_has_uncommitted_changes(repo: Path) -> None:
    base = head(repo)
    stats = repo / "calculator" / "stats.py"
    stats.write_text(stats.read_text() + "\n# my own work\n")

    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("a", "p")
            await settle(pilot)
            said = toasts(app)[-1]
            assert said.startswith("apply: Uncommitted changes")
            assert "uncommitted changes in calculator/stats.py" in said
            assert "fix: stash them" in said
            assert app.applied is None

    run_async(body)
    assert head(repo) == base
    assert stats.read_text().endswith("# my own work\n")


def test_p_and_e_with_nothing_accepted_say_how(repo: Path, run_dir: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("p", "e")
            await settle(pilot)
            said = toasts(app)
            assert len(said) == 2 and all("nothing to" in t for t in said)
            assert "space accepts the hunk under the cursor" in said[0]

    base = head(repo)
    run_async(body)
    assert head(repo) == base and not (run_dir / "applied.json").exists()


def test_u_undoes_the_apply_and_says_when_there_is_nothing_to_undo(repo: Path) -> None:
    base = head(repo)

    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("u")
            await settle(pilot)
            assert "was never applied" in toasts(app)[-1]
            await pilot.press("a", "p")
            await settle(pilot)
            applied = head(repo)
            assert applied != base
            await pilot.press("p")  # a second apply of the same run is refused
            await settle(pilot)
            assert "already applied" in toasts(app)[-1] and head(repo) == applied
            await pilot.press("u")
            await settle(pilot)
            assert head(repo) == base and app.applied is None
            assert toasts(app)[-1].startswith("undo\nundone by reset")
            await pilot.press("u")
            await settle(pilot)
            assert "already undone" in toasts(app)[-1]
            await pilot.press("p")  # after an undo, applying again is allowed
            await settle(pilot)
            assert git(repo, "rev-parse", "HEAD~1").strip() == base

    run_async(body)


def test_e_exports_the_accepted_hunks_into_the_run_folder(repo: Path, run_dir: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("a", "e")
            await settle(pilot)
            assert toasts(app)[-1] == f"export\nexported to {run_dir / 'accepted-node-3.diff'}"

    base = head(repo)
    run_async(body)
    exported = run_dir / "accepted-node-3.diff"
    assert exported.read_text() == (run_dir / "patch.diff").read_text()
    assert head(repo) == base  # exporting never touches the repository
    assert not [p for p in run_dir.iterdir() if p.name.endswith(".tmp")]


def test_t_without_a_runner_says_why(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("t")
            await settle(pilot)
            assert "cannot re-run tests" in toasts(app)[-1]
            assert "sandbox image" in toasts(app)[-1]

    run_async(body)


def test_t_reruns_the_node_tests_through_the_callback(repo: Path) -> None:
    asked: list[int] = []

    def rerun(node_id: int) -> Mapping[str, Any]:
        asked.append(node_id)
        return {
            "reproduction": True,
            "regression": {"passed": 7, "failed": 0, "flaky": 0},
            "output": "8 passed in 0.05s",
        }

    async def body() -> None:
        app = _app(repo, run_tests=rerun)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("3", "t")
            await settle(pilot)
            shown = _text(app.query_one("#tests-body"))
            assert "regression tests: 7 passed, 0 failed" in shown
            assert "8 passed in 0.05s" in shown and "(re-run in this review)" in shown
            assert "tests of node #3 finished" in toasts(app)[-1]

    run_async(body)
    assert asked == [CHOSEN]


def test_q_quits(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running
        assert app.return_code == 0

    run_async(body)


def test_trajectory_shows_each_step_with_folded_observations(repo: Path) -> None:
    async def body() -> None:
        from textual.widgets import Collapsible

        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("up", "2")  # node #2: the steps of #1 and #2
            await pilot.pause()
            folds = list(app.query(Collapsible))
            assert len(folds) == 2 and all(f.collapsed for f in folds)
            folds[0].collapsed = False
            await pilot.pause()
            assert not folds[0].collapsed

    run_async(body)


def test_light_theme_and_bad_settings(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo, theme="light")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == "textual-light" and not app.current_theme.dark

    run_async(body)
    with pytest.raises(BadSetting, match="unknown theme"):
        _app(repo, theme="sepia")
    with pytest.raises(BadSetting, match="unknown branch mode"):
        _app(repo, branch="elsewhere")


def test_a_live_run_is_read_again_when_it_changes(tmp_path: Path, repo: Path) -> None:
    run_dir = repo / ".swe-agent" / "runs" / RUN_ID
    full_tree = (run_dir / "tree.json").read_text()
    (run_dir / "tree.json").unlink()

    async def body() -> None:
        app = _app(repo, refresh_s=0.05)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert list(app.view.nodes) == [0]
            growing = json.loads(full_tree)
            growing["chosen"] = None
            growing["nodes"][CHOSEN]["tests"] = None  # node #3 is not evaluated yet
            (run_dir / "tree.json").write_text(json.dumps(growing))
            await until(pilot, lambda: len(app.view.nodes) > 1)
            assert sorted(app.view.nodes) == [0, 1, 2, 3]
            app.node_id = CHOSEN
            await pilot.pause()
            assert "no tests ran" in _text(app.query_one("#tests-body"))
            (run_dir / "tree.json").write_text(full_tree)  # its tests came in
            await until(pilot, lambda: app.view.chosen is not None)
            await pilot.pause()
            assert "verdict: passing" in _text(app.query_one("#tests-body"))
            assert app.view.chosen == CHOSEN

    run_async(body)


def test_t_reports_a_runner_failure(repo: Path) -> None:
    def rerun(node_id: int) -> Mapping[str, Any]:
        from sandbox import SandboxGone  # user-facing: a common.UserError with a title

        raise SandboxGone(
            f"the image of node #{node_id} was removed", hint="run swe-agent env setup again"
        )

    async def body() -> None:
        app = _app(repo, run_tests=rerun)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("t")
            await settle(pilot)
            assert toasts(app)[-1] == (
                "tests: Sandbox gone\nthe image of node #3 was removed\n"
                "fix: run swe-agent env setup again"
            )

    run_async(body)


class _SlowActions:
    """Apply waits for the test to let it go; counts what was asked."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.applied = 0

    def apply(self, patch_text: str, *, message: str) -> Outcome:
        self.release.wait(10)
        self.applied += 1
        return Outcome("applied (slowly)", commit="0" * 40)

    def undo(self) -> Outcome:
        return Outcome("undone")

    def export(self, patch_text: str, *, name: str) -> Outcome:
        return Outcome("exported")


def test_one_repository_operation_at_a_time(repo: Path) -> None:
    actions = _SlowActions()

    async def body() -> None:
        app = _app(repo, actions=actions)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("a", "p", "u")
            await pilot.pause()
            assert "apply is still running" in toasts(app)[-1]
            actions.release.set()
            await settle(pilot)
            assert toasts(app)[-1] == "apply\napplied (slowly)" and actions.applied == 1
            assert app.busy is None

    run_async(body)


def test_a_malformed_node_diff_is_reported_not_fatal(repo: Path, run_dir: Path) -> None:
    (run_dir / "nodes" / "1.diff").write_text(
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n"
    )

    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await pilot.press("up", "up")  # #3 -> #2 -> #1
            await pilot.pause()
            assert app.node_id == FAILING and app.files == ()
            assert toasts(app)[-1].startswith("Unreadable run\na diff in the run folder")
            await pilot.press("space")
            assert "this node has no hunks" in toasts(app)[-1]
            assert app.is_running

    run_async(body)


def test_toggling_from_another_tab_shows_the_diff(repo: Path) -> None:
    async def body() -> None:
        from textual.widgets import TabbedContent

        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("2")
            assert app.query_one(TabbedContent).active == "trajectory"
            await pilot.press("space")
            assert app.query_one(TabbedContent).active == "diff"
            assert app.accepted == {STATS}

    run_async(body)


def test_apply_on_a_new_branch_and_undo_deletes_it(repo: Path) -> None:
    base = head(repo)

    async def body() -> None:
        app = _app(repo, branch="new")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("a", "p")
            await settle(pilot)
            assert git(repo, "branch", "--show-current").strip() == f"swe-agent/{RUN_ID}"
            await pilot.press("u")
            await settle(pilot)

    run_async(body)
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert head(repo) == base
    assert git(repo, "branch", "--list", "swe-agent/*") == ""


def test_a_run_applied_from_the_cli_shows_as_applied_and_u_undoes_it(repo: Path) -> None:
    from patches import apply_run
    from swe_agent.runs import find_run

    base = head(repo)
    commit = apply_run(repo, find_run(repo, RUN_ID).root).record.commit

    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.applied == commit
            assert f"applied {commit[:8]}" in _text(app.query_one(RunHeader))
            await pilot.press("u")
            await settle(pilot)
            assert app.applied is None

    run_async(body)
    assert head(repo) == base
