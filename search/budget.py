"""Budgets that stop a search, the recorded reason it stopped, and the dollar meter callers feed."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

from search.errors import BudgetError
from search.node import Node

Clock = Callable[[], float]  # seconds, monotonic; injected by tests


class StopReason(StrEnum):
    """Why a search stopped; recorded in tree.json."""

    ITERATIONS = "max_iterations"
    COST = "max_cost"
    CALLS = "max_calls"  # billed model calls, retries and re-asks included
    WALL_TIME = "max_seconds"
    FINISHED = "max_finished"  # enough finished (submitted) nodes
    GOOD_ENOUGH = "good_enough"  # a finished node met the acceptance test
    DEPTH = "max_depth"  # nothing left to expand; some branch would have gone deeper
    EXPANSIONS = "max_expansions"  # nothing left to expand; some node would have had more children
    EXHAUSTED = "exhausted"  # nothing left to expand: every open branch is finished


@dataclass(frozen=True)
class Budget:
    """Limits of one search; ``None`` means no limit of that kind."""

    max_iterations: int | None = 100  # one iteration adds one node
    max_depth: int | None = 20  # the root is depth 0; nodes at this depth are not expanded
    max_expansions: int | None = 3  # children per node; 1 makes the search linear
    max_cost: float | None = None  # dollars, as counted by the CostMeter
    max_calls: int | None = None  # billed model calls, as counted by the CostMeter
    max_seconds: float | None = None  # wall time, summed over resumed runs
    max_finished: int | None = None  # stop once this many nodes have submitted

    def __post_init__(self) -> None:
        for f in fields(self):
            limit = getattr(self, f.name)
            if limit is not None and (not math.isfinite(limit) or limit <= 0):
                raise BudgetError(
                    f"{f.name} must be a positive number or unset, not {limit!r}",
                    hint=f"drop {f.name} for no limit, or give it a value above 0",
                )
        if not self._bounded():
            raise BudgetError(
                "this budget never stops the search",
                hint="set max_iterations, max_cost, max_calls or max_seconds "
                "(or both max_depth and max_expansions)",
            )

    def _bounded(self) -> bool:
        caps = (self.max_iterations, self.max_cost, self.max_calls, self.max_seconds)
        if any(x is not None for x in caps):
            return True
        return self.max_depth is not None and self.max_expansions is not None

    def node_limit(self, node: Node) -> StopReason | None:
        """The per-node limit that forbids expanding `node` again, if any.

        Dead-end children (refused steps) do not count against max_expansions: the node may
        try again, within the budget's caps, and a linear chain does not end at a refusal.
        """
        if self.max_depth is not None and node.depth >= self.max_depth:
            return StopReason.DEPTH
        live = sum(1 for child in node.children if not child.dead_end)
        if self.max_expansions is not None and live >= self.max_expansions:
            return StopReason.EXPANSIONS
        return None

    @property
    def linear(self) -> bool:
        """True when every node gets one child at most: a single trajectory."""
        return self.max_expansions == 1

    def to_json(self) -> dict[str, Any]:
        """The budget as a JSON object (field name -> limit or null)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Budget:
        """The budget written by `to_json`; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BudgetError(f"unknown budget fields {unknown}; known: {sorted(known)}")
        return cls(**dict(data))


def linear(budget: Budget | None = None) -> Budget:
    """The same budget with one expansion per node: linear mode runs the MCTS loop as a chain."""
    return replace(budget or Budget(), max_expansions=1)


class CostMeter:
    """Dollars spent so far; the caller adds every billed call, failed parses and retries too."""

    def __init__(self) -> None:
        self._total = 0.0
        self._calls = 0

    def add(self, dollars: float) -> None:
        """Count one billed call."""
        if not math.isfinite(dollars) or dollars < 0:
            raise BudgetError(f"a call cannot cost {dollars!r} dollars")
        self._total += dollars
        self._calls += 1

    @property
    def total(self) -> float:
        """Dollars counted so far."""
        return self._total

    @property
    def calls(self) -> int:
        """Billed calls counted so far."""
        return self._calls


def exhaustion_reason(limits: list[StopReason | None]) -> StopReason:
    """Why nothing can be expanded, from the limits that block each open (unfinished) node."""
    if StopReason.DEPTH in limits:
        return StopReason.DEPTH
    if StopReason.EXPANSIONS in limits:
        return StopReason.EXPANSIONS
    return StopReason.EXHAUSTED
