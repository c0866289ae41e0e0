"""The model seam: one ``Model`` protocol, the response value and the usage accounting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict


class Message(TypedDict):
    """One chat message as every provider takes it."""

    role: str
    content: str


@dataclass(frozen=True)
class ModelResponse:
    """One reply from a model, with what it cost."""

    content: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Prompt tokens the model did not evaluate again: its cache held them from earlier calls.
    tokens_cached: int = 0


@dataclass
class Usage:
    """Running totals of every billed call a model made (retries and unparsable replies too)."""

    calls: int = 0
    retries: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    tokens_cached: int = 0  # of tokens_in: reused from the model's cache, not evaluated again

    def add(self, response: ModelResponse) -> None:
        """Count one billed reply."""
        self.calls += 1
        self.tokens_in += response.tokens_in
        self.tokens_out += response.tokens_out
        self.tokens_cached += response.tokens_cached
        self.cost_usd += response.cost_usd
        self.latency_s += response.latency_s

    def as_dict(self) -> dict[str, float | int]:
        """The totals as plain JSON-ready values."""
        return {
            "calls": self.calls,
            "retries": self.retries,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "tokens_cached": self.tokens_cached,
            "cost_usd": round(self.cost_usd, 6),
            "latency_s": round(self.latency_s, 3),
        }


class Model(Protocol):
    """Anything that answers a conversation: litellm, the embedded model, a replay."""

    name: str
    usage: Usage

    def query(self, messages: Sequence[Message], **kwargs: Any) -> ModelResponse:
        """Answer ``messages``; ``kwargs`` override sampling settings for this call."""
        ...
