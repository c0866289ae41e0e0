"""The policy stops asking once the run's wall time is spent, and hands the deadline on."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swe_agent.agent.policy import AgentConfig, Policy
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Message, ModelResponse, Usage, get_model


def test_no_re_ask_past_the_deadline(tmp_path: Path) -> None:
    model = get_model(["no block here", "still none", "```python\nview('.')\n```"])
    with Trajectory(tmp_path / "t.jsonl") as trajectory:
        policy = Policy(
            model, config=AgentConfig(), trajectory=trajectory, deadline=time.monotonic() - 1
        )
        proposal = policy.propose([{"role": "user", "content": "go"}], parent=0)
    assert proposal.action is None and model.usage.calls == 1


class Timed:
    """A model that honours deadlines and records the settings of each call."""

    honours_deadline = True

    def __init__(self) -> None:
        self.name, self.usage, self.seen = "timed", Usage(), list[dict[str, Any]]()

    def query(self, messages: Sequence[Message], **kwargs: Any) -> ModelResponse:
        self.seen.append(kwargs)
        self.usage.calls += 1
        return ModelResponse(content="ok\n```python\nview('.')\n```")


def test_a_model_that_honours_deadlines_gets_it(tmp_path: Path) -> None:
    model, deadline = Timed(), time.monotonic() + 600
    with Trajectory(tmp_path / "t.jsonl") as trajectory:
        policy = Policy(model, config=AgentConfig(), trajectory=trajectory, deadline=deadline)
        assert policy.propose([{"role": "user", "content": "go"}], parent=0).action is not None
    assert model.seen == [{"deadline": deadline}]
