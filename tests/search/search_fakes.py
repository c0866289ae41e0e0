"""Scripted stand-ins for the policy and the judge: plain classes implementing the seams."""

from __future__ import annotations

from collections.abc import Sequence

from search import CostMeter, Expansion, Node, Reward, SiblingSummary


class Interrupted(RuntimeError):
    """Stands for a killed process in the middle of an iteration."""


class ScriptedExpander:
    """Child k of a node whose state is S is ``script[S][k]``; past the script, a fresh state."""

    def __init__(
        self, script: dict[str, list[Expansion]], *, fail_on_call: int | None = None
    ) -> None:
        self.script = script
        self.fail_on_call = fail_on_call
        self.calls: list[tuple[int, list[SiblingSummary]]] = []

    def expand(self, node: Node, siblings: Sequence[SiblingSummary]) -> Expansion:
        self.calls.append((node.id, list(siblings)))
        if self.fail_on_call is not None and len(self.calls) == self.fail_on_call:
            raise Interrupted(f"killed while expanding node {node.id}")
        options = self.script.get(node.state, [])
        k = len(siblings)
        if k < len(options):
            return options[k]
        return Expansion(action=f"try {k} from {node.state}", state=f"{node.state}/{k}")


class ScriptedValue:
    """Reward by state (`default` for the rest); each call may be billed to a meter."""

    def __init__(
        self,
        rewards: dict[str, float],
        *,
        meter: CostMeter | None = None,
        dollars_per_call: float = 0.0,
        default: float = 0.0,
        fail_on_call: int | None = None,
    ) -> None:
        self.rewards = rewards
        self.default = default
        self.fail_on_call = fail_on_call
        self.meter = meter
        self.dollars_per_call = dollars_per_call
        self.evaluated: list[int] = []

    def evaluate(self, node: Node) -> Reward:
        self.evaluated.append(node.id)
        if self.fail_on_call is not None and len(self.evaluated) == self.fail_on_call:
            raise Interrupted(f"killed while evaluating node {node.id}")
        if self.meter is not None:
            self.meter.add(self.dollars_per_call)
        value = self.rewards.get(node.state, self.default)
        return Reward(value, {"scripted": value}, f"scripted reward of {node.state}")


class StepClock:
    """A clock that advances a fixed step each time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def edit(state: str, *, action: str | None = None) -> Expansion:
    """An action that leaves the workspace in `state`."""
    return Expansion(action=action or f"edit to {state}", state=state, observation=f"now {state}")


def submit(state: str, *, reproduction: bool = True, failed: int = 0) -> Expansion:
    """A submit action on `state`, with the tests it ran."""
    tests = {"reproduction": reproduction, "regression": {"passed": 5, "failed": failed}}
    return Expansion(action="submit()", state=state, terminal=True, tests=tests)
