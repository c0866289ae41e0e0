"""Reading a run folder for display: the fixture run, fallbacks, and broken files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tui_testlib import FIXTURE_RUN, RUN_ID

from search import load_tree
from swe_agent.runs import RunPaths
from tui import BadRunFolder
from tui.labels import elapsed, header_facts, tree_label
from tui.runview import Verdict, load_run, node_diff


def _copy(tmp_path: Path) -> RunPaths:
    return RunPaths(Path(shutil.copytree(FIXTURE_RUN, tmp_path / RUN_ID)))


def test_the_fixture_tree_loads_with_the_search_package() -> None:
    tree = load_tree(FIXTURE_RUN / "tree.json")
    view = load_run(RunPaths(FIXTURE_RUN))
    assert sorted(tree.nodes) == sorted(view.nodes) == [0, 1, 2, 3, 4, 5]
    assert tree.chosen is not None and tree.chosen.node_id == view.chosen == 5
    assert [n.id for n in tree.finished()] == [2, 5]


def test_the_fixture_run_as_shown() -> None:
    view = load_run(RunPaths(FIXTURE_RUN))
    assert view.info.title == "median() returns the wrong value for an even number of values"
    assert (view.info.model, view.info.status) == ("anthropic/claude-sonnet-4-5", "resolved")
    assert [n.id for n in view.path(5)] == [0, 1, 3, 5]
    assert view.chosen_path == {0, 1, 3, 5}
    nodes = view.nodes
    assert nodes[2].terminal and nodes[2].verdict is Verdict.FAILING
    assert nodes[5].terminal and nodes[5].verdict is Verdict.PASSING
    assert nodes[4].duplicate_of == 3
    assert nodes[1].verdict is Verdict.UNTESTED
    assert nodes[3].usage.calls == 1 and nodes[3].usage.tokens_in == 3010
    assert "run_tests()" in nodes[3].code
    assert "7 passed" in nodes[3].observation


def test_tree_labels_carry_reward_visits_and_markers() -> None:
    view = load_run(RunPaths(FIXTURE_RUN))

    def label(node_id: int) -> str:
        node = view.nodes[node_id]
        parts = tree_label(node, chosen_path=view.chosen_path, chosen=view.chosen)
        return "".join(text for text, _ in parts)

    assert label(5).startswith("★#5 +97 n1 ■ ✔ edit(")
    assert label(2).startswith("#2 -62 n1 ■ ✘ edit(")
    assert label(4).startswith("#4 +82 n1 ✔ =#3 edit(")
    assert label(0) == "#0 n6 base"


def test_header_facts() -> None:
    info = load_run(RunPaths(FIXTURE_RUN)).info
    assert header_facts(info) == (
        "anthropic/claude-sonnet-4-5 · resolved · $0.0418 · 13,790/588 tok · 1m15s"
    )
    assert "· resolved, applied 01234567 ·" in header_facts(info, applied="0123456789ab")
    assert (elapsed(42), elapsed(3725)) == ("42s", "1h02m")


def test_node_diffs_fall_back_to_the_patch_for_the_chosen_node(tmp_path: Path) -> None:
    run = _copy(tmp_path)
    view = load_run(run)
    assert node_diff(run, view, 2) == (run.root / "nodes" / "2.diff").read_text()
    (run.root / "nodes" / "5.diff").unlink()
    assert node_diff(run, view, 5) == run.patch.read_text()
    assert node_diff(run, view, 1) == ""  # reading a file changes nothing


def test_a_run_without_tree_or_report_shows_the_root(tmp_path: Path) -> None:
    run = _copy(tmp_path)
    run.tree.unlink()
    run.report.unlink()
    view = load_run(run)
    assert list(view.nodes) == [0] and view.chosen is None
    assert view.info.title.startswith("median() returns")  # from issue.md
    assert view.info.status == "running"


@pytest.mark.parametrize(
    "content", ["{not json", "[]", json.dumps({"format": 1, "nodes": [{"id": 3}]})]
)
def test_a_broken_tree_is_a_bad_run_folder(tmp_path: Path, content: str) -> None:
    run = _copy(tmp_path)
    run.tree.write_text(content)
    with pytest.raises(BadRunFolder) as caught:
        load_run(run)
    assert caught.value.exit_code == 2


def test_a_torn_trajectory_line_is_ignored(tmp_path: Path) -> None:
    run = _copy(tmp_path)
    with run.trajectory.open("a") as handle:
        handle.write('{"seq": 99, "type": "model_call", "node": 5, "tok')
    assert load_run(run).nodes[5].usage.calls == 1
