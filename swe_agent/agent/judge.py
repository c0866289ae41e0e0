"""The model's judgement of a workspace state against a rubric, and its vote among finalists.

The judge is the model half of a node's value (test evidence is the other, and weighs more);
the vote settles near-ties among finished nodes that the tests could not tell apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from search import Node, Reward
from swe_agent.agent.prompts import render
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Message, Model, ModelCallEvent

SCORE = re.compile(r"SCORE:\s*([-+]?\d+(?:\.\d+)?)", re.IGNORECASE)
ANSWER = re.compile(r"ANSWER:\s*(\d+)", re.IGNORECASE)
MAX_DIFF_CHARS = 6000

Differ = Callable[[str], str]  # a state id -> its unified diff against the base


def _always() -> bool:
    return True


class ModelJudge:
    """Scores a changed state by asking the model to grade its diff against a rubric."""

    def __init__(
        self,
        model: Model,
        *,
        issue: str,
        diff_of: Differ,
        trajectory: Trajectory,
        may_call: Callable[[], bool] = _always,
    ) -> None:
        self.model, self.issue, self.diff_of, self.trajectory = model, issue, diff_of, trajectory
        self.may_call = may_call  # False once the run's cap on model calls is spent
        self._by_state: dict[str, Reward | None] = {}

    def evaluate(self, node: Node) -> Reward | None:
        """The model's score of the node's change; abstains on no change, no readable score,
        or no model calls left."""
        if node.parent is None or (node.state == node.parent.state and not node.terminal):
            return None
        if node.state not in self._by_state:
            if not self.may_call():
                return None
            self._by_state[node.state] = self._judge(node)
        return self._by_state[node.state]

    def _judge(self, node: Node) -> Reward | None:
        diff = self.diff_of(node.state)
        if not diff.strip():
            return None
        messages: list[Message] = [
            {"role": "system", "content": render("judge_system.j2")},
            {
                "role": "user",
                "content": render(
                    "judge.j2", issue=self.issue, diff=_clip(diff), tests=_tests_text(node.tests)
                ),
            },
        ]
        reply = ask(self.model, messages, trajectory=self.trajectory, parent=node.id, role="judge")
        found = SCORE.findall(reply)
        if not found:
            return None
        score = float(found[-1])
        reason = reply[: reply.rfind("SCORE")].strip().splitlines()
        return Reward.clamped(score, parts={"score": score}, explanation=" ".join(reason)[:200])


class ModelVote:
    """Asks the model which of several finished changes fixes the issue best."""

    def __init__(
        self,
        model: Model,
        *,
        issue: str,
        diff_of: Differ,
        trajectory: Trajectory,
        may_call: Callable[[], bool] = _always,
    ) -> None:
        self.model, self.issue, self.diff_of, self.trajectory = model, issue, diff_of, trajectory
        self.may_call = may_call

    def __call__(self, finalists: Sequence[Node]) -> Node:
        """One of ``finalists``: the model's pick, or the first when its answer is unreadable
        or no model calls are left."""
        if not self.may_call():
            return finalists[0]
        diffs = [_clip(self.diff_of(n.state), MAX_DIFF_CHARS // len(finalists)) for n in finalists]
        messages: list[Message] = [
            {"role": "user", "content": render("vote.j2", issue=self.issue, diffs=diffs)}
        ]
        reply = ask(
            self.model, messages, trajectory=self.trajectory, parent=finalists[0].id, role="vote"
        )
        found = ANSWER.findall(reply)
        pick = int(found[-1]) - 1 if found else 0
        return finalists[pick] if 0 <= pick < len(finalists) else finalists[0]


def ask(
    model: Model, messages: list[Message], *, trajectory: Trajectory, parent: int, role: str
) -> str:
    """One greedy call, recorded in the trajectory like the policy's calls (with its role)."""
    response = model.query(messages, temperature=0.0)
    event = ModelCallEvent.record(
        index=model.usage.calls - 1, model=model.name, messages=messages, response=response
    )
    trajectory.record("model_call", parent=parent, role=role, **event.model_dump(exclude={"type"}))
    return response.content


def _clip(text: str, limit: int = MAX_DIFF_CHARS) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters cut ...]\n{text[-half:]}"


def _tests_text(tests: Any) -> str:
    """A short line about the node's tests record, when it has one."""
    if not isinstance(tests, dict):
        return ""
    said = []
    if tests.get("reproduction") is not None:
        said.append("failing tests now pass" if tests["reproduction"] else "still failing")
    for key in ("fixed", "broken", "still_failing"):
        if tests.get(key):
            said.append(f"{key.replace('_', ' ')}: {', '.join(tests[key][:5])}")
    return "; ".join(said)
