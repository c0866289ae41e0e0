"""Choosing the kind of the next expansion: a UCB1 bandit over the kinds an expander offers.

An expander may grow a node in several ways (say, a free-form next action, or one sampled
rewrite of a function). Which way is worth the next model call is learnt from the tree itself:
a kind's value is the mean backed-up value of the nodes it produced, so a kind whose candidates
keep failing, and whose branches lead nowhere, is chosen less, while one that earns rewards is
chosen more. Each kind is tried once first, in the order the expander offers them (its prior);
after that the highest ``value + c * sqrt(ln N / n)`` wins, ties going to the earlier kind.
The parts of every kind's score go into the selected node's ``selection`` record, so the choice
is explained next to the UCT parts that picked the node.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from search.node import MAX_REWARD, MIN_REWARD, Node
from search.protocols import Expansion, SiblingSummary


@runtime_checkable
class KindedExpander(Protocol):
    """An expander that offers several kinds of expansion and is told which one to make."""

    def kinds(self, node: Node) -> Sequence[str]:
        """The kinds that can expand `node`, preferred first (never empty)."""
        ...

    def expand(
        self, node: Node, siblings: Sequence[SiblingSummary], *, kind: str | None = None
    ) -> Expansion: ...


@dataclass(frozen=True)
class KindScore:
    """One kind's standing: how often it was used, its mean value, and its UCB1 score."""

    kind: str
    uses: int
    value: float  # normalised mean backed-up value of its nodes, in [0, 1]
    exploration: float  # c * sqrt(ln N / n); infinite for a kind never used

    @property
    def total(self) -> float:
        """The score the bandit maximises."""
        return self.value + self.exploration


@dataclass(frozen=True)
class KindChoice:
    """The kind chosen for one expansion and the scores it was chosen among."""

    kind: str
    scores: tuple[KindScore, ...]

    def parts(self) -> dict[str, float]:
        """Score parts by name (``kind.NAME.value`` ...), plus ``kind.NAME.chosen`` = 1."""
        out: dict[str, float] = {}
        for s in self.scores:
            prefix = f"kind.{s.kind}"
            out[f"{prefix}.uses"] = float(s.uses)
            out[f"{prefix}.value"] = s.value
            if math.isfinite(s.exploration):  # tree.json holds JSON numbers only
                out[f"{prefix}.exploration"] = s.exploration
        out[f"kind.{self.kind}.chosen"] = 1.0
        return out


@dataclass(frozen=True)
class KindBandit:
    """UCB1 over expansion kinds, valued by the mean backed-up value of each kind's nodes."""

    exploration_weight: float = 1 / math.sqrt(2)

    def choose(self, nodes: Iterable[Node], offered: Sequence[str]) -> KindChoice:
        """The kind to expand with next, among `offered` (in the expander's order)."""
        if not offered:
            raise ValueError("choose() needs at least one kind")
        stats = _stats(nodes)
        total_uses = sum(stats.get(k, (0, 0.0))[0] for k in offered)
        scores = tuple(self._score(k, stats.get(k, (0, 0.0)), total_uses) for k in offered)
        untried = [s for s in scores if s.uses == 0]
        best = untried[0] if untried else max(scores, key=lambda s: s.total)
        return KindChoice(best.kind, scores)

    def _score(self, kind: str, stat: tuple[int, float], total_uses: int) -> KindScore:
        uses, mean = stat
        normalised = (mean - MIN_REWARD) / (MAX_REWARD - MIN_REWARD)
        if uses == 0:
            return KindScore(kind, 0, normalised, math.inf)
        spread = math.sqrt(math.log(max(total_uses, 1)) / uses)
        return KindScore(kind, uses, normalised, self.exploration_weight * spread)


def _stats(nodes: Iterable[Node]) -> Mapping[str, tuple[int, float]]:
    """kind -> (nodes it produced, their mean backed-up value); visited nodes only."""
    sums: dict[str, list[float]] = {}
    for node in nodes:
        if node.kind is not None and node.visits:
            sums.setdefault(node.kind, []).append(node.mean_value)
    return {k: (len(v), sum(v) / len(v)) for k, v in sums.items()}
