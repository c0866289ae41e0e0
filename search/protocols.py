"""The seams of the search, one method each, and the values that cross them.

An agent plugs a model and a sandbox in by implementing `Expander` and `ValueFunction`; the
generic `UCTSelector` and `TestsFirstDiscriminator` fill the other two unless replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from search.node import Json, Node, Reward


@dataclass(frozen=True)
class Expansion:
    """What the policy did from a node: the action, what came back, and the state it left."""

    action: Json
    state: str  # the workspace state after the action (a git tree id in practice)
    observation: Json = None  # a short JSON summary, not the full output
    terminal: bool = False  # the action called submit
    tests: Json = None  # tests run on the new state, shaped as search.value.TestEvidence reads
    kind: str | None = None  # which kind of expansion made it, when the expander has kinds
    # The step was refused (no valid action, a candidate rejected unrun): its state is its
    # parent's and its history only adds the refusal, so the search grows the parent instead.
    dead_end: bool = False


@dataclass(frozen=True)
class SiblingSummary:
    """What an earlier child branch of the same node tried and what it got."""

    node_id: int
    action: Json
    observation: Json
    reward: float | None  # the child's own reward
    explanation: str  # why it got that reward
    terminal: bool
    best_in_branch: float | None  # the best reward anywhere below (and including) the child
    branch_size: int  # nodes in the child's subtree
    kind: str | None = None  # the kind of expansion that made the child


class Arm(StrEnum):
    """What choosing a candidate means: give it a new child, or go down into its subtree."""

    EXPAND = "expand"
    DESCEND = "descend"


@dataclass(frozen=True)
class Candidate:
    """One option the selector weighed, with its score and the named parts of that score."""

    node_id: int
    score: float
    parts: Mapping[str, float] = field(default_factory=dict)
    arm: Arm = Arm.EXPAND


@dataclass(frozen=True)
class Selection:
    """The node chosen for expansion (None: nothing left) and every candidate weighed."""

    node: Node | None
    candidates: tuple[Candidate, ...] = ()

    def parts_of(self, node_id: int, arm: Arm = Arm.EXPAND) -> Mapping[str, float] | None:
        """Score parts of one candidate, or None if it was not weighed."""
        found = (c.parts for c in self.candidates if c.node_id == node_id and c.arm is arm)
        return next(found, None)


@dataclass(frozen=True)
class Choice:
    """The finished node the discriminator picked and the reasons, best first."""

    node: Node
    reasons: tuple[str, ...] = ()


Expandable = Callable[[Node], bool]


class Selector(Protocol):
    """Picks the next node to expand among those `expandable` allows."""

    def select(self, root: Node, *, expandable: Expandable) -> Selection: ...


class Expander(Protocol):
    """Asks the policy for the next action from `node`, told what sibling branches already got.

    An exception ends the search (resume it from tree.json); a failed action that the search
    should weigh (unparsable answer, error in the sandbox) comes back as an `Expansion` with the
    unchanged state and the failure in its observation.
    """

    def expand(self, node: Node, siblings: Sequence[SiblingSummary]) -> Expansion: ...


class ValueFunction(Protocol):
    """Scores a freshly expanded node."""

    def evaluate(self, node: Node) -> Reward: ...


class PartialValue(Protocol):
    """A value function that may abstain (None) when it has no evidence for a node."""

    def evaluate(self, node: Node) -> Reward | None: ...


class Discriminator(Protocol):
    """Picks the answer among the finished nodes (never called with an empty list)."""

    def choose(self, finished: Sequence[Node]) -> Choice: ...


class EventKind(StrEnum):
    """What just happened in the loop."""

    NODE_SELECTED = "node_selected"
    NODE_ADDED = "node_added"
    NODE_EVALUATED = "node_evaluated"
    ITERATION_DONE = "iteration_done"
    SEARCH_DONE = "search_done"


@dataclass(frozen=True)
class SearchEvent:
    """One event for a live display; `node` is the node the event is about."""

    kind: EventKind
    iteration: int
    node: Node | None = None
    selection: Selection | None = None


EventSink = Callable[[SearchEvent], None]
