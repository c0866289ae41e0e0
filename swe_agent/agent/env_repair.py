"""The model-driven environment repairer: env_setup's `AgentRepairer` seam, fed by any `Model`.

env_setup hands it a failure its rules could not fix; the model proposes shell commands, each
runs in the set-up sandbox (network on) through env_setup's logger, and DONE re-runs the check
that failed. env.json keeps the commands that worked, so the next setup replays them with no
model. Budgets: model replies and dollars over the whole setup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from env_setup import Attempt, Step, StepKind
from swe_agent.agent.prompts import render
from swe_agent.models import Message, Model, ModelError

_BLOCK = re.compile(r"```(?:bash|sh|shell|console)?[^\S\n]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_DONE = re.compile(r"\bDONE\b")
_SEGMENTS = re.compile(r"\|\||&&|[|;]")
# Commands that only look: logged as such and never replayed.
_LOOKS = frozenset(
    ("ls", "cat", "head", "tail", "grep", "pwd", "echo", "which", "printenv", "wc", "stat")
)
_PIP_LOOKS = re.compile(r"\bpip\s+(show|list|freeze|check|index|--version)\b")
_OUTPUT = 3000


class RepairEnd(StrEnum):
    """Why the repair agent stopped (a search's stop is search.StopReason)."""

    FIXED = "fixed"
    STEPS = "max_steps"
    COST = "cost_limit"
    MODEL_ERROR = "model_error"


@dataclass(frozen=True)
class RepairBudget:
    """How far the repair agent may go over one whole setup (every failure it is handed)."""

    max_steps: int = 15  # model replies
    max_cost_usd: float = 0.5  # every billed call counts


class ModelRepairer:
    """Asks a model for shell commands until the failed check passes or the budget is spent."""

    def __init__(self, model: Model, *, budget: RepairBudget | None = None) -> None:
        self.model = model
        self.budget = budget or RepairBudget()
        self.steps = 0
        self.stopped: RepairEnd | None = None
        self.error: str | None = None

    def repair(self, attempt: Attempt) -> bool:
        """Work on one failure; True when its check passed again."""
        messages = self._opening(attempt)
        changed = False  # a command succeeded since the last check
        while self._left():
            reply = self._ask(messages)
            if reply is None:
                return False
            command = parse_command(reply)
            if command is None:
                messages.append(_user(render("env_repair_format.j2", **self._step_note())))
                continue
            if command == DONE:
                passed, output = attempt.check()
                if passed:
                    self.stopped = RepairEnd.FIXED
                    return True
                changed = False
                messages.append(_user(self._checked(output)))
                continue
            result = attempt.run(_step(command, reply, model=self.model.name))
            changed = changed or (result.ok and not is_inspection(command))
            seen = render(
                "env_repair_observation.j2",
                check=False,
                exit_code=result.exit_code,
                output=result.output_tail[-_OUTPUT:],
                **self._step_note(),
            )
            messages.append(_user(seen))
        # Out of budget: the last commands may have fixed it without a DONE.
        return changed and attempt.check()[0]

    def report(self) -> dict[str, object]:
        """What the agent did over the setup, for summaries."""
        return {
            "model": self.model.name,
            "steps": self.steps,
            "stopped": str(self.stopped) if self.stopped else None,
            "error": self.error,
            **self.model.usage.as_dict(),
        }

    def _opening(self, attempt: Attempt) -> list[Message]:
        plan = attempt.plan
        system = render(
            "env_repair_system.j2",
            workdir="/workspace",
            venv=plan.venv,
            python=plan.python,
            test_command=plan.test_command,
        )
        step = attempt.failure.step
        failure = render(
            "env_repair_failure.j2",
            command=step.command if step else "",
            collect=f"{plan.python_bin} -m pytest --collect-only -q",
            output=attempt.failure.output[-_OUTPUT:],
        )
        return [{"role": "system", "content": system}, _user(failure)]

    def _left(self) -> bool:
        if self.steps >= self.budget.max_steps:
            self.stopped = RepairEnd.STEPS
            return False
        if self.model.usage.cost_usd >= self.budget.max_cost_usd:
            self.stopped = RepairEnd.COST
            return False
        return True

    def _ask(self, messages: list[Message]) -> str | None:
        self.steps += 1
        try:
            reply = self.model.query(messages).content
        except ModelError as exc:
            self.stopped, self.error = RepairEnd.MODEL_ERROR, f"{exc.title}: {exc}"
            return None
        messages.append({"role": "assistant", "content": reply})
        return reply

    def _checked(self, output: str) -> str:
        return render(
            "env_repair_observation.j2",
            check=True,
            ok=False,
            output=output[-_OUTPUT:],
            **self._step_note(),
        )

    def _step_note(self) -> dict[str, int]:
        return {"step": self.steps, "max_steps": self.budget.max_steps}


DONE = "DONE"


def parse_command(reply: str) -> str | None:
    """The one shell command of a reply, DONE, or None when the reply has neither."""
    blocks = [b.strip() for b in _BLOCK.findall(reply) if b.strip()]
    if len(blocks) == 1:
        return blocks[0]
    if not blocks and _DONE.search(reply):
        return DONE
    return None


def is_inspection(command: str) -> bool:
    """True when every part of the command only looks (no redirection into a file)."""
    if ">" in command:
        return False
    parts = [p.strip() for p in _SEGMENTS.split(command) if p.strip()]
    return bool(parts) and all(p.split()[0] in _LOOKS or bool(_PIP_LOOKS.search(p)) for p in parts)


def _step(command: str, reply: str, *, model: str) -> Step:
    thought = reply[: reply.find("```")].strip().replace("\n", " ")
    kind = StepKind.INSPECT if is_inspection(command) else StepKind.REPAIR
    return Step(command, f"repair agent ({model}): {thought}"[:300], kind)


def _user(content: str) -> Message:
    return {"role": "user", "content": content}
