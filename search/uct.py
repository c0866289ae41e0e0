"""UCT selection by descent from the root, each option's score a sum of named parts.

At every node on the way down the selector weighs two kinds of option: EXPAND the node (give it
one more child) or DESCEND into one of its children's subtrees. A child is scored on its mean
backed-up value; a new child of a node is expected to be as good as the node's own state, and its
exploration term counts the children the node already has. So a branch whose mean falls below the
state it started from loses to a fresh sibling as soon as that sibling is no less explored, and a
chain of mediocre steps cannot hold the search forever, as it would if every node were compared
with every other (a new leaf always looks the least explored). Rewards are normalised to [0, 1],
hence the classic c = 1/sqrt(2).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from search.node import MAX_REWARD, MIN_REWARD, Node
from search.protocols import Arm, Candidate, Expandable, Selection


@dataclass(frozen=True)
class UCTScore:
    """The parts of one option's UCT score; `total` adds bonuses and subtracts penalties."""

    exploitation: float  # value normalised to [0, 1] times its weight (see UCTSelector.score)
    exploration: float  # c * sqrt(ln N / n)
    depth_penalty: float
    duplicate_penalty: float  # the node's state was reached earlier by another node
    finished_penalty: float  # the option continues a trajectory that already submitted
    unexpanded_bonus: float  # expanding a node that has no children yet

    @property
    def total(self) -> float:
        """The score UCT maximises."""
        return (
            self.exploitation
            + self.exploration
            + self.unexpanded_bonus
            - self.depth_penalty
            - self.duplicate_penalty
            - self.finished_penalty
        )

    def as_dict(self) -> dict[str, float]:
        """Every part by name, plus ``total``."""
        return {**asdict(self), "total": self.total}


@dataclass(frozen=True)
class UCTSelector:
    """Descends from the root by the highest UCT score until expanding beats going deeper."""

    exploration_weight: float = 1 / math.sqrt(2)  # c
    exploitation_weight: float = 1.0
    depth_weight: float = 0.01  # penalty per level below the root
    duplicate_penalty: float = 0.5
    finished_penalty: float = 0.3
    unexpanded_bonus: float = 0.0

    def score(self, node: Node, *, arm: Arm, after_submit: bool = False) -> UCTScore:
        """One option's score, part by part.

        DESCEND into `node`: its mean value, N = its parent's visits, n = its visits.
        EXPAND `node`: its own reward, N = its visits, n = its children + 1.
        """
        if arm is Arm.EXPAND:
            value = node.reward.value if node.reward is not None else node.mean_value
            big_n, n = node.visits, node.expansions + 1
        else:
            value = node.mean_value
            big_n, n = (node.parent or node).visits, node.visits
        normalised = (value - MIN_REWARD) / (MAX_REWARD - MIN_REWARD)
        return UCTScore(
            exploitation=self.exploitation_weight * normalised,
            exploration=self.exploration_weight * math.sqrt(math.log(max(big_n, 1)) / max(n, 1)),
            depth_penalty=self.depth_weight * node.depth,
            duplicate_penalty=self.duplicate_penalty if node.duplicate_of is not None else 0.0,
            finished_penalty=self.finished_penalty if after_submit else 0.0,
            unexpanded_bonus=self.unexpanded_bonus
            if arm is Arm.EXPAND and not node.children
            else 0.0,
        )

    def select(self, root: Node, *, expandable: Expandable) -> Selection:
        """Walk down from the root; return the node whose EXPAND option wins (None: nothing)."""
        open_below = _subtrees_with(root, expandable)
        weighed: list[Candidate] = []
        node = root
        while node.id in open_below:
            options = self._options(node, expandable=expandable, open_below=open_below)
            weighed.extend(options)
            # max() keeps the first of equal scores: expanding here, then the oldest child.
            best = max(options, key=lambda c: c.score)
            if best.arm is Arm.EXPAND:
                return Selection(node, tuple(weighed))
            node = next(c for c in node.children if c.id == best.node_id)
        return Selection(None, tuple(weighed))

    def _options(
        self, node: Node, *, expandable: Expandable, open_below: set[int]
    ) -> list[Candidate]:
        options: list[Candidate] = []
        if expandable(node):
            options.append(self._candidate(node, Arm.EXPAND))
        options.extend(
            self._candidate(child, Arm.DESCEND) for child in node.children if child.id in open_below
        )
        return options

    def _candidate(self, node: Node, arm: Arm) -> Candidate:
        score = self.score(node, arm=arm, after_submit=_after_submit(node))
        return Candidate(node.id, score.total, score.as_dict(), arm)


def _after_submit(node: Node) -> bool:
    """True when the node or an ancestor submitted: going on continues a finished trajectory."""
    return any(n.terminal for n in node.path())


def _subtrees_with(root: Node, expandable: Expandable) -> set[int]:
    """Ids of the nodes whose subtree (themselves included) holds an expandable node."""
    found: set[int] = set()
    for node in sorted(root.walk(), key=lambda n: -n.depth):  # children before parents
        if expandable(node) or any(c.id in found for c in node.children):
            found.add(node.id)
    return found
