"""The search loop: select -> expand -> evaluate -> backpropagate, until a budget or success stops.

Deterministic when the seams are: the selector breaks ties by node id, and tree.json is rewritten
atomically after every iteration, so a killed search resumed from the file ends with the same
tree as a run that was never interrupted. After a seam raises, resume from the file, not from
the in-memory tree (it may hold a half-finished iteration).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from search.budget import Budget, Clock, CostMeter, StopReason, exhaustion_reason
from search.discriminator import TestsFirstDiscriminator, best_unfinished
from search.kinds import KindBandit, KindedExpander
from search.node import Node, Reward
from search.persist import load_tree, save_tree
from search.protocols import (
    Choice,
    Discriminator,
    EventKind,
    EventSink,
    Expander,
    Expansion,
    SearchEvent,
    Selection,
    Selector,
    ValueFunction,
)
from search.tree import Chosen, IterationRecord, SearchTree
from search.uct import UCTSelector
from search.value import Verdict, verdict_of

Accept = Callable[[Node], bool]  # is this finished node good enough to stop searching?


@dataclass(frozen=True)
class Seams:
    """The four seams of one search; selector and discriminator have generic defaults.

    An expander that offers kinds of expansion (`KindedExpander`) is told which kind to make
    by `kinds`, a bandit over the rewards each kind's nodes earned.
    """

    expander: Expander | KindedExpander
    value: ValueFunction
    selector: Selector = field(default_factory=UCTSelector)
    discriminator: Discriminator = field(default_factory=TestsFirstDiscriminator)
    kinds: KindBandit = field(default_factory=KindBandit)


@dataclass(frozen=True)
class SearchOptions:
    """How one search runs, apart from its seams."""

    budget: Budget = field(default_factory=Budget)
    good_enough: Accept | None = None  # asked about each new finished node; True stops the search
    expand_finished: bool = False  # let submitted nodes grow again (UCT adds finished_penalty)
    # False: a duplicate with the same terminal flag and tests record reuses its original's reward
    reevaluate_duplicates: bool = False


def reward_at_least(threshold: float) -> Accept:
    """Accept a finished node whose own reward reaches `threshold`."""
    return lambda node: node.reward is not None and node.reward.value >= threshold


def resolved_by_tests(node: Node) -> bool:
    """Accept a finished node whose reproduction test passes with no regression."""
    return verdict_of(node) is Verdict.RESOLVED


@dataclass(frozen=True)
class SearchResult:
    """How a search ended: the tree, why it stopped, and the discriminator's pick."""

    tree: SearchTree
    stop_reason: StopReason
    choice: Choice | None

    @property
    def best(self) -> Node | None:
        """The chosen finished node, if any node finished."""
        return self.choice.node if self.choice is not None else None

    @property
    def fallback(self) -> Node | None:
        """No node finished: the best-scored state that changed something (see
        `best_unfinished`), which the model did not submit; None otherwise."""
        return None if self.choice is not None else best_unfinished(self.tree.root)

    def summary(self) -> dict[str, Any]:
        """Counts for a ``--json`` summary: nodes, finished, max_depth, stop_reason, mode."""
        nodes = list(self.tree.nodes.values())
        return {
            "mode": str(self.tree.mode),
            "nodes": len(nodes),
            "finished": sum(1 for n in nodes if n.terminal),
            "max_depth": max(n.depth for n in nodes),
            "iterations": self.tree.iteration,
            "calls": self.tree.calls,
            "stop_reason": str(self.stop_reason),
            "chosen": None if self.best is None else self.best.id,
        }


class Search:
    """Runs the loop over a `SearchTree`, saving it to `path` after every iteration."""

    def __init__(
        self,
        seams: Seams,
        *,
        options: SearchOptions | None = None,
        path: Path | None = None,
        meter: CostMeter | None = None,
        clock: Clock = time.monotonic,
        on_event: EventSink | None = None,
    ) -> None:
        self.seams = seams
        self.options = options or SearchOptions()
        self.path = path
        self.meter = meter or CostMeter()
        self.clock = clock
        self.on_event = on_event
        self._spend_origin = (0.0, 0.0, 0.0, 0.0, 0, 0)

    def start(self, state: str) -> SearchResult:
        """Search from a fresh root at `state` (the base workspace state)."""
        return self.run(SearchTree.new(state, budget=self.options.budget))

    def resume(self) -> SearchResult:
        """Continue the search saved at `path` (a finished one returns at once)."""
        if self.path is None:
            raise ValueError("resume() needs the path of a tree.json")
        return self.run(load_tree(self.path))

    def run(self, tree: SearchTree) -> SearchResult:
        """Iterate until a budget or `good_enough` stops the search; then pick a finished node."""
        budget = self.options.budget
        self._spend_origin = (
            self.clock(),
            self.meter.total,
            tree.elapsed_s,
            tree.cost,
            self.meter.calls,
            tree.calls,
        )
        if tree.stop_reason is not None and tree.budget == budget:
            return self._finish(tree, tree.stop_reason)
        # A new budget reopens a stopped search, and its old pick no longer stands.
        tree.budget, tree.stop_reason, tree.chosen = budget, None, None
        self._save(tree)
        reason = self._stop_reason(tree, added=None)
        while reason is None:
            added = self._iterate(tree)
            reason = StopReason.EXHAUSTED if added is None else self._stop_reason(tree, added=added)
            tree.stop_reason = reason
            self._save(tree)
            self._emit(EventKind.ITERATION_DONE, tree, added)
        return self._finish(tree, reason)

    def _iterate(self, tree: SearchTree) -> Node | None:
        selection = self.seams.selector.select(tree.root, expandable=self._expandable)
        node = selection.node
        if node is None:
            return None
        node.selection = {**(selection.parts_of(node.id) or {}), "iteration": tree.iteration + 1}
        self._emit(EventKind.NODE_SELECTED, tree, node, selection)
        expansion = self._expand(tree, node)
        child = tree.add_child(node, expansion)
        self._emit(EventKind.NODE_ADDED, tree, child)
        child.reward = self._evaluate(tree, child)
        tree.backpropagate(child, child.reward.value)
        tree.iteration += 1
        tree.history.append(IterationRecord(tree.iteration, node.id, child.id))
        self._emit(EventKind.NODE_EVALUATED, tree, child)
        return child

    def _expand(self, tree: SearchTree, node: Node) -> Expansion:
        """One expansion of `node`; a kinded expander is told which kind the bandit chose."""
        expander, siblings = self.seams.expander, tree.siblings_of_next_child(node)
        if not isinstance(expander, KindedExpander):
            return expander.expand(node, siblings)
        choice = self.seams.kinds.choose(tree.nodes.values(), expander.kinds(node))
        node.selection = {**(node.selection or {}), **choice.parts()}
        expansion = expander.expand(node, siblings, kind=choice.kind)
        return expansion if expansion.kind else replace(expansion, kind=choice.kind)

    def _evaluate(self, tree: SearchTree, child: Node) -> Reward:
        original = None if child.duplicate_of is None else tree.nodes[child.duplicate_of]
        if (
            original is None
            or original.reward is None
            or self.options.reevaluate_duplicates
            or (original.terminal, original.tests) != (child.terminal, child.tests)
        ):
            return self.seams.value.evaluate(child)
        # Same files, same evidence, same score: skip the billed evaluation.
        why = f"same state as node {original.id}: {original.reward.explanation}"
        return Reward(original.reward.value, dict(original.reward.parts), why)

    def _expandable(self, node: Node) -> bool:
        if node.dead_end or (node.terminal and not self.options.expand_finished):
            return False
        return self.options.budget.node_limit(node) is None

    def _stop_reason(self, tree: SearchTree, *, added: Node | None) -> StopReason | None:
        accept = self.options.good_enough
        if added is not None and added.terminal and accept is not None and accept(added):
            return StopReason.GOOD_ENOUGH
        budget = tree.budget
        self._sync_spend(tree)
        limits = [
            (budget.max_finished, len(tree.finished()), StopReason.FINISHED),
            (budget.max_iterations, tree.iteration, StopReason.ITERATIONS),
            (budget.max_cost, tree.cost, StopReason.COST),
            (budget.max_calls, tree.calls, StopReason.CALLS),
            (budget.max_seconds, tree.elapsed_s, StopReason.WALL_TIME),
        ]
        for limit, used, reason in limits:
            if limit is not None and used >= limit:
                return reason
        return self._exhausted(tree)

    def _exhausted(self, tree: SearchTree) -> StopReason | None:
        if any(self._expandable(n) for n in tree.nodes.values()):
            return None
        blocked = [n for n in tree.nodes.values() if self.options.expand_finished or not n.terminal]
        return exhaustion_reason([tree.budget.node_limit(n) for n in blocked])

    def _sync_spend(self, tree: SearchTree) -> None:
        clock0, meter0, elapsed0, cost0, calls_meter0, calls0 = self._spend_origin
        tree.elapsed_s = elapsed0 + (self.clock() - clock0)
        tree.cost = cost0 + (self.meter.total - meter0)
        tree.calls = calls0 + (self.meter.calls - calls_meter0)

    def _finish(self, tree: SearchTree, reason: StopReason) -> SearchResult:
        tree.stop_reason = reason
        if tree.chosen is not None:
            node = tree.nodes[tree.chosen.node_id]
            return SearchResult(tree, reason, Choice(node, tree.chosen.reasons))
        finished = tree.finished()
        choice = self.seams.discriminator.choose(finished) if finished else None
        tree.chosen = None if choice is None else Chosen(choice.node.id, choice.reasons)
        self._sync_spend(tree)  # a vote may have been billed
        self._save(tree)
        self._emit(EventKind.SEARCH_DONE, tree, None if choice is None else choice.node)
        return SearchResult(tree, reason, choice)

    def _save(self, tree: SearchTree) -> None:
        if self.path is not None:
            save_tree(tree, self.path)

    def _emit(
        self, kind: EventKind, tree: SearchTree, node: Node | None, sel: Selection | None = None
    ) -> None:
        if self.on_event is not None:
            self.on_event(SearchEvent(kind, tree.iteration, node, sel))
