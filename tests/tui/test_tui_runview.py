"""Reading a run folder for display: the fixture run, fallbacks, and broken files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tui_testlib import CHOSEN, FAILING, FIXTURE_RUN, FORMAT_ERROR, RUN_ID

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
    assert sorted(tree.nodes) == sorted(view.nodes) == [0, 1, 2, 3]
    assert tree.chosen is not None and tree.chosen.node_id == view.chosen == CHOSEN
    assert [n.id for n in tree.finished()] == [CHOSEN]


def test_the_fixture_run_as_shown() -> None:
    view = load_run(RunPaths(FIXTURE_RUN))
    assert view.info.title == "median() returns the wrong value for an even number of values"
    assert (view.info.model, view.info.status) == ("local/qwen2.5-coder-0.5b", "resolved")
    assert [n.id for n in view.path(FORMAT_ERROR)] == [0, FAILING, FORMAT_ERROR]
    assert view.chosen_path == {0, CHOSEN}
    nodes = view.nodes
    assert not nodes[FAILING].terminal and nodes[FAILING].verdict is Verdict.FAILING
    assert nodes[CHOSEN].terminal and nodes[CHOSEN].verdict is Verdict.PASSING
    assert nodes[FORMAT_ERROR].verdict is Verdict.UNTESTED and not nodes[FORMAT_ERROR].code
    assert "no python code blocks" in nodes[FORMAT_ERROR].observation
    # the model was asked four times for #2 (format errors); each node's share adds up
    assert [nodes[i].usage.calls for i in (1, 2, 3)] == [1, 4, 1]
    assert sum(n.usage.tokens_in for n in nodes.values()) == view.info.tokens_in == 10_444
    assert "return (ordered[middle - 1] + ordered[middle]) / 2" in nodes[FAILING].code
    assert "replaced median in calculator/stats.py" in nodes[CHOSEN].observation


def test_tree_labels_carry_reward_visits_and_markers() -> None:
    view = load_run(RunPaths(FIXTURE_RUN))

    def label(node_id: int) -> str:
        node = view.nodes[node_id]
        parts = tree_label(node, chosen_path=view.chosen_path, chosen=view.chosen)
        return "".join(text for text, _ in parts)

    assert label(CHOSEN) == "★#3 +73 n1 ■ ✔ def median(values):"
    assert label(FAILING) == "#1 +44 n2 ✘ def median(values):"
    assert label(FORMAT_ERROR) == "#2 -40 n1 (no valid action)"
    assert label(0) == "#0 n4 base"
    # the chosen path (#0, #3) is drawn in the "chosen" style; other nodes are not
    roles = {
        i: dict(tree_label(view.nodes[i], chosen_path=view.chosen_path, chosen=view.chosen))
        for i in view.nodes
    }
    assert roles[0]["#0"] == roles[CHOSEN]["#3"] == roles[CHOSEN]["★"] == "chosen"
    assert roles[FAILING]["#1"] == "id" and "★" not in roles[FAILING]


def test_a_duplicate_is_marked_with_the_node_it_repeats(tmp_path: Path) -> None:
    run = _copy(tmp_path)
    tree = json.loads(run.tree.read_text())
    tree["nodes"][FORMAT_ERROR]["duplicate_of"] = FAILING  # the recorded run has none
    run.tree.write_text(json.dumps(tree))
    node = load_run(run).nodes[FORMAT_ERROR]
    label = "".join(text for text, _ in tree_label(node, chosen_path=frozenset(), chosen=None))
    assert label == "#2 -40 n1 =#1 (no valid action)"


def test_header_facts() -> None:
    info = load_run(RunPaths(FIXTURE_RUN)).info
    assert header_facts(info) == (
        "local/qwen2.5-coder-0.5b · resolved · $0.0000 · 10,444/1,962 tok · 4m05s"
    )
    assert "· resolved, applied 01234567 ·" in header_facts(info, applied="0123456789ab")
    assert (elapsed(42), elapsed(3725)) == ("42s", "1h02m")


def test_node_diffs_fall_back_to_the_patch_for_the_chosen_node(tmp_path: Path) -> None:
    run = _copy(tmp_path)
    view = load_run(run)
    assert node_diff(run, view, FAILING) == (run.root / "nodes" / "1.diff").read_text()
    (run.root / "nodes" / "3.diff").unlink()
    assert node_diff(run, view, CHOSEN) == run.patch.read_text() != ""
    (run.root / "nodes" / "2.diff").unlink()
    assert node_diff(run, view, FORMAT_ERROR) == ""  # only the chosen node has a fallback
    assert node_diff(run, view, 0) == ""  # the base against itself


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
        handle.write('{"seq": 99, "type": "model_call", "parent": 0, "tok')
    assert load_run(run).nodes[CHOSEN].usage.calls == 1
