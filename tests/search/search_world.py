"""A seeded synthetic bug-fixing world, to compare MCTS with linear mode at the same call cap.

Each step of the scripted policy either makes progress towards the fix, changes nothing useful,
breaks the tests, or submits too early; a broken workspace rarely recovers. After `goal` steps of
progress a submit passes the tests. Deterministic: outcomes hash (seed, state, child index).
Run ``python tests/search/search_world.py`` for the table.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from search import (
    Budget,
    Expansion,
    Node,
    Reward,
    Seams,
    Search,
    SearchOptions,
    SiblingSummary,
    Verdict,
    linear,
    resolved_by_tests,
)
from search.value import verdict_of

PASSING = {"reproduction": True, "regression": {"passed": 5, "failed": 0}}
FAILING = {"reproduction": False, "regression": {"passed": 5, "failed": 0}}


@dataclass(frozen=True)
class World:
    """One synthetic problem: how likely each kind of step is from a healthy workspace."""

    seed: int
    goal: int = 3
    p_progress: float = 0.35
    p_break: float = 0.25
    p_early_submit: float = 0.1
    p_recover: float = 0.15

    def expand(self, node: Node, siblings: Sequence[SiblingSummary]) -> Expansion:
        level, broken = _parse(node.state)
        k = len(siblings)
        roll = random.Random(f"{self.seed}/{node.state}/{k}").random()
        child = f"{node.state.split(':')[1]}.{k}"
        if not broken and level >= self.goal:
            return Expansion("submit()", node.state, terminal=True, tests=PASSING)
        if broken:
            return _step(level, broken=roll > self.p_recover, path=child)
        if roll < self.p_progress:
            return _step(level + 1, broken=False, path=child)
        if roll < self.p_progress + self.p_break:
            return _step(level, broken=True, path=child)
        if roll < self.p_progress + self.p_break + self.p_early_submit:
            return Expansion("submit()", node.state, terminal=True, tests=FAILING)
        return _step(level, broken=False, path=child)

    def evaluate(self, node: Node) -> Reward:
        if node.terminal:
            return Reward(100.0 if verdict_of(node) is Verdict.RESOLVED else -80.0)
        level, broken = _parse(node.state)
        noise = random.Random(f"{self.seed}/{node.state}/v").uniform(-15, 15)
        return Reward.clamped(-70.0 + noise if broken else -10.0 + 30.0 * level + noise)


def _parse(state: str) -> tuple[int, bool]:
    head = state.split(":")[0]
    return int(head[1:].rstrip("B")), head.endswith("B")


def _step(level: int, *, broken: bool, path: str) -> Expansion:
    state = f"L{level}{'B' if broken else ''}:{path}"
    observation = "tests fail" if broken else "tests run"
    return Expansion(f"edit -> {state}", state, observation=observation)


@dataclass(frozen=True)
class Tally:
    """Resolved problems and expander calls for one mode."""

    resolved: int
    calls: int


def run_mode(*, seeds: range, budget: Budget) -> Tally:
    """Search every seeded world with `budget`; count the problems whose pick is resolved."""
    resolved = calls = 0
    for seed in seeds:
        world = World(seed)
        options = SearchOptions(budget=budget, good_enough=resolved_by_tests)
        result = Search(Seams(world, world), options=options).start("L0:r")
        calls += result.tree.iteration
        resolved += result.best is not None and verdict_of(result.best) is Verdict.RESOLVED
    return Tally(resolved, calls)


def compare(*, seeds: range = range(50), cap: int = 15) -> dict[str, Tally]:
    """MCTS against linear mode with the same cap on expander calls."""
    mcts = Budget(max_iterations=cap, max_expansions=3, max_depth=cap)
    return {
        "mcts": run_mode(seeds=seeds, budget=mcts),
        "linear": run_mode(seeds=seeds, budget=linear(mcts)),
    }


if __name__ == "__main__":
    for cap in (8, 15, 30):
        for mode, tally in compare(cap=cap).items():
            per = tally.calls / tally.resolved if tally.resolved else float("nan")
            print(
                f"cap {cap:>2}  {mode:<6}  resolved {tally.resolved:>2}/50  "
                f"calls {tally.calls:>4}  calls/resolved {per:5.1f}"
            )
