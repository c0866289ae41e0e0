"""The ``model_call`` event of ``trajectory.jsonl``: what the replay model reads back.

One JSON object per line. A model call is recorded as::

    {"type": "model_call", "index": 0, "model": "openai/gpt-4o",
     "messages": [{"role": "system", "content": "..."}, ...],
     "response": {"content": "...", "tokens_in": 812, "tokens_out": 64,
                  "cost_usd": 0.0031, "latency_s": 1.9}}

``index`` counts the model calls of the run from 0 (when absent, the event's position among
the model calls is used). The flat form, ``"response": "<text>"`` with ``tokens_in``,
``tokens_out``, ``cost_usd`` and ``latency_s`` beside it, is read the same way.
Lines of other types (actions, observations, ...) are ignored by the replay model, and unknown
keys are kept but not read, so the trajectory writer may add fields (timestamps, step, node
id) without breaking replays.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from swe_agent.models.base import Message, ModelResponse
from swe_agent.models.errors import BadModelConfig

MODEL_CALL = "model_call"
TRAJECTORY_FILE = "trajectory.jsonl"


class RecordedResponse(BaseModel):
    """The reply part of a model call event."""

    model_config = ConfigDict(extra="allow")

    content: str = Field(description="The reply text exactly as the model returned it.")
    tokens_in: int = Field(default=0, description="Prompt tokens billed.")
    tokens_out: int = Field(default=0, description="Reply tokens billed.")
    tokens_cached: int = Field(
        default=0, description="Prompt tokens reused from the model's cache (not evaluated)."
    )
    cost_usd: float = Field(default=0.0, description="Dollars billed for the call.")
    latency_s: float = Field(default=0.0, description="Wall time of the call.")

    def to_response(self) -> ModelResponse:
        """The recorded reply as a live ``ModelResponse``."""
        return ModelResponse(
            content=self.content,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
            cost_usd=self.cost_usd,
            latency_s=self.latency_s,
            raw={"replayed": True},
            tokens_cached=self.tokens_cached,
        )


class ModelCallEvent(BaseModel):
    """One model call in a trajectory."""

    model_config = ConfigDict(extra="allow")

    type: Literal["model_call"] = Field(default="model_call", description="Event kind.")
    index: int = Field(description="Position among the run's model calls, from 0.")
    model: str = Field(default="", description="Name of the model that answered.")
    messages: list[dict[str, str]] = Field(
        default_factory=list, description="The prompt: chat messages sent."
    )
    response: RecordedResponse = Field(description="What came back and what it cost.")

    @classmethod
    def record(
        cls, *, index: int, model: str, messages: Sequence[Message], response: ModelResponse
    ) -> ModelCallEvent:
        """Build the event for one finished call."""
        return cls(
            index=index,
            model=model,
            messages=[{"role": m["role"], "content": m["content"]} for m in messages],
            response=RecordedResponse(
                content=response.content,
                tokens_in=response.tokens_in,
                tokens_out=response.tokens_out,
                tokens_cached=response.tokens_cached,
                cost_usd=response.cost_usd,
                latency_s=response.latency_s,
            ),
        )

    def to_json_line(self) -> str:
        """The event as one line of ``trajectory.jsonl`` (newline included)."""
        return self.model_dump_json() + "\n"


def read_model_calls(path: Path) -> Iterator[ModelCallEvent]:
    """The model_call events of a trajectory file, in file order."""
    position = 0
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if data.get("type") == MODEL_CALL:
                    yield ModelCallEvent.model_validate(_normalise(data, position))
                    position += 1
            except (ValueError, ValidationError) as exc:
                raise BadModelConfig(
                    f"{path}:{lineno} is not a valid trajectory event: {exc}",
                    hint="replay a run folder written by swe-agent solve",
                ) from exc


_USAGE_KEYS = ("tokens_in", "tokens_out", "tokens_cached", "cost_usd", "latency_s")


def _normalise(data: dict[str, Any], position: int) -> dict[str, Any]:
    """Accept the flat form (response text with usage beside it) and a missing index."""
    response = data.get("response")
    if isinstance(response, str):
        usage = {key: data[key] for key in _USAGE_KEYS if key in data}
        data = {**data, "response": {"content": response, **usage}}
    return {"index": position, **data}
