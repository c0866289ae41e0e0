"""The loop with scripted seams: backing out of bad branches, merging states, events, linear."""

from __future__ import annotations

import pytest
from search_fakes import ScriptedExpander, ScriptedValue, edit, submit

from search import (
    Arm,
    Budget,
    EventKind,
    Expansion,
    Seams,
    Search,
    SearchEvent,
    SearchMode,
    SearchOptions,
    StopReason,
    linear,
    resolved_by_tests,
    tree_to_json,
)

# From the base, the first idea breaks the tests; the second leads to a fix that is submitted.
BACK_OUT_SCRIPT = {
    "base": [edit("broken", action="rewrite parser"), edit("fixed", action="guard None")],
    "broken": [edit("broken2")],
    "fixed": [submit("fixed")],
}
BACK_OUT_REWARDS = {"broken": -80.0, "broken2": -90.0, "fixed": 60.0}


def _search(script, rewards, **options) -> tuple[Search, ScriptedExpander, ScriptedValue]:
    expander, value = ScriptedExpander(script), ScriptedValue(rewards)
    return Search(Seams(expander, value), options=SearchOptions(**options)), expander, value


def test_search_backs_out_of_a_branch_that_breaks_the_tests() -> None:
    search, _, _ = _search(
        BACK_OUT_SCRIPT,
        BACK_OUT_REWARDS,
        budget=Budget(max_iterations=10),
        good_enough=resolved_by_tests,
    )
    result = search.start("base")
    tree = result.tree
    broken, fixed, submitted = tree.nodes[1], tree.nodes[2], tree.nodes[3]
    assert (broken.state, fixed.state, submitted.parent) == ("broken", "fixed", fixed)
    assert broken.children == []  # never followed further
    assert [(r.selected, r.added) for r in tree.history] == [(0, 1), (0, 2), (2, 3)]
    assert result.stop_reason is StopReason.GOOD_ENOUGH
    assert result.best is submitted


def test_second_child_is_told_what_its_sibling_tried_and_got() -> None:
    search, expander, _ = _search(
        BACK_OUT_SCRIPT, BACK_OUT_REWARDS, budget=Budget(max_iterations=2)
    )
    search.start("base")
    (first_node, first_siblings), (second_node, second_siblings) = expander.calls
    assert (first_node, second_node) == (0, 0)
    assert first_siblings == []
    [sibling] = second_siblings
    assert sibling.node_id == 1
    assert sibling.action == "rewrite parser"
    assert sibling.reward == -80.0
    assert sibling.explanation == "scripted reward of broken"
    assert (sibling.best_in_branch, sibling.branch_size, sibling.terminal) == (-80.0, 1, False)


def test_identical_states_merge_and_the_duplicate_is_penalised() -> None:
    script = {"base": [edit("same"), edit("same", action="the same edit, typed differently")]}
    events: list[SearchEvent] = []
    # A poor first edit sends the search back to the root, where the second edit lands on it too.
    value = ScriptedValue({"same": -80.0})
    search = Search(
        Seams(ScriptedExpander(script), value),
        options=SearchOptions(budget=Budget(max_iterations=3)),
        on_event=events.append,
    )
    tree = search.start("base").tree
    first, second = tree.nodes[1], tree.nodes[2]
    assert (first.state, second.state) == ("same", "same")
    assert (first.duplicate_of, second.duplicate_of) == (None, 1)
    assert 2 not in value.evaluated  # the duplicate reused its original's reward
    assert second.reward is not None and second.reward.value == -80.0
    assert second.reward.explanation.startswith("same state as node 1")
    last = [e.selection for e in events if e.kind is EventKind.NODE_SELECTED][-1]
    assert last is not None
    assert last.parts_of(1, Arm.DESCEND)["duplicate_penalty"] == 0.0  # type: ignore[index]
    assert last.parts_of(2, Arm.DESCEND)["duplicate_penalty"] == 0.5  # type: ignore[index]


def test_an_action_that_leaves_the_state_unchanged_is_not_a_duplicate() -> None:
    script = {"base": [edit("base", action="view file")], "": []}
    search, _, _ = _search(script, {}, budget=Budget(max_iterations=1))
    result = search.start("base")
    assert result.tree.nodes[1].duplicate_of is None


def test_linear_mode_grows_a_single_chain() -> None:
    script = {"base": [edit("a"), edit("b")], "a": [edit("a1"), edit("a2")]}
    search, _, _ = _search(script, {"a": -50.0}, budget=linear(Budget(max_iterations=5)))
    result = search.start("base")
    tree = result.tree
    assert tree.mode is SearchMode.LINEAR
    assert all(len(n.children) <= 1 for n in tree.nodes.values())
    assert [n.depth for n in tree.nodes.values()] == [0, 1, 2, 3, 4, 5]
    assert result.stop_reason is StopReason.ITERATIONS


def test_the_search_is_deterministic_under_deterministic_seams() -> None:
    script = {"base": [edit("a"), edit("b"), edit("c")], "b": [edit("b1"), submit("b")]}
    rewards = {"a": 10.0, "b": 30.0, "c": -20.0, "b1": 50.0}

    def run() -> dict:
        search, _, _ = _search(script, rewards, budget=Budget(max_iterations=12))
        tree = search.start("base").tree
        return {**tree_to_json(tree), "elapsed_s": None}

    assert run() == run()


def test_events_follow_every_step_of_an_iteration() -> None:
    events: list[SearchEvent] = []
    search = Search(
        Seams(ScriptedExpander(BACK_OUT_SCRIPT), ScriptedValue(BACK_OUT_REWARDS)),
        options=SearchOptions(budget=Budget(max_iterations=2)),
        on_event=events.append,
    )
    search.start("base")
    kinds = [e.kind for e in events]
    one = [
        EventKind.NODE_SELECTED,
        EventKind.NODE_ADDED,
        EventKind.NODE_EVALUATED,
        EventKind.ITERATION_DONE,
    ]
    assert kinds == [*one, *one, EventKind.SEARCH_DONE]
    added = [e for e in events if e.kind is EventKind.NODE_ADDED]
    assert [(e.iteration, e.node.id) for e in added] == [(0, 1), (1, 2)]  # type: ignore[union-attr]


def test_a_non_json_action_is_refused() -> None:
    from search import NotJsonable

    script = {"base": [Expansion(action=("a", "tuple"), state="s")]}
    search, _, _ = _search(script, {}, budget=Budget(max_iterations=1))
    with pytest.raises(NotJsonable):
        search.start("base")


def test_finished_nodes_are_not_expanded_unless_allowed() -> None:
    script = {"base": [submit("done")], "done": [edit("more")]}
    closed, _, _ = _search(
        script, {"done": 90.0}, budget=Budget(max_iterations=3, max_expansions=1)
    )
    assert closed.start("base").stop_reason is StopReason.EXPANSIONS
    opened, _, _ = _search(
        script,
        {"done": 90.0},
        budget=Budget(max_iterations=3, max_expansions=1),
        expand_finished=True,
    )
    tree = opened.start("base").tree
    done = tree.nodes[1]
    assert [c.state for c in done.children] == ["more"]
    assert done.selection is not None and done.selection["finished_penalty"] > 0


def test_a_duplicate_with_new_evidence_is_evaluated_again() -> None:
    script = {"base": [edit("same"), submit("same")]}
    value = ScriptedValue({"same": -80.0})
    search = Search(
        Seams(ScriptedExpander(script), value),
        options=SearchOptions(budget=Budget(max_iterations=2)),
    )
    tree = search.start("base").tree
    assert tree.nodes[2].duplicate_of == 1 and tree.nodes[2].terminal
    assert value.evaluated == [1, 2]  # it submitted, with tests: not the same evidence


def test_an_expansion_without_a_state_is_refused() -> None:
    from search import SearchError

    script = {"base": [Expansion(action="edit", state="")]}
    search, _, _ = _search(script, {}, budget=Budget(max_iterations=1))
    with pytest.raises(SearchError, match="must name the state"):
        search.start("base")
