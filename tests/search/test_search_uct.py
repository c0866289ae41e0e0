"""UCT: every part of every candidate's score is recorded and explains the choice."""

from __future__ import annotations

import math

import pytest
from search_fakes import ScriptedExpander, ScriptedValue, edit

from search import (
    Budget,
    EventKind,
    Node,
    Seams,
    Search,
    SearchEvent,
    SearchOptions,
    Selection,
    UCTScore,
    UCTSelector,
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
    root = Node(id=0, state="base", visits=3, value_sum=-20.0)
    bad = Node(id=1, state="bad", parent=root, depth=1, visits=1, value_sum=-80.0)
    good = Node(id=2, state="good", parent=root, depth=1, visits=1, value_sum=60.0)
    root.children = [bad, good]
    return root, bad, good


def test_the_score_is_the_sum_of_its_named_parts() -> None:
    _, bad, _ = _tree()
    score = UCTSelector(exploration_weight=1.0, depth_weight=0.1).score(bad)
    assert score.exploitation == pytest.approx(0.1)  # (-80 + 100) / 200
    assert score.exploration == pytest.approx(math.sqrt(math.log(3) / 1))
    assert score.depth_penalty == pytest.approx(0.1)
    assert score.total == pytest.approx(0.1 + math.sqrt(math.log(3)) - 0.1)
    assert set(score.as_dict()) == PARTS


def test_every_candidate_is_scored_and_the_best_one_chosen() -> None:
    root, bad, good = _tree()
    selection = UCTSelector().select(root, expandable=lambda n: True)
    assert [c.node_id for c in selection.candidates] == [0, 1, 2]
    assert all(set(c.parts) == PARTS for c in selection.candidates)
    assert selection.node is good
    best = max(selection.candidates, key=lambda c: c.score)
    assert best.node_id == 2
    assert selection.parts_of(2)["exploitation"] > selection.parts_of(1)["exploitation"]  # type: ignore[index]


def test_only_expandable_nodes_are_candidates_and_ties_go_to_the_oldest() -> None:
    root = Node(id=0, state="base", visits=3, value_sum=0.0)
    twins = [Node(id=i, state=f"t{i}", parent=root, depth=1, visits=1) for i in (1, 2)]
    root.children = twins
    selection = UCTSelector().select(root, expandable=lambda n: n.id != 0)
    assert [c.node_id for c in selection.candidates] == [1, 2]
    assert selection.node is twins[0]
    assert UCTSelector().select(root, expandable=lambda n: False) == Selection(None, ())


def test_penalties_and_bonus_apply_when_they_should() -> None:
    root = Node(id=0, state="base", visits=2)
    done = Node(id=1, state="done", parent=root, depth=1, visits=1, terminal=True)
    copy = Node(id=2, state="done", parent=root, depth=1, visits=1, duplicate_of=1)
    root.children = [done, copy]
    selector = UCTSelector(unexpanded_bonus=0.2)
    scores = {
        c.node_id: c.parts for c in selector.select(root, expandable=lambda n: True).candidates
    }
    assert scores[0]["finished_penalty"] == selector.finished_penalty  # above a submitted node
    assert scores[1]["finished_penalty"] == selector.finished_penalty
    assert scores[2]["finished_penalty"] == 0.0
    assert (scores[1]["duplicate_penalty"], scores[2]["duplicate_penalty"]) == (0.0, 0.5)
    assert (scores[0]["unexpanded_bonus"], scores[1]["unexpanded_bonus"]) == (0.0, 0.2)


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
    root_parts, bad_parts = second.selection.parts_of(0), second.selection.parts_of(1)
    assert root_parts is not None and bad_parts is not None
    # The root wins on exploitation: its mean (-40) beats the branch that broke the tests (-80).
    assert root_parts["exploitation"] > bad_parts["exploitation"]
    assert root_parts["total"] > bad_parts["total"]
    third = [e for e in events if e.kind is EventKind.NODE_SELECTED][2]
    assert third.node is tree.nodes[2] and third.selection is not None
    recorded = dict(tree.nodes[2].selection or {})
    assert recorded.pop("iteration") == 3
    assert recorded == third.selection.parts_of(2)


def test_uct_score_is_a_frozen_value() -> None:
    score = UCTScore(0.5, 0.1, 0.0, 0.0, 0.0, 0.0)
    with pytest.raises(AttributeError):
        score.exploitation = 1.0  # type: ignore[misc]
