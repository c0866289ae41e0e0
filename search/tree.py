"""The search tree as data: nodes by id, how children join it, and backpropagation.

Two nodes that reach the same workspace state share it: a node whose action changed the state
(its state differs from its parent's) to one an earlier node already reached is marked
``duplicate_of`` that earlier node. A node whose action left the state as it was (reading a file)
is never a duplicate: its trajectory still learned something.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from search.budget import Budget, StopReason
from search.errors import SearchError
from search.node import Node, Reward, check_json
from search.protocols import Expansion, SiblingSummary

BASE_REWARD = Reward(0.0, {}, "the base state: nothing fixed, nothing broken")


class SearchMode(StrEnum):
    """Tree search, or the same loop with one expansion per node."""

    MCTS = "mcts"
    LINEAR = "linear"


@dataclass(frozen=True)
class IterationRecord:
    """Which node one iteration expanded and which node it added."""

    iteration: int
    selected: int
    added: int


@dataclass(frozen=True)
class Chosen:
    """The discriminator's pick, as persisted."""

    node_id: int
    reasons: tuple[str, ...] = ()


@dataclass(eq=False)
class SearchTree:
    """The nodes of one search and its bookkeeping (iteration, spend, stop reason, pick)."""

    root: Node
    budget: Budget = field(default_factory=Budget)
    iteration: int = 0
    stop_reason: StopReason | None = None
    cost: float = 0.0  # dollars spent, summed over resumed runs
    calls: int = 0  # billed model calls, summed over resumed runs
    elapsed_s: float = 0.0  # wall time, summed over resumed runs
    chosen: Chosen | None = None
    history: list[IterationRecord] = field(default_factory=list)
    nodes: dict[int, Node] = field(init=False)
    _first_by_state: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.nodes = {n.id: n for n in sorted(self.root.walk(), key=lambda n: n.id)}
        self._first_by_state = {}
        for node in self.nodes.values():
            self._first_by_state.setdefault(node.state, node.id)

    @classmethod
    def new(
        cls, state: str, *, budget: Budget | None = None, root_reward: Reward = BASE_REWARD
    ) -> SearchTree:
        """A tree holding only the root: the base state, counted as one visit of `root_reward`."""
        root = Node(id=0, state=state, reward=root_reward, visits=1, value_sum=root_reward.value)
        return cls(root=root, budget=budget or Budget())

    @property
    def mode(self) -> SearchMode:
        """Linear when the budget allows one child per node."""
        return SearchMode.LINEAR if self.budget.linear else SearchMode.MCTS

    def add_child(self, parent: Node, expansion: Expansion) -> Node:
        """Attach the node an expansion produced, marking it a duplicate if its state is known."""
        if not isinstance(expansion.state, str) or not expansion.state:
            raise SearchError(
                f"an expansion must name the state it left, not {expansion.state!r}",
                hint="return the workspace's tree id (git write-tree) as Expansion.state",
            )
        child = Node(
            id=max(self.nodes) + 1,
            state=expansion.state,
            parent=parent,
            action=check_json(expansion.action, what="the action"),
            observation=check_json(expansion.observation, what="the observation"),
            depth=parent.depth + 1,
            terminal=expansion.terminal,
            tests=check_json(expansion.tests, what="the tests record"),
            kind=expansion.kind,
            dead_end=expansion.dead_end,
        )
        if child.state != parent.state and child.state in self._first_by_state:
            child.duplicate_of = self._first_by_state[child.state]
        self._first_by_state.setdefault(child.state, child.id)
        parent.children.append(child)
        parent.expansions += 1
        self.nodes[child.id] = child
        return child

    def backpropagate(self, node: Node, value: float) -> None:
        """Count one visit of `value` on the node and every ancestor."""
        for up in node.path():
            up.visits += 1
            up.value_sum += value

    def finished(self) -> list[Node]:
        """The terminal nodes, oldest first."""
        return [n for n in self.nodes.values() if n.terminal]

    def siblings_of_next_child(self, node: Node) -> list[SiblingSummary]:
        """What the existing children of `node` tried and got (empty for a first child)."""
        return [_summarise(child) for child in node.children]


def _summarise(child: Node) -> SiblingSummary:
    rewards = [n.reward.value for n in child.walk() if n.reward is not None]
    return SiblingSummary(
        node_id=child.id,
        action=child.action,
        observation=child.observation,
        reward=child.reward.value if child.reward is not None else None,
        explanation=child.reward.explanation if child.reward is not None else "",
        terminal=child.terminal,
        best_in_branch=max(rewards) if rewards else None,
        branch_size=sum(1 for _ in child.walk()),
        kind=child.kind,
    )
