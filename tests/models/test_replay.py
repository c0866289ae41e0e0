"""The replay model: scripted replies, recorded runs, and each injected fault."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from swe_agent.models import (
    BadModelConfig,
    Fault,
    Message,
    ModelCallEvent,
    ModelError,
    ModelResponse,
    ReplayConfig,
    ReplayExhausted,
    get_model,
)
from swe_agent.models.replay import MALFORMED_REPLY, ReplayModel

ASK: list[Message] = [{"role": "user", "content": "fix the bug"}]


def test_scripted_replies_in_order() -> None:
    model = get_model(["first", "second"])
    assert [model.query(ASK).content for _ in range(2)] == ["first", "second"]
    assert model.usage.calls == 2 and model.usage.cost_usd == 0.0
    assert model.usage.tokens_out > 0
    with pytest.raises(ReplayExhausted):
        model.query(ASK)


def test_scripted_model_responses_keep_their_usage() -> None:
    reply = ModelResponse("done", tokens_in=10, tokens_out=2, cost_usd=0.5)
    model = ReplayModel([reply])
    assert model.query(ASK) == reply
    assert model.usage.cost_usd == 0.5


def test_raise_fault_consumes_no_reply() -> None:
    boom = RuntimeError("provider down")
    model = get_model(["a", "b"], faults={0: Fault.raise_(boom)})
    with pytest.raises(RuntimeError, match="provider down"):
        model.query(ASK)
    assert model.query(ASK).content == "a"
    assert model.query(ASK).content == "b"
    assert model.usage.calls == 2


def test_raise_fault_without_error_raises_a_model_error() -> None:
    model = ReplayModel(["a"], faults={0: Fault.raise_(None)})  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="call 0"):
        model.query(ASK)


def test_malformed_fault_is_billed_and_consumes_no_reply() -> None:
    model = ReplayModel(["good"], faults={1: Fault.malformed()})
    assert model.query(ASK).content == "good"
    assert model.query(ASK).content == MALFORMED_REPLY
    with pytest.raises(ReplayExhausted):
        model.query(ASK)
    model = ReplayModel(
        ["good"], faults={0: Fault.malformed("```python\na\n```\n```python\nb\n```")}
    )
    assert model.query(ASK).content.count("```python") == 2
    assert model.query(ASK).content == "good"
    assert model.usage.calls == 2


def test_default_malformed_reply_has_no_block() -> None:
    model = ReplayModel(["x"], faults={0: Fault.malformed()})
    assert model.query(ASK).content == MALFORMED_REPLY
    assert "```" not in MALFORMED_REPLY


def test_delay_fault_sleeps_then_answers() -> None:
    model = ReplayModel(["slow"], faults={0: Fault.delay(0.2)})
    started = time.monotonic()
    assert model.query(ASK).content == "slow"
    assert time.monotonic() - started >= 0.2


def _record_run(run_dir: Path) -> list[ModelCallEvent]:
    prompts: list[list[Message]] = [ASK, [*ASK, {"role": "assistant", "content": "one"}]]
    replies = [
        ModelResponse("one", tokens_in=100, tokens_out=7, cost_usd=0.01, latency_s=1.5),
        ModelResponse("two", tokens_in=140, tokens_out=9, cost_usd=0.02, latency_s=2.5),
    ]
    events = [
        ModelCallEvent.record(index=i, model="openai/gpt-4o", messages=p, response=r)
        for i, (p, r) in enumerate(zip(prompts, replies, strict=True))
    ]
    lines = [json.dumps({"type": "start", "messages": ASK}) + "\n"]
    lines += [events[0].to_json_line(), json.dumps({"type": "action", "code": "x"}) + "\n"]
    lines += [events[1].to_json_line()]
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "trajectory.jsonl").write_text("".join(lines))
    return events


def test_recorded_run_reproduces_replies_and_usage(tmp_path: Path) -> None:
    events = _record_run(tmp_path / "run")
    model = get_model(f"replay:{tmp_path / 'run'}")
    got = [model.query(e.messages).content for e in events]  # type: ignore[arg-type]
    assert got == ["one", "two"]
    assert model.usage.tokens_in == 240 and model.usage.tokens_out == 16
    assert model.usage.cost_usd == pytest.approx(0.03)
    assert model.usage.latency_s == pytest.approx(4.0)
    assert model.name == "replay:openai/gpt-4o"


def test_recorded_run_in_the_flat_form(tmp_path: Path) -> None:
    flat = {"type": "model_call", "step": 1, "response": "hi", "tokens_in": 5, "cost_usd": 0.1}
    (tmp_path / "trajectory.jsonl").write_text(json.dumps(flat) + "\n")
    reply = ReplayModel.from_run(tmp_path).query(ASK)
    assert (reply.content, reply.tokens_in, reply.cost_usd) == ("hi", 5, 0.1)


def test_strict_replay_detects_a_diverging_prompt(tmp_path: Path) -> None:
    _record_run(tmp_path)
    model = ReplayModel.from_config(ReplayConfig(run_dir=tmp_path, strict=True))
    assert model.query(ASK).content == "one"
    with pytest.raises(ModelError, match="diverged at model call 1"):
        model.query([{"role": "user", "content": "something else"}])


def test_recorded_run_with_a_fault(tmp_path: Path) -> None:
    _record_run(tmp_path)
    model = ReplayModel.from_run(tmp_path, faults={1: Fault.raise_(TimeoutError("slow"))})
    assert model.query(ASK).content == "one"
    with pytest.raises(TimeoutError):
        model.query(ASK)
    assert model.query(ASK).content == "two"


def test_missing_or_broken_trajectory_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadModelConfig, match="does not exist"):
        get_model(f"replay:{tmp_path / 'nope'}")
    (tmp_path / "trajectory.jsonl").write_text('{"type": "model_call"}\n')
    with pytest.raises(BadModelConfig, match="trajectory.jsonl:1"):
        get_model(f"replay:{tmp_path}")
