"""The replay model: scripted replies or a recorded run, with faults injected at given calls."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from swe_agent.errors import unreadable_file
from swe_agent.models.base import Message, ModelResponse, Usage
from swe_agent.models.config import ReplayConfig
from swe_agent.models.errors import BadModelConfig, ModelError, ReplayExhausted
from swe_agent.models.events import TRAJECTORY_FILE, read_model_calls

MALFORMED_REPLY = "I am not sure what to do next."


class FaultKind(StrEnum):
    """What a fault does to the call it is attached to."""

    RAISE = "raise"
    MALFORMED = "malformed"
    DELAY = "delay"


@dataclass(frozen=True)
class Fault:
    """A fault injected at one call index (0-based, counting every call to ``query``).

    ``RAISE`` and ``MALFORMED`` replace the call and consume no scripted reply, so the next call
    gets the reply the faulted one would have had (the shape of a retry). ``DELAY`` sleeps, then
    answers normally.
    """

    kind: FaultKind
    error: BaseException | None = None
    content: str = MALFORMED_REPLY
    delay_s: float = 0.0

    @classmethod
    def raise_(cls, error: BaseException) -> Fault:
        """Raise ``error`` at this call."""
        return cls(FaultKind.RAISE, error=error)

    @classmethod
    def malformed(cls, content: str = MALFORMED_REPLY) -> Fault:
        """Return ``content`` (by default a reply with no code block) at this call."""
        return cls(FaultKind.MALFORMED, content=content)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Sleep ``seconds`` before answering this call."""
        return cls(FaultKind.DELAY, delay_s=seconds)


def _estimate_tokens(text: str) -> int:
    # Scripted replies have no tokenizer behind them; ~4 characters per token is the usual rule.
    return max(1, len(text) // 4) if text else 0


def _scripted(content: str, messages: Sequence[Message]) -> ModelResponse:
    prompt = "".join(m.get("content", "") for m in messages)
    return ModelResponse(
        content=content,
        tokens_in=_estimate_tokens(prompt),
        tokens_out=_estimate_tokens(content),
        raw={"scripted": True},
    )


@dataclass(frozen=True)
class _Recorded:
    response: ModelResponse
    messages: list[dict[str, str]] | None


class ReplayModel:
    """Answers from a fixed list of replies; reproduces recorded runs exactly."""

    def __init__(
        self,
        replies: Sequence[str | ModelResponse],
        *,
        name: str = "replay",
        faults: Mapping[int, Fault] | None = None,
        recorded_messages: Sequence[list[dict[str, str]] | None] | None = None,
    ) -> None:
        self.name = name
        self.usage = Usage()
        self._replies = list(replies)
        self._recorded = list(recorded_messages or [])
        self._faults = dict(faults or {})
        self._calls = 0
        self._next = 0

    @classmethod
    def from_run(
        cls, run_dir: Path, *, strict: bool = False, faults: Mapping[int, Fault] | None = None
    ) -> ReplayModel:
        """Replay the model calls recorded in ``run_dir/trajectory.jsonl``."""
        path = run_dir / TRAJECTORY_FILE
        hint = "pass replay:RUN_DIR with a run folder that holds trajectory.jsonl"
        if not run_dir.is_dir():
            what = "does not exist" if not run_dir.exists() else "is a file, not a run folder"
            raise BadModelConfig(f"the replay run folder {run_dir} {what}", hint=hint)
        problem = unreadable_file(path)
        if problem:
            raise BadModelConfig(f"{path} {problem}", hint=hint)
        events = list(read_model_calls(path))
        names = {e.model for e in events if e.model}
        return cls(
            [e.response.to_response() for e in events],
            name=f"replay:{'+'.join(sorted(names)) or run_dir.name}",
            faults=faults,
            recorded_messages=[e.messages for e in events] if strict else None,
        )

    @classmethod
    def from_config(cls, config: ReplayConfig, **extra: Any) -> ReplayModel:
        """Build from a ``ReplayConfig`` (``extra`` may carry ``faults``)."""
        if config.run_dir is not None:
            return cls.from_run(config.run_dir, strict=config.strict, **extra)
        return cls(config.outputs, name=config.name, **extra)

    @property
    def remaining(self) -> int:
        """Replies not yet returned."""
        return len(self._replies) - self._next

    def query(self, messages: Sequence[Message], **kwargs: Any) -> ModelResponse:
        """Return the next reply, or the fault scheduled for this call."""
        index = self._calls
        self._calls += 1
        fault = self._faults.get(index)
        if fault is not None and fault.kind is FaultKind.RAISE:
            raise fault.error or ModelError(f"injected fault at call {index}")
        if fault is not None and fault.kind is FaultKind.MALFORMED:
            return self._count(_scripted(fault.content, messages))
        if fault is not None and fault.kind is FaultKind.DELAY:
            time.sleep(fault.delay_s)
        return self._count(self._take(index, messages))

    def _take(self, index: int, messages: Sequence[Message]) -> ModelResponse:
        if self._next >= len(self._replies):
            raise ReplayExhausted(
                f"{self.name} has {len(self._replies)} replies and was asked for call {index}",
                hint="the run diverged from the recording, or the script is too short",
            )
        position = self._next
        self._next += 1
        self._check_prompt(position, messages)
        reply = self._replies[position]
        return reply if isinstance(reply, ModelResponse) else _scripted(reply, messages)

    def _check_prompt(self, position: int, messages: Sequence[Message]) -> None:
        if position >= len(self._recorded) or self._recorded[position] is None:
            return
        sent = [{"role": m["role"], "content": m["content"]} for m in messages]
        if sent != self._recorded[position]:
            raise ModelError(
                f"replay diverged at model call {position}: the prompt differs from the recording",
                hint="replay without strict checking, or check what changed in the prompts",
            )

    def _count(self, response: ModelResponse) -> ModelResponse:
        self.usage.add(response)
        return response
