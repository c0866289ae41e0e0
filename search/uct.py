"""UCT selection over every expandable node of the tree, with each part of the score named.

Like SWE-Search, candidates are all expandable nodes (not a descent from the root), so a branch
that scores badly is left for its parent or a sibling as soon as they look better. Rewards are
normalised to [0, 1] before the exploration term is added, hence the classic c = 1/sqrt(2).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from search.node import MAX_REWARD, MIN_REWARD, Node, finished_trajectories
from search.protocols import Candidate, Expandable, Selection


@dataclass(frozen=True)
class UCTScore:
    """The parts of one node's UCT score; `total` adds bonuses and subtracts penalties."""

    exploitation: float  # mean backed-up value, normalised to [0, 1], times its weight
    exploration: float  # c * sqrt(ln N / n), N = the parent's visits (own visits for the root)
    depth_penalty: float
    duplicate_penalty: float  # the node's state was reached earlier by another node
    finished_penalty: float  # the node is on a trajectory that already submitted
    unexpanded_bonus: float  # the node has no children yet

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
    """Chooses the expandable node with the highest UCT score; ties go to the oldest node."""

    exploration_weight: float = 1 / math.sqrt(2)  # c
    exploitation_weight: float = 1.0
    depth_weight: float = 0.01  # penalty per level below the root
    duplicate_penalty: float = 0.5
    finished_penalty: float = 0.3
    unexpanded_bonus: float = 0.0

    def score(self, node: Node, *, on_finished_trajectory: bool = False) -> UCTScore:
        """The UCT score of one node, part by part."""
        normalised = (node.mean_value - MIN_REWARD) / (MAX_REWARD - MIN_REWARD)
        parent_visits = node.parent.visits if node.parent is not None else node.visits
        # Every node is visited once when it is evaluated; max() only guards a fresh root.
        n, big_n = max(node.visits, 1), max(parent_visits, 1)
        return UCTScore(
            exploitation=self.exploitation_weight * normalised,
            exploration=self.exploration_weight * math.sqrt(math.log(big_n) / n),
            depth_penalty=self.depth_weight * node.depth,
            duplicate_penalty=self.duplicate_penalty if node.duplicate_of is not None else 0.0,
            finished_penalty=self.finished_penalty if on_finished_trajectory else 0.0,
            unexpanded_bonus=self.unexpanded_bonus if not node.children else 0.0,
        )

    def select(self, root: Node, *, expandable: Expandable) -> Selection:
        """Score every expandable node and pick the best (None when none is expandable)."""
        finished = finished_trajectories(root)
        nodes = sorted((n for n in root.walk() if expandable(n)), key=lambda n: n.id)
        scored = [(n, self.score(n, on_finished_trajectory=n.id in finished)) for n in nodes]
        candidates = tuple(Candidate(n.id, s.total, s.as_dict()) for n, s in scored)
        if not scored:
            return Selection(None, candidates)
        # max() keeps the first of equal scores, and nodes are in id order: the oldest wins.
        best, _ = max(scored, key=lambda pair: pair[1].total)
        return Selection(best, candidates)
