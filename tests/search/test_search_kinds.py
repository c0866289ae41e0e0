"""Kinds of expansion: the bandit that picks one per expansion, and its record in the tree."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from search import (
    Budget,
    Expansion,
    KindBandit,
    Node,
    Reward,
    Seams,
    Search,
    SearchOptions,
    SiblingSummary,
    TestEvidenceValue,
    load_tree,
)


def _node(node_id: int, kind: str | None, mean: float, visits: int = 1) -> Node:
    return Node(id=node_id, state=f"s{node_id}", kind=kind, visits=visits, value_sum=mean * visits)


def test_each_kind_is_tried_once_first_in_the_offered_order() -> None:
    bandit = KindBandit()
    assert bandit.choose([], ["rewrite", "act"]).kind == "rewrite"
    tried = [_node(1, "rewrite", -90.0)]
    choice = bandit.choose(tried, ["rewrite", "act"])
    assert choice.kind == "act"
    assert math.isinf(choice.scores[1].exploration)


def test_a_kind_that_keeps_failing_is_chosen_less() -> None:
    bandit = KindBandit()
    nodes = [_node(1, "rewrite", -90.0), _node(2, "act", 0.0)]
    choice = bandit.choose(nodes, ["rewrite", "act"])
    assert choice.kind == "act"
    parts = choice.parts()
    assert parts["kind.act.chosen"] == 1.0
    assert parts["kind.rewrite.value"] == (-90.0 + 100) / 200
    assert parts["kind.rewrite.uses"] == 1.0
    # ... but it is not abandoned: once the other kind has been used often, it comes back.
    nodes += [_node(3 + i, "act", 0.0) for i in range(4)]
    assert bandit.choose(nodes, ["rewrite", "act"]).kind == "rewrite"


def test_kinds_not_offered_here_do_not_count() -> None:
    nodes = [_node(1, "rewrite", 90.0), _node(2, "act", 0.0)]
    assert KindBandit().choose(nodes, ["act"]).kind == "act"


class KindScript:
    """Offers two kinds; a 'bad' expansion always leads to a state the tests reject."""

    def __init__(self) -> None:
        self.asked: list[str | None] = []

    def kinds(self, node: Node) -> Sequence[str]:
        return ("bad", "good")

    def expand(
        self, node: Node, siblings: Sequence[SiblingSummary], *, kind: str | None = None
    ) -> Expansion:
        self.asked.append(kind)
        n = len(self.asked)
        return Expansion(action={"n": n}, state=f"{kind}-{n}")


class ByPrefix:
    def evaluate(self, node: Node) -> Reward:
        return Reward(-80.0 if node.state.startswith("bad") else 10.0)


def test_the_search_learns_which_kind_earns_rewards(tmp_path: Path) -> None:
    expander = KindScript()
    search = Search(
        Seams(expander, ByPrefix()),
        options=SearchOptions(budget=Budget(max_iterations=12, max_expansions=4)),
        path=tmp_path / "tree.json",
    )
    result = search.start("base")
    used = Counter(expander.asked)
    assert expander.asked[:2] == ["bad", "good"]
    assert used["good"] >= 3 * used["bad"], used
    # Every node records its kind, tree.json keeps it, and the choice is explained.
    tree = load_tree(tmp_path / "tree.json")
    assert all(n.kind in ("bad", "good") for n in tree.nodes.values() if n.parent is not None)
    assert [n.kind for n in tree.nodes.values()] == [n.kind for n in result.tree.nodes.values()]
    selection = tree.nodes[0].selection or {}
    assert {"kind.bad.value", "kind.good.value", "total"} <= set(selection)


def test_a_plain_expander_gets_no_kind() -> None:
    class Plain:
        def expand(self, node: Node, siblings: Sequence[SiblingSummary]) -> Expansion:
            return Expansion(action="x", state=f"{node.state}/x")

    result = Search(
        Seams(Plain(), ByPrefix()), options=SearchOptions(budget=Budget(max_iterations=2))
    ).start("base")
    assert {n.kind for n in result.tree.nodes.values()} == {None}


def test_progress_on_the_failing_tests_earns_part_of_the_reward() -> None:
    def reward(record: dict[str, object]) -> float:
        node = Node(id=1, state="s", tests=record)
        found = TestEvidenceValue().evaluate(node)
        assert found is not None
        return found.parts["reproduction"]

    none_fixed = {"reproduction": False, "fixed": [], "still_failing": ["a", "b", "c", "d"]}
    three_fixed = {"reproduction": False, "fixed": ["a", "b", "c"], "still_failing": ["d"]}
    assert reward(none_fixed) == -100.0
    assert reward(three_fixed) == -25.0
    assert reward({"reproduction": True, "fixed": ["a"], "still_failing": []}) == 100.0
    assert reward({"reproduction": False}) == -100.0


class RefusesFirst:
    """The first expansion of every node is refused (a dead end); the next one works."""

    def expand(self, node: Node, siblings: Sequence[SiblingSummary]) -> Expansion:
        if not siblings:
            return Expansion(action="refused", state=node.state, dead_end=True)
        return Expansion(action="works", state=f"{node.state}/w")


def test_a_refused_step_is_not_grown_and_does_not_end_a_chain(tmp_path: Path) -> None:
    from search import linear

    search = Search(
        Seams(RefusesFirst(), ByPrefix()),
        options=SearchOptions(budget=linear(Budget(max_iterations=4))),
        path=tmp_path / "tree.json",
    )
    tree = search.start("base").tree
    refused = [n for n in tree.nodes.values() if n.dead_end]
    assert [n.parent.id for n in refused if n.parent] == [0, 2]
    assert all(not n.children for n in refused)
    assert tree.nodes[4].state == "base/w/w"  # the chain went on from the parents
    assert load_tree(tmp_path / "tree.json").nodes[1].dead_end
