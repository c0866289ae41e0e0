"""What every kind of step shares: its observation as the model reads it, the note on sibling
attempts, and whether a tests record shows the issue fixed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sandbox import Observation
from search import SiblingSummary, TestEvidence, Verdict
from swe_agent.agent.prompts import render
from swe_agent.agent.stable_text import stable_text
from swe_agent.models import Message


def fixes_the_failures(tests: Any) -> bool:
    """True when a tests record shows the base's failing tests fixed and nothing broken."""
    if not isinstance(tests, dict):
        return False
    evidence = TestEvidence.from_record(tests)
    return evidence is not None and evidence.verdict is Verdict.RESOLVED


def observation_json(
    obs: Observation, step: int, max_steps: int, *, workdir: str
) -> dict[str, object]:
    """The observation of a step as the tree keeps it: the text the model reads, and flags."""
    text = render("observation.j2", obs=obs, step=step, max_steps=max_steps)
    return {
        "text": stable_text(text, workdir=workdir),
        "ok": obs.ok,
        "error": obs.error,
        "timed_out": obs.timed_out,
        "elapsed_s": round(obs.elapsed_s, 3),
    }


def siblings_note(siblings: Sequence[SiblingSummary]) -> list[Message]:
    """A user message listing what earlier children of the same node tried and how it went,
    in words (a small model echoes reward arithmetic back instead of reading it)."""
    if not siblings:
        return []
    tried = [
        {"summary": (s.action or {}).get("summary", ""), "outcome": outcome(s)} for s in siblings
    ]
    return [{"role": "user", "content": render("siblings.j2", siblings=tried)}]


def outcome(sibling: SiblingSummary) -> str:
    """How one attempt went, in a few words."""
    action, observation = sibling.action or {}, sibling.observation or {}
    if action.get("rejected"):
        return f"refused, {action['rejected']}"
    if not action.get("code"):
        return "no valid action"
    lines = str(observation.get("text", "")).splitlines()
    said = next((line for line in lines if line.startswith("The tests:")), "")
    if sibling.terminal:
        return "finished" + (f"; {said[len('The tests: ') :]}" if said else "")
    if said:
        return said[len("The tests: ") :].rstrip(".")
    if observation.get("error"):
        return f"failed: {str(observation['error'])[:120]}"
    return "ran"
