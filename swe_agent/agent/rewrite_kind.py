"""The rewrite kind of expansion: one complete corrected definition of a localized function.

Asked with the function's source, the failing tests' output and the issue (already in the
first message), with no exploration first. Siblings of the same node sample at the configured
temperatures in turn; each candidate is checked on the host, spliced into its file and scored
by the tests. The request is appended to the branch's last user message, so every call shares
the conversation's prefix and the embedded model re-evaluates only the new tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox import Observation, Sandbox, SandboxError
from search import Expansion, Node, SiblingSummary
from swe_agent.agent.evidence import TestProbe
from swe_agent.agent.failures import failure_report
from swe_agent.agent.policy import Policy, Proposal
from swe_agent.agent.prompts import render
from swe_agent.agent.rewrite import (
    Rejected,
    Target,
    current_fingerprint,
    find_definition,
    read_candidate_in,
    splice,
)
from swe_agent.agent.stable_text import stable_text
from swe_agent.agent.steps import fixes_the_failures, observation_json
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Message

REWRITE = "rewrite"


@dataclass
class Rewriter:
    """Expands a node with one sampled rewrite of a target function."""

    policy: Policy
    sandbox: Sandbox
    targets: Sequence[Target]
    trajectory: Trajectory
    probe: TestProbe | None
    tests_of: Callable[[str], Any]  # a state -> its tests record (run once per state)
    known: Callable[[str], bool]  # a state some earlier node already reached
    max_steps: int
    _seen: set[tuple[str, str, str]] = field(default_factory=set)
    _turns: dict[str, int] = field(default_factory=dict)  # rewrites asked per state

    def applies(self, node: Node) -> bool:
        """True when there is a function to rewrite, and tests that fail on the node's state (a
        candidate is scored by the failures it fixes) or, with no tests named, the base state:
        an issue's own tests rarely exist before its fix, so the issue alone says what is wrong
        and a candidate is scored by the tests it must not break."""
        if not self.targets:
            return False
        return self._fails_here(node) or self._issue_only(node)

    def _issue_only(self, node: Node) -> bool:
        probe = self.probe
        at_base = node.state == self.sandbox.base_state
        return at_base and probe is not None and probe.base is not None and not probe.strict

    def _fails_here(self, node: Node) -> bool:
        for step in reversed(node.path()):
            if step.state != node.state:
                break
            if isinstance(step.tests, dict):  # the tests ran on this state
                return step.tests.get("reproduction") is False
        if node.state != self.sandbox.base_state:
            return False
        base = None if self.probe is None else self.probe.base
        return base is not None and bool(base.failing)

    def target(self, node: Node) -> Target:
        """The function the branch last rewrote; else, by sibling count, the ranked targets."""
        for step in reversed(node.path()[1:]):
            done = (step.action or {}).get("target")
            chosen = next((t for t in self.targets if t.id == done), None)
            if chosen is not None:
                return chosen
        temps = len(self.policy.config.rewrite_temperatures)
        return self.targets[(self._turn(node) // temps) % len(self.targets)]

    def _turn(self, node: Node) -> int:
        """Rewrites already asked from the node's files, on any branch: a node reached by a
        step that changed no file (a view, a grep) samples on from where its state left off,
        instead of asking the greedy sample of the same function from the same files again."""
        return self._turns.get(node.state, 0)

    def expand(
        self, node: Node, siblings: Sequence[SiblingSummary], *, history: list[Message]
    ) -> Expansion:
        """Ask for a candidate, check it, apply it and score it (the sandbox is at node.state)."""
        target, temperature = self.target(node), self._temperature(node)
        self._turns[node.state] = self._turn(node) + 1  # the next one from these files samples on
        try:
            request = self._request(node, target)
        except Rejected as exc:  # the file went away on this branch: nothing to ask about
            skipped = {"kind": REWRITE, "reply": "", "code": "", "rejected": str(exc)}
            return self._unchanged(node, skipped, f"no rewrite: {exc}")
        # No note on the siblings: samples stay independent (a small model echoes notes back),
        # and a repeat is refused before any test runs anyway.
        messages = with_request(history, request)
        proposal = self.policy.propose(messages, parent=node.id, temperature=temperature)
        action = _action(proposal, request=request, target=target, temperature=temperature)
        if proposal.action is None:
            return self._unchanged(
                node, action, f"{proposal.error}\n(this step produced no action)"
            )
        try:
            state, where = self._apply(node, target, proposal.action.code)
        except Rejected as exc:
            action["rejected"] = str(exc)
            self.trajectory.record("rejected", parent=node.id, target=target.id, why=str(exc))
            return self._unchanged(node, action, f"candidate rejected, nothing run: {exc}")
        tests = self.tests_of(state)
        self.trajectory.record("rewrite", parent=node.id, target=target.id, state=state)
        text = f"{where}\n{self._outcome(state, tests)}"
        return Expansion(
            action=action,
            state=state,
            observation=self._observation(node, text),
            terminal=fixes_the_failures(tests) and self.policy.config.auto_finish,
            tests=tests,
            kind=REWRITE,
        )

    def _temperature(self, node: Node) -> float:
        temps = self.policy.config.rewrite_temperatures
        return float(temps[self._turn(node) % len(temps)])

    def _request(self, node: Node, target: Target) -> str:
        text = self._read(target)
        span = find_definition(text, target.qualname)
        source = "" if span is None else _dedent_lines(text, span.start, span.end)
        # A rewrite node's observation already holds the failure of its state.
        failure = "" if node.kind == REWRITE else self._failure(node.state)
        return render(
            "rewrite.j2",
            target=target,
            source=source,
            failure=failure,
            changed=node.state != self.sandbox.base_state,
        )

    def _failure(self, state: str) -> str:
        if self.probe is None:
            return ""
        output = self.probe.output_of(state)
        if output is None:
            return ""
        limit = self.policy.config.failure_chars
        # Named tests were chosen for the issue; a whole suite's failures are shown only where
        # they touch the code under repair (a failure the environment causes is not the bug).
        about = () if self.probe.strict else repaired_names(self.targets)
        report = failure_report(output, limit=limit, about=about)
        return stable_text(report, workdir=self.sandbox.workdir)

    def _apply(self, node: Node, target: Target, code: str) -> tuple[str, str]:
        """Check the candidate, write it, snapshot; the new state and what changed where."""
        text = self._read(target)
        candidate, target = read_candidate_in(code, target, text)
        if candidate.fingerprint == current_fingerprint(text, target):
            raise Rejected(f"it is the same code as {target.qualname} is now")
        key = (target.id, candidate.fingerprint, node.state)
        if key in self._seen:
            raise Rejected("it is the same code as an earlier candidate from this state")
        new_text, span = splice(text, target, candidate)
        self.sandbox.write_file(target.path, new_text)
        state = self.sandbox.snapshot()
        if state == self.sandbox.base_state or self.known(state):
            self.sandbox.restore(node.state)
            raise Rejected("it gives files an earlier candidate already gave")
        self._seen.add(key)
        lines = f"now lines {span.start}-{span.end}"
        return state, f"replaced {target.qualname} in {target.path}, {lines}."

    def _read(self, target: Target) -> str:
        try:
            return self.sandbox.read_file(target.path)
        except SandboxError as exc:
            raise Rejected(f"{target.path} cannot be read: {exc}") from None

    def _outcome(self, state: str, tests: Any) -> str:
        if not isinstance(tests, dict):
            return "(no tests ran)"
        said = describe_tests(tests)
        if fixes_the_failures(tests):
            return said
        failure = self._failure(state)
        return f"{said}\n{failure}" if failure else said

    def _unchanged(self, node: Node, action: dict[str, Any], text: str) -> Expansion:
        observation = self._observation(node, text)
        observation["error"] = action.get("rejected") or "no valid action"
        return Expansion(
            action=action, state=node.state, observation=observation, kind=REWRITE, dead_end=True
        )

    def _observation(self, node: Node, text: str) -> dict[str, Any]:
        obs = Observation(stdout=text)
        return observation_json(obs, node.depth + 1, self.max_steps, workdir=self.sandbox.workdir)


def _action(
    proposal: Proposal, *, request: str, target: Target, temperature: float
) -> dict[str, Any]:
    """The node's action record: what was asked, what came back, the code (empty: none)."""
    act = proposal.action
    return {
        "kind": REWRITE,
        "request": request,
        "reply": proposal.reply,
        "target": target.id,
        "temperature": temperature,
        "summary": f"rewrite {target.qualname} (T={temperature:g})",
        "format_errors": proposal.format_errors,
        "thought": act.thought if act else "",
        "code": act.code if act else "",
    }


def with_request(history: list[Message], request: str) -> list[Message]:
    """The conversation with ``request`` appended to its last user message (shared prefix)."""
    *head, last = history
    return [*head, {"role": last["role"], "content": f"{last['content']}\n\n{request}"}]


def describe_tests(tests: dict[str, Any]) -> str:
    """One line on a tests record: fixed, still failing, broken."""
    fixed, still = tests.get("fixed") or [], tests.get("still_failing") or []
    broken = tests.get("broken") or []
    if "base" in tests:  # only exit codes: no test outcome was read on either side
        return _describe_exit_codes(tests)
    if tests.get("reproduction") and not broken:
        return "The tests: the failing tests pass now, and nothing else broke."
    regression = tests.get("regression") or {}
    if tests.get("reproduction") is None and not broken and not regression.get("failed"):
        return "The tests: nothing broke, and no test failed on this code before the change."
    parts = []
    if fixed or still:
        parts.append(f"{len(fixed)} of {len(fixed) + len(still)} failing tests pass now")
    if broken:
        parts.append(f"{len(broken)} passing tests broke")
    return "The tests: " + (", ".join(parts) if parts else "they still fail") + "."


def _describe_exit_codes(tests: dict[str, Any]) -> str:
    """Words for a run with no per-test outcome: a timeout or an exit code, here and before."""
    now, before = _how_it_ran(tests), _how_it_ran(tests["base"])
    if now == "passed":
        return f"The tests: the test command passes now (before the change it {before})."
    return (
        f"The tests: the test command {now} and printed no test outcome (before the change "
        f"it {before}), so no failing test is known."
    )


def _how_it_ran(run: dict[str, Any]) -> str:
    if run.get("timed_out"):
        return "did not finish in time"
    code = run.get("exit_code")
    if code is None:
        return "was not run"
    return "passed" if code == 0 else f"failed with exit code {code}"


def repaired_names(targets: Sequence[Target]) -> list[str]:
    """The files and the names (classes, functions; no dunders) of the functions to rewrite."""
    names = {t.path for t in targets}
    for target in targets:
        names.update(p for p in target.qualname.split(".") if not p.startswith("__"))
    return sorted(names)


def _dedent_lines(text: str, start: int, end: int) -> str:
    import textwrap

    return textwrap.dedent("\n".join(text.splitlines()[start - 1 : end]))
