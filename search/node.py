"""The search vocabulary's values: a `Reward` and the `Node`s of the tree over workspace states.

A node stands for the workspace state reached by one action (``state``: a git tree id in
practice). Everything a seam hands in (action, observation, tests record) is opaque to the search
but must be JSON that round-trips exactly, so ``tree.json`` can resume a search bit for bit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from search.errors import BadReward, NotJsonable

Json = Any  # JSON-native data: dict / list / str / int / float / bool / None

MIN_REWARD = -100.0
MAX_REWARD = 100.0


@dataclass(frozen=True)
class Reward:
    """What a value function thinks of a node: a value in [-100, 100], its parts, and why."""

    value: float
    parts: Mapping[str, float] = field(default_factory=dict)
    explanation: str = ""

    def __post_init__(self) -> None:
        if not MIN_REWARD <= self.value <= MAX_REWARD:  # NaN fails this too
            raise BadReward(
                f"reward {self.value} is outside [{MIN_REWARD:g}, {MAX_REWARD:g}]",
                hint="build it with Reward.clamped(...) when the source may overshoot",
            )

    @classmethod
    def clamped(
        cls, value: float, *, parts: Mapping[str, float] | None = None, explanation: str = ""
    ) -> Reward:
        """A reward with the value clamped into [-100, 100] (judges overshoot)."""
        bounded = min(MAX_REWARD, max(MIN_REWARD, value))
        return cls(bounded, dict(parts or {}), explanation)

    def to_json(self) -> dict[str, Json]:
        """The reward as JSON: value, parts, explanation."""
        return {"value": self.value, "parts": dict(self.parts), "explanation": self.explanation}

    @classmethod
    def from_json(cls, data: Mapping[str, Json]) -> Reward:
        """The reward written by `to_json`."""
        return cls(float(data["value"]), dict(data.get("parts", {})), data.get("explanation", ""))


@dataclass(eq=False)
class Node:
    """One workspace state in the search tree, with its statistics; mutated only by the loop."""

    id: int
    state: str
    parent: Node | None = None
    action: Json = None
    observation: Json = None
    depth: int = 0
    terminal: bool = False  # the action called submit: this trajectory is finished
    tests: Json = None  # see search.value.TestEvidence for the shape
    duplicate_of: int | None = None  # an earlier node reached the same state first
    kind: str | None = None  # the kind of expansion that made this node (see search.kinds)
    dead_end: bool = False  # its step was refused: never expanded (see Expansion.dead_end)
    reward: Reward | None = None
    visits: int = 0
    value_sum: float = 0.0
    expansions: int = 0  # how many times the loop expanded this node
    selection: dict[str, float] | None = None  # UCT parts the last time it was chosen
    children: list[Node] = field(default_factory=list)

    @property
    def mean_value(self) -> float:
        """Mean backed-up value in [-100, 100]; 0 for a node never visited."""
        return self.value_sum / self.visits if self.visits else 0.0

    def path(self) -> list[Node]:
        """The nodes from the root down to this one."""
        chain: list[Node] = []
        node: Node | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def walk(self) -> Iterator[Node]:
        """This node and all its descendants, depth first, children in creation order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def __repr__(self) -> str:
        return (
            f"Node(id={self.id}, state={self.state!r}, depth={self.depth}, visits={self.visits}, "
            f"mean={self.mean_value:.1f}, terminal={self.terminal})"
        )


def check_json(value: Json, *, what: str) -> Json:
    """Return `value` if JSON round-trips it unchanged; else raise `NotJsonable`."""
    try:
        same = json.loads(json.dumps(value)) == value
    except (TypeError, ValueError) as exc:
        raise NotJsonable(f"{what} is not JSON: {exc}") from None
    if not same:
        raise NotJsonable(
            f"{what} does not survive a JSON round trip: {value!r}",
            hint="use lists instead of tuples and str keys in dicts",
        )
    return value
