"""UCT: every part of every candidate's score is recorded and explains the choice."""

from __future__ import annotations

import math

import pytest
from search_fakes import ScriptedExpander, ScriptedValue, edit, submit

from search import (
    Arm,
    Budget,
    EventKind,
    Node,
    Reward,
    Seams,
    Search,
    SearchEvent,
    SearchOptions,
    Selection,
    StopReason,
    UCTScore,
    UCTSelector,
    resolved_by_tests,
)

PARTS = {
    "exploitation",
    "exploration",
    "depth_penalty",
    "duplicate_penalty",
    "finished_penalty",
    "unexpanded_bonus",
    "total",
}


def _tree() -> tuple[Node, Node, Node]:
    root = Node(id=0, state="base", reward=Reward(0.0), visits=3, value_sum=-20.0, expansions=2)
    bad = Node(id=1, state="bad", parent=root, depth=1, reward=Reward(-80.0), visits=1)
    good = Node(id=2, state="good", parent=root, depth=1, reward=Reward(60.0), visits=1)
    bad.value_sum, good.value_sum = -80.0, 60.0
    root.children = [bad, good]
    return root, bad, good


def test_the_score_is_the_sum_of_its_named_parts() -> None:
    root, bad, _ = _tree()
    selector = UCTSelector(exploration_weight=1.0, depth_weight=0.1)
    descend = selector.score(bad, arm=Arm.DESCEND)
    assert descend.exploitation == pytest.approx(0.1)  # mean -80 -> (-80 + 100) / 200
    assert descend.exploration == pytest.approx(math.sqrt(math.log(3) / 1))  # N = root visits
    assert descend.depth_penalty == pytest.approx(0.1)
    assert descend.total == pytest.approx(0.1 + math.sqrt(math.log(3)) - 0.1)
    assert set(descend.as_dict()) == PARTS
    expand = selector.score(root, arm=Arm.EXPAND)
    assert expand.exploitation == pytest.approx(0.5)  # its own reward, not its mean (-6.7)
    assert expand.exploration == pytest.approx(math.sqrt(math.log(3) / 3))  # n = 2 children + 1


def test_the_descent_weighs_every_option_and_records_its_parts() -> None:
    root, _, good = _tree()
    selection = UCTSelector().select(root, expandable=lambda n: True)
    assert [(c.node_id, c.arm) for c in selection.candidates] == [
        (0, Arm.EXPAND),
        (1, Arm.DESCEND),
        (2, Arm.DESCEND),
        (2, Arm.EXPAND),  # the only option left below the good child
    ]
    assert all(set(c.parts) == PARTS for c in selection.candidates)
    assert selection.node is good
    first_level = selection.candidates[:3]
    assert max(first_level, key=lambda c: c.score).node_id == 2
    assert all(c.score == c.parts["total"] for c in selection.candidates)


def test_a_branch_worse_than_its_starting_state_loses_to_a_new_sibling() -> None:
    root = Node(id=0, state="base", reward=Reward(0.0), visits=2, value_sum=-80.0, expansions=1)
    bad = Node(id=1, state="bad", parent=root, depth=1, reward=Reward(-80.0), visits=1)
    bad.value_sum = -80.0
    root.children = [bad]
    selection = UCTSelector().select(root, expandable=lambda n: True)
    assert selection.node is root
    expand, descend = selection.parts_of(0, Arm.EXPAND), selection.parts_of(1, Arm.DESCEND)
    assert expand is not None and descend is not None
    assert expand["exploitation"] - descend["exploitation"] == pytest.approx(0.4)
    assert expand["total"] > descend["total"]


def test_only_expandable_nodes_are_expanded_and_ties_go_to_the_oldest() -> None:
    root = Node(id=0, state="base", visits=3, expansions=2)
    twins = [Node(id=i, state=f"t{i}", parent=root, depth=1, visits=1) for i in (1, 2)]
    root.children = twins
    selection = UCTSelector().select(root, expandable=lambda n: n.id != 0)
    assert [(c.node_id, c.arm) for c in selection.candidates] == [
        (1, Arm.DESCEND),
        (2, Arm.DESCEND),
        (1, Arm.EXPAND),
    ]
    assert selection.node is twins[0]
    assert UCTSelector().select(root, expandable=lambda n: False) == Selection(None, ())


def test_penalties_and_bonus_apply_when_they_should() -> None:
    root = Node(id=0, state="base", visits=3, expansions=2)
    done = Node(id=1, state="done", parent=root, depth=1, visits=1, terminal=True)
    copy = Node(id=2, state="done", parent=root, depth=1, visits=1, duplicate_of=1)
    root.children = [done, copy]
    selector = UCTSelector(unexpanded_bonus=0.2)
    candidates = selector.select(root, expandable=lambda n: True).candidates
    parts = {(c.node_id, c.arm): c.parts for c in candidates}
    assert parts[(1, Arm.DESCEND)]["finished_penalty"] == selector.finished_penalty
    assert parts[(0, Arm.EXPAND)]["finished_penalty"] == 0.0  # a new branch is not a re-opening
    assert parts[(2, Arm.DESCEND)]["finished_penalty"] == 0.0
    assert parts[(1, Arm.DESCEND)]["duplicate_penalty"] == 0.0
    assert parts[(2, Arm.DESCEND)]["duplicate_penalty"] == 0.5
    assert parts[(0, Arm.EXPAND)]["unexpanded_bonus"] == 0.0  # it has children
    leaf = selector.score(copy, arm=Arm.EXPAND)
    assert (leaf.unexpanded_bonus, leaf.duplicate_penalty) == (0.2, 0.5)


def test_a_chain_of_mediocre_steps_does_not_hold_the_search() -> None:
    script = {"base": [edit("meh"), edit("fix")], "fix": [submit("fix")]}
    # Every unscripted step below "meh" scores -30, as does "meh"; "fix" is what we want.
    value = ScriptedValue({"fix": 60.0}, default=-30.0)
    search = Search(
        Seams(ScriptedExpander(script), value),
        options=SearchOptions(budget=Budget(max_iterations=20), good_enough=resolved_by_tests),
    )
    result = search.start("base")
    assert result.stop_reason is StopReason.GOOD_ENOUGH
    assert result.tree.iteration <= 5
    assert result.best is not None and result.best.state == "fix"


def test_the_loop_records_why_each_node_was_chosen() -> None:
    script = {"base": [edit("bad"), edit("good")]}
    events: list[SearchEvent] = []
    search = Search(
        Seams(ScriptedExpander(script), ScriptedValue({"bad": -80.0, "good": 60.0})),
        options=SearchOptions(budget=Budget(max_iterations=3)),
        on_event=events.append,
    )
    tree = search.start("base").tree
    second = [e for e in events if e.kind is EventKind.NODE_SELECTED][1]
    assert second.node is tree.root and second.selection is not None
    root_parts = second.selection.parts_of(0, Arm.EXPAND)
    bad_parts = second.selection.parts_of(1, Arm.DESCEND)
    assert root_parts is not None and bad_parts is not None
    # A new child of the base state (0) is worth more than the branch that broke the tests (-80).
    assert root_parts["exploitation"] > bad_parts["exploitation"]
    assert root_parts["total"] > bad_parts["total"]
    third = [e for e in events if e.kind is EventKind.NODE_SELECTED][2]
    assert third.node is tree.nodes[2] and third.selection is not None
    recorded = dict(tree.nodes[2].selection or {})
    assert recorded.pop("iteration") == 3
    assert recorded == third.selection.parts_of(2, Arm.EXPAND)


def test_uct_score_is_a_frozen_value() -> None:
    score = UCTScore(0.5, 0.1, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(AttributeError):
        score.exploitation = 1.0  # type: ignore[misc]
