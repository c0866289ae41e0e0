"""The CodeAct loop: ask the model for one python action, run it in the sandbox, repeat."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from sandbox import Observation, Sandbox
from swe_agent.agent.flow import FormatError, LimitsExceeded, StopReason, Submitted
from swe_agent.agent.parse import Action, parse_action
from swe_agent.agent.prompts import render
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models.base import Message, Model

TOOLS_SOURCE = Path(__file__).with_name("sandbox_tools.py")


class AgentConfig(BaseModel):
    """Budgets and templates of one agent run."""

    max_steps: int = Field(30, description="Model turns before the run stops unfinished.")
    max_format_errors: int = Field(5, description="Replies without exactly one python block.")
    cost_limit_usd: float = Field(3.0, description="Dollars of billed calls, retries included.")
    wall_time_s: float = Field(1800.0, description="Seconds from the first step.")
    action_timeout_s: float = Field(120.0, description="Seconds one action may run.")
    test_command: str = Field("python -m pytest -q", description="What run_tests() runs.")
    system_template: str = Field("system.j2", description="Template of the system prompt.")
    instance_template: str = Field("instance.j2", description="Template of the first message.")


@dataclass
class AgentResult:
    """How a run ended and what it cost."""

    stop_reason: StopReason
    summary: str = ""
    steps: int = 0
    format_errors: int = 0
    detail: str = ""
    usage: dict[str, Any] = field(default_factory=dict)


class Agent:
    """One linear CodeAct trajectory over a sandbox."""

    def __init__(
        self,
        model: Model,
        sandbox: Sandbox,
        *,
        config: AgentConfig,
        trajectory: Trajectory,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model, self.sandbox, self.config = model, sandbox, config
        self.trajectory = trajectory
        self.clock = clock
        self.messages: list[Message] = []
        self.steps = 0
        self.format_errors = 0
        self._started = clock()

    def start(
        self, *, issue: str, locations: Sequence[Any] = (), snippets: Sequence[str] = ()
    ) -> None:
        """Install the tool API in the sandbox and write the opening messages."""
        setup = f"TEST_COMMAND = {self.config.test_command!r}\n" + TOOLS_SOURCE.read_text()
        obs = self.sandbox.execute(setup, timeout=60)
        if obs.error:
            raise RuntimeError(f"the tool API failed to load in the sandbox: {obs.error}")
        context = {"workdir": self.sandbox.workdir, "issue": issue}
        self.messages = [
            {"role": "system", "content": render(self.config.system_template, **context)},
            {
                "role": "user",
                "content": render(
                    self.config.instance_template,
                    locations=list(locations),
                    snippets=list(snippets),
                    **context,
                ),
            },
        ]
        self.trajectory.record("start", messages=self.messages, config=self.config.model_dump())

    def run(self) -> AgentResult:
        """Step until the model submits or a budget is spent."""
        while True:
            try:
                self.step()
            except FormatError as exc:
                self._on_format_error(str(exc))
            except Submitted as done:
                return self._finish(StopReason.SUBMITTED, summary=done.summary)
            except LimitsExceeded as stop:
                return self._finish(stop.reason, detail=stop.detail)

    def step(self) -> Observation:
        """One turn: check budgets, ask the model, run its action, show the result."""
        self.check_limits()
        action = self.next_action()
        obs = self.act(action)
        self.messages.append({"role": "user", "content": self.render_observation(obs)})
        if obs.error and obs.error.startswith("Submitted"):
            raise Submitted(obs.error.partition(":")[2].strip())
        return obs

    def check_limits(self) -> None:
        """Raise LimitsExceeded when any budget is spent."""
        usage = self.model.usage
        if self.format_errors > self.config.max_format_errors:
            raise LimitsExceeded(StopReason.FORMAT_ERRORS, f"{self.format_errors} bad replies")
        if self.steps >= self.config.max_steps:
            raise LimitsExceeded(StopReason.STEPS, f"{self.steps} steps")
        if usage.cost_usd >= self.config.cost_limit_usd:
            raise LimitsExceeded(StopReason.COST, f"${usage.cost_usd:.4f} spent")
        elapsed = self.clock() - self._started
        if elapsed >= self.config.wall_time_s:
            raise LimitsExceeded(StopReason.WALL_TIME, f"{elapsed:.0f} s elapsed")

    def next_action(self) -> Action:
        """Ask the model and parse its reply (FormatError when it holds no single block)."""
        self.steps += 1
        response = self.model.query(self.messages)
        self.messages.append({"role": "assistant", "content": response.content})
        self.trajectory.record(
            "model_call",
            step=self.steps,
            response=response.content,
            tokens_in=response.tokens_in,
            tokens_out=response.tokens_out,
            cost_usd=response.cost_usd,
            latency_s=round(response.latency_s, 3),
        )
        return parse_action(response.content)

    def act(self, action: Action) -> Observation:
        """Run an action in the sandbox and record it."""
        obs = self.sandbox.execute(action.code, timeout=self.config.action_timeout_s)
        self.trajectory.record(
            "action", step=self.steps, thought=action.thought, code=action.code, obs=asdict(obs)
        )
        return obs

    def render_observation(self, obs: Observation) -> str:
        """The observation as the model sees it."""
        return render("observation.j2", obs=obs, step=self.steps, max_steps=self.config.max_steps)

    def _on_format_error(self, error: str) -> None:
        self.format_errors += 1
        self.trajectory.record("format_error", step=self.steps, error=error)
        self.messages.append({"role": "user", "content": render("format_error.j2", error=error)})

    def _finish(self, reason: StopReason, *, summary: str = "", detail: str = "") -> AgentResult:
        result = AgentResult(
            stop_reason=reason,
            summary=summary,
            steps=self.steps,
            format_errors=self.format_errors,
            detail=detail,
            usage=self.model.usage.as_dict(),
        )
        self.trajectory.record("stop", **asdict(result))
        return result
