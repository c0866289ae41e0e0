"""The policy: a node's conversation in, the next python action out, through the model."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from swe_agent.agent.parse import Action, FormatError, parse_action
from swe_agent.agent.prompts import PROMPTS_DIR, render
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Message, Model, ModelCallEvent


class AgentConfig(BaseModel):
    """How the agent talks to the model and how much it may try per step."""

    model_config = ConfigDict(extra="forbid")

    max_format_errors: int = Field(
        3, ge=0, description="Re-asks per step when a reply lacks exactly one python block."
    )
    action_timeout_s: float = Field(120.0, gt=0, description="Seconds one action may run.")
    auto_finish: bool = Field(
        True,
        description="Finish a branch once its state makes the base's failing tests pass with "
        "no regression, without waiting for submit().",
    )
    sibling_temperature: float = Field(
        0.7, ge=0, description="Sampling temperature of a node's second and later children."
    )
    repeat_retries: int = Field(
        2,
        ge=0,
        description="Re-asks (sampling, with a note) when a reply repeats an action already run "
        "from the same workspace state on this branch, or copies the prompt's worked example.",
    )
    rewrite: bool = Field(
        True,
        description="Offer the rewrite kind of step: one complete corrected definition of a "
        "localized function, asked with its source and the failing tests' output, applied and "
        "scored by the tests. The search weighs it against free-form actions by their rewards.",
    )
    rewrite_temperatures: list[float] = Field(
        default_factory=lambda: [0.0, 0.7, 1.0],
        min_length=1,
        description="Sampling temperature of a node's 1st, 2nd, 3rd ... rewrite, in turn.",
    )
    rewrite_max_lines: int = Field(
        80, ge=1, description="Longest function (in lines) that a rewrite may replace."
    )
    failure_chars: int = Field(
        1800, ge=200, description="Characters of failing-test output a rewrite request shows."
    )
    max_issue_chars: int = Field(
        20_000,
        ge=1_000,
        description="Characters of the issue the model is sent; a longer issue is sent as its "
        "head and tail with a note between (the whole text stays in the run's issue.md).",
    )
    system_template: str = Field("system.j2", description="Template of the system prompt.")
    instance_template: str = Field("instance.j2", description="Template of the first message.")

    @field_validator("system_template", "instance_template")
    @classmethod
    def _known_template(cls, name: str) -> str:
        if not (PROMPTS_DIR / name).is_file():
            known = ", ".join(sorted(p.name for p in PROMPTS_DIR.glob("*.j2")))
            raise ValueError(f"no prompt template {name!r} (known: {known})")
        return name


@dataclass(frozen=True)
class Proposal:
    """What the model proposed for one step: an action, or the format error that stopped it."""

    action: Action | None
    reply: str
    error: str = ""
    format_errors: int = 0


class Policy:
    """Asks the model for the next action of a conversation, re-asking on format errors."""

    def __init__(
        self,
        model: Model,
        *,
        config: AgentConfig,
        trajectory: Trajectory,
        calls_left: Callable[[], int | None] = lambda: None,
        deadline: float | None = None,
    ) -> None:
        self.model, self.config, self.trajectory = model, config, trajectory
        self.calls_left = calls_left  # None: no cap on model calls
        self.deadline = deadline  # time.monotonic() at which the run's wall time is spent
        self.format_errors = 0

    def may_ask_again(self) -> bool:
        """False once the run's cap on model calls or its wall time is spent: re-asks never
        go past them."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return False
        left = self.calls_left()
        return left is None or left > 0

    def opening(
        self,
        *,
        issue: str,
        workdir: str,
        locations: Sequence[Any] = (),
        snippets: Sequence[str] = (),
    ) -> list[Message]:
        """The system prompt and the first user message of every branch."""
        context = {"workdir": workdir, "issue": issue}
        system = render(self.config.system_template, **context)
        task = render(
            self.config.instance_template,
            locations=list(locations),
            snippets=list(snippets),
            **context,
        )
        return [{"role": "system", "content": system}, {"role": "user", "content": task}]

    def propose(self, history: Sequence[Message], *, parent: int, **sampling: Any) -> Proposal:
        """One step's action; format errors are shown to the model and re-asked, bounded."""
        messages = list(history)
        errors = 0
        while True:
            reply = self._query(messages, parent=parent, **sampling)
            try:
                return Proposal(parse_action(reply), reply, format_errors=errors)
            except FormatError as exc:
                errors += 1
                self.format_errors += 1
                self.trajectory.record("format_error", parent=parent, error=str(exc))
                if errors > self.config.max_format_errors or not self.may_ask_again():
                    return Proposal(None, reply, error=str(exc), format_errors=errors)
                messages += [
                    {"role": "assistant", "content": reply},
                    {"role": "user", "content": render("format_error.j2", error=str(exc))},
                ]

    def _query(self, messages: list[Message], *, parent: int, **sampling: Any) -> str:
        if self.deadline is not None and getattr(self.model, "honours_deadline", False):
            sampling["deadline"] = self.deadline  # the embedded model stops generating there
        response = self.model.query(messages, **sampling)
        event = ModelCallEvent.record(
            index=self.model.usage.calls - 1,
            model=self.model.name,
            messages=messages,
            response=response,
        )
        self.trajectory.record("model_call", parent=parent, **event.model_dump(exclude={"type"}))
        return response.content
