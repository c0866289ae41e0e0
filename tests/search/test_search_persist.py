"""tree.json: atomic rewrites every iteration, exact round trips, and resuming a killed search."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from search_fakes import Interrupted, ScriptedExpander, ScriptedValue, edit, submit

from search import (
    Budget,
    CostMeter,
    Seams,
    Search,
    SearchOptions,
    StopReason,
    TreeFileError,
    load_tree,
    tree_to_json,
)

SCRIPT = {
    "base": [edit("a"), edit("b"), edit("c")],
    "a": [edit("a1"), edit("a2")],
    "b": [edit("b1"), submit("b", reproduction=False)],
    "b1": [submit("b1"), edit("a1")],
}
REWARDS = {"a": -60.0, "b": 30.0, "c": -10.0, "a1": -20.0, "b1": 50.0}
BUDGET = Budget(max_iterations=12, max_expansions=3)


def _search(
    path: Path | None, *, fail_on_call: int | None = None, fail_in_value: int | None = None
) -> Search:
    meter = CostMeter()
    seams = Seams(
        ScriptedExpander(SCRIPT, fail_on_call=fail_on_call),
        ScriptedValue(
            REWARDS, meter=meter, dollars_per_call=0.01, default=-30.0, fail_on_call=fail_in_value
        ),
    )
    options = SearchOptions(budget=BUDGET)
    return Search(seams, options=options, path=path, meter=meter, clock=lambda: 0.0)


def test_tree_json_has_the_documented_fields_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "run" / "tree.json"
    result = _search(path).start("base")
    on_disk = json.loads(path.read_text())
    assert on_disk == tree_to_json(result.tree)
    assert tree_to_json(load_tree(path)) == on_disk
    assert on_disk["stop_reason"] == "max_iterations" and on_disk["iteration"] == 12
    assert on_disk["budget"]["max_iterations"] == 12 and on_disk["mode"] == "mcts"
    assert on_disk["chosen"]["node"] == result.best.id  # type: ignore[union-attr]
    node = on_disk["nodes"][1]
    for key in ("id", "parent", "action", "reward", "visits", "value", "state", "terminal"):
        assert key in node
    for key in ("tests", "duplicate_of", "selection", "observation", "depth", "expansions"):
        assert key in node
    assert set(node["reward"]) == {"value", "parts", "explanation"}
    assert [p.name for p in path.parent.iterdir()] == ["tree.json"]  # no temp file left


def test_tree_json_is_rewritten_after_every_iteration(tmp_path: Path) -> None:
    path = tmp_path / "tree.json"
    seen: list[int] = []
    search = _search(path)
    search.on_event = lambda event: seen.append(json.loads(path.read_text())["iteration"])
    search.start("base")
    assert seen[-1] == 12 and set(range(1, 13)) <= set(seen)


@pytest.mark.parametrize("kill_on_call", [1, 4, 9])
def test_a_killed_search_resumes_to_the_same_tree(tmp_path: Path, kill_on_call: int) -> None:
    straight = _search(tmp_path / "straight.json").start("base")

    path = tmp_path / "resumed.json"
    with pytest.raises(Interrupted):
        _search(path, fail_on_call=kill_on_call).start("base")
    assert load_tree(path).iteration == kill_on_call - 1
    assert load_tree(path).stop_reason is None
    resumed = _search(path).resume()

    resumed_json, straight_json = tree_to_json(resumed.tree), tree_to_json(straight.tree)
    # 12 nodes, one a duplicate that reused its original's reward: 11 billed evaluations,
    # summed across both runs (float sums in another order may differ in the last digit).
    assert resumed_json.pop("cost") == pytest.approx(straight_json.pop("cost")) == 0.11
    assert resumed_json == straight_json
    assert resumed.stop_reason is straight.stop_reason is StopReason.ITERATIONS
    assert resumed.best is not None and resumed.best.id == straight.best.id  # type: ignore[union-attr]


def test_a_search_killed_while_evaluating_resumes_to_the_same_tree(tmp_path: Path) -> None:
    straight = _search(None).start("base")
    path = tmp_path / "tree.json"
    with pytest.raises(Interrupted):
        _search(path, fail_in_value=5).start("base")
    assert load_tree(path).iteration == 4  # the half-made fifth node never reached the file
    resumed = _search(path).resume()
    resumed_json, straight_json = tree_to_json(resumed.tree), tree_to_json(straight.tree)
    assert resumed_json.pop("cost") == pytest.approx(straight_json.pop("cost"))
    assert resumed_json == straight_json


def test_resuming_a_finished_search_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "tree.json"
    first = _search(path).start("base")
    again = _search(path).resume()
    assert tree_to_json(again.tree) == tree_to_json(first.tree)
    assert again.best is not None and again.best.id == first.best.id  # type: ignore[union-attr]


def test_a_larger_budget_continues_a_finished_search(tmp_path: Path) -> None:
    path = tmp_path / "tree.json"
    _search(path).start("base")
    bigger = Search(
        Seams(ScriptedExpander(SCRIPT), ScriptedValue(REWARDS, default=-30.0)),
        options=SearchOptions(budget=Budget(max_iterations=15, max_expansions=3)),
        path=path,
    )
    result = bigger.resume()
    assert result.tree.iteration == 15 and result.stop_reason is StopReason.ITERATIONS


def test_missing_or_broken_tree_files_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(TreeFileError) as missing:
        load_tree(tmp_path / "nope.json")
    assert missing.value.exit_code == 2 and missing.value.hint
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(TreeFileError):
        load_tree(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": 1, "nodes": []}))
    with pytest.raises(TreeFileError, match="not a search tree"):
        load_tree(wrong)
    bad_reward = tmp_path / "bad_reward.json"
    data = tree_to_json(_search(None).start("base").tree)
    data["nodes"][1]["reward"]["value"] = 500
    bad_reward.write_text(json.dumps(data))
    with pytest.raises(TreeFileError):
        load_tree(bad_reward)
