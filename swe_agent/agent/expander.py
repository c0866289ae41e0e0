"""The search seams that need a model and a sandbox: expanding a node and scoring it.

A node grows in one of two kinds, chosen by the search's bandit from the rewards each earned:
``act``, the next free-form python action of the conversation, and ``rewrite``, one sampled
complete definition of a localized function (see rewrite_kind), offered when there is one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from sandbox import Observation, Sandbox
from search import Expansion, Node, Reward, SiblingSummary
from swe_agent.agent.evidence import TestProbe
from swe_agent.agent.parse import code_blocks
from swe_agent.agent.policy import Policy, Proposal
from swe_agent.agent.prompts import render
from swe_agent.agent.rewrite import Target
from swe_agent.agent.rewrite_kind import REWRITE, Rewriter, with_request
from swe_agent.agent.steps import fixes_the_failures, observation_json, siblings_note
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Message

ACT = "act"
FINISHED_NOTE = "\n[the tests that failed before now pass, with no regression: finished]"


class AgentExpander:
    """Restores a node's state, asks the policy for the next action and runs it."""

    def __init__(
        self,
        policy: Policy,
        sandbox: Sandbox,
        *,
        opening: Sequence[Message],
        trajectory: Trajectory,
        probe: TestProbe | None,
        max_steps: int,
        targets: Sequence[Target] = (),
    ) -> None:
        self.policy, self.sandbox, self.opening = policy, sandbox, list(opening)
        self.trajectory, self.probe, self.max_steps = trajectory, probe, max_steps
        self._example = example_code(self.opening)
        self._tests_by_state: dict[str, Any] = {}
        self.rewriter: Rewriter | None = None
        if targets and policy.config.rewrite:
            self.rewriter = Rewriter(
                policy,
                sandbox,
                targets,
                trajectory,
                probe,
                tests_of=self.tests_of,
                known=self._tests_by_state.__contains__,
                max_steps=max_steps,
            )

    def kinds(self, node: Node) -> tuple[str, ...]:
        """Rewrite first when there is a function to rewrite, then the free-form action."""
        if self.rewriter is not None and self.rewriter.applies(node):
            return (REWRITE, ACT)
        return (ACT,)

    def expand(
        self, node: Node, siblings: Sequence[SiblingSummary], *, kind: str | None = None
    ) -> Expansion:
        """One step from ``node`` of the given kind (default: a free-form action)."""
        self.sandbox.restore(node.state)
        if kind == REWRITE and self.rewriter is not None:
            return self.rewriter.expand(node, siblings, history=self.history(node))
        return self._act(node, siblings)

    def _act(self, node: Node, siblings: Sequence[SiblingSummary]) -> Expansion:
        """The next action of the conversation: the state it leaves, what it printed."""
        history = self.history(node) + siblings_note(siblings)
        # Later siblings sample, so that a greedy model does not repeat the first child.
        sampling = {"temperature": self.policy.config.sibling_temperature} if siblings else {}
        proposal = self.policy.propose(history, parent=node.id, **sampling)
        proposal = self._unless_repeated(node, history, proposal)
        if proposal.action is None:
            text = f"{proposal.error}\n(this step produced no action)"
            none = {"reply": proposal.reply, "summary": "(no valid action)", "code": ""}
            return Expansion(
                action=none,
                state=node.state,
                observation={"text": text},
                kind=ACT,
                dead_end=True,
            )
        act = proposal.action
        rewrite = definitions_only(act.code)  # small models rewrite whole functions
        code = f"replace_definitions({act.code!r})" if rewrite else act.code
        obs = self.sandbox.execute(code, timeout=self.policy.config.action_timeout_s)
        self.trajectory.record(
            "action", parent=node.id, thought=act.thought, code=act.code, obs=asdict(obs)
        )
        state = self.sandbox.snapshot()
        action: dict[str, Any] = {
            "reply": proposal.reply,
            "thought": act.thought,
            "code": act.code,
            "summary": act.summary(),
            "format_errors": proposal.format_errors,
        }
        if rewrite and state == node.state and not obs.error:
            # A rewrite that leaves every file as it was is refused like a repeated candidate.
            action["rejected"] = _unchanged_reason(obs.stdout)
            return self._refused(node, action, obs)
        terminal = obs.finished is not None
        tests = self.tests_of(state) if terminal or state != node.state else None
        finished = not terminal and self.policy.config.auto_finish and fixes_the_failures(tests)
        if finished:
            obs = replace(obs, stdout=obs.stdout + FINISHED_NOTE)
        return Expansion(
            action=action,
            state=state,
            observation=self._observation(node, obs),
            terminal=terminal or finished,
            tests=tests,
            kind=ACT,
        )

    def _refused(self, node: Node, action: dict[str, Any], obs: Observation) -> Expansion:
        observation = self._observation(node, obs)
        observation["error"] = action["rejected"]
        return Expansion(
            action=action, state=node.state, observation=observation, kind=ACT, dead_end=True
        )

    def _observation(self, node: Node, obs: Observation) -> dict[str, object]:
        return observation_json(obs, node.depth + 1, self.max_steps, workdir=self.sandbox.workdir)

    def _unless_repeated(self, node: Node, history: list[Message], proposal: Proposal) -> Proposal:
        """Re-ask, sampling, while the action repeats one already run from this same state or
        copies the instructions' worked example."""
        tried = {
            str(step.action.get("code", "")).strip()
            for step in node.path()[1:]
            if step.parent is not None and step.parent.state == node.state and step.action
        }
        for _ in range(self.policy.config.repeat_retries):
            code = "" if proposal.action is None else proposal.action.code.strip()
            copied = code in self._example
            if not code or not (copied or code in tried):
                break
            if not self.policy.may_ask_again():
                break
            self.trajectory.record("repeat", parent=node.id, code=code, example=copied)
            nudge: list[Message] = [
                {"role": "assistant", "content": proposal.reply},
                {"role": "user", "content": render("example.j2" if copied else "repeat.j2")},
            ]
            temperature = max(self.policy.config.sibling_temperature, 0.7)
            proposal = self.policy.propose(
                [*history, *nudge], parent=node.id, temperature=temperature
            )
        return proposal

    def tests_of(self, state: str) -> Any:
        """The tests record of a workspace state (run once per state: states are content ids)."""
        if self.probe is None:
            return None
        if state not in self._tests_by_state:
            self._tests_by_state[state] = self.probe.evidence(state)
        return self._tests_by_state[state]

    def history(self, node: Node) -> list[Message]:
        """The conversation that led to ``node``: the opening, then reply and result per step."""
        messages = list(self.opening)
        for step in node.path()[1:]:
            request = step.action.get("request")
            if request:  # a rewrite asked with a request appended to the last user message
                messages = with_request(messages, request)
            messages.append({"role": "assistant", "content": step.action["reply"]})
            messages.append({"role": "user", "content": step.observation["text"]})
        return messages


def example_code(opening: Sequence[Message]) -> frozenset[str]:
    """The code of the instructions' worked example, which a small model copies as its own step
    (sqlfluff-2419: 4 of 10 calls); a bare call such as ``run_tests()`` is a step for any issue."""
    system = "\n".join(m["content"] for m in opening if m["role"] == "system")
    return frozenset(b for b in code_blocks(system) if not re.fullmatch(r"[\w.]+\(\)", b))


def _unchanged_reason(stdout: str) -> str:
    """Why a rewrite changed no file, for the siblings' note: the first line replace_definitions
    printed (the same code as now, a name no file defines and who uses it, a class built on
    its namesake), else that no file changed."""
    said = next((line.strip() for line in stdout.splitlines() if line.strip()), "")
    return said[:300] or "the rewrite changed no file"


def definitions_only(code: str) -> bool:
    """True when an action only defines functions or classes (with imports): a rewrite."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    defines = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    allowed = (*defines, ast.Import, ast.ImportFrom)
    return any(isinstance(n, defines) for n in body) and all(isinstance(n, allowed) for n in body)


class StepValue:
    """Scores a step with no model: failures cost, changes and clean runs earn a little."""

    def evaluate(self, node: Node) -> Reward | None:
        """-40 for no valid action or a rejected candidate, -20 for an error or timeout, +10
        for a change, else 0."""
        action, obs = node.action or {}, node.observation or {}
        if action.get("rejected"):
            why = f"the candidate was rejected before any test ran: {action['rejected']}"
            return Reward(-40.0, {"rejected": -40.0}, why)
        if not action.get("code"):
            return Reward(-40.0, {"format": -40.0}, "no valid action")
        if obs.get("timed_out") or (obs.get("error") and not node.terminal):
            return Reward(-20.0, {"error": -20.0}, f"the action failed: {obs.get('error')}")
        changed = node.parent is not None and node.state != node.parent.state
        if changed:
            return Reward(10.0, {"change": 10.0}, "the action changed the workspace")
        return Reward(0.0, {}, "the action ran")
