"""Flow control of the agent loop: each is raised by a step and caught in exactly one loop."""

from __future__ import annotations

from enum import StrEnum


class StopReason(StrEnum):
    """Why an agent run ended."""

    SUBMITTED = "submitted"
    STEPS = "max_steps"
    COST = "cost_limit"
    WALL_TIME = "wall_time"
    FORMAT_ERRORS = "format_errors"
    MODEL_ERROR = "model_error"


class AgentFlow(Exception):
    """Base of the exceptions that steer the loop; never shown to a user as an error."""


class Submitted(AgentFlow):
    """The action called submit(): the workspace is the proposed fix."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary


class LimitsExceeded(AgentFlow):
    """A budget (steps, dollars, wall time, format errors) is spent."""

    def __init__(self, reason: StopReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class FormatError(AgentFlow):
    """The reply did not hold exactly one python block; the message says what was wrong."""
