"""LitellmModel against litellm's own mock_response: content, tokens, cost and the retry table."""

from __future__ import annotations

from typing import Any

import pytest

from swe_agent.models import LitellmConfig, Message, ModelCallFailed
from swe_agent.models.litellm_model import ERROR_TABLE, LitellmModel, classify, import_litellm

MESSAGES: list[Message] = [{"role": "user", "content": "Say hello."}]


def _model(name: str = "openai/gpt-4o", **settings: Any) -> LitellmModel:
    settings.setdefault("backoff_base_s", 0.0)
    return LitellmModel(LitellmConfig(model=name, **settings))


def _error(litellm: Any, name: str) -> Exception:
    cls = getattr(litellm, name)
    if name == "Timeout":
        return cls(message="timed out", model="gpt-4o", llm_provider="openai")
    if name in ("APIError", "BadGatewayError"):
        return cls(status_code=502, message="bad", llm_provider="openai", model="gpt-4o")
    return cls(message=f"simulated {name}", llm_provider="openai", model="gpt-4o")


@pytest.fixture(scope="module")
def litellm() -> Any:
    return import_litellm()


def test_mock_response_content_tokens_and_cost(litellm: Any) -> None:
    model = _model(extra={"mock_response": "hello there"})
    reply = model.query(MESSAGES)
    assert reply.content == "hello there"
    assert reply.tokens_in > 0 and reply.tokens_out > 0
    assert reply.cost_usd > 0  # gpt-4o is in litellm's bundled price map
    assert model.usage.calls == 1 and model.usage.cost_usd == pytest.approx(reply.cost_usd)


def test_unknown_model_costs_nothing(litellm: Any) -> None:
    model = _model("openai/my-self-hosted-model", api_base="http://127.0.0.1:9/v1")
    reply = model.query(MESSAGES, mock_response="hi")
    assert reply.content == "hi"
    assert reply.cost_usd == 0.0
    assert model.usage.tokens_out == reply.tokens_out


def test_cost_map_is_local(litellm: Any) -> None:
    import os

    assert os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"


def test_every_table_entry_names_a_litellm_exception(litellm: Any) -> None:
    for rule in ERROR_TABLE:
        assert isinstance(getattr(litellm, rule.exception), type), rule.exception


@pytest.mark.parametrize(
    ("name", "retry"),
    [
        ("RateLimitError", True),
        ("Timeout", True),
        ("APIConnectionError", True),
        ("InternalServerError", True),
        ("ServiceUnavailableError", True),
        ("APIError", True),
        ("AuthenticationError", False),
        ("BadRequestError", False),
        ("ContextWindowExceededError", False),
    ],
)
def test_classify(litellm: Any, name: str, retry: bool) -> None:
    rule = classify(_error(litellm, name), litellm)
    assert rule is not None and rule.retry is retry


def _flaky(litellm: Any, monkeypatch: pytest.MonkeyPatch, errors: list[Exception]) -> list[int]:
    """Make litellm.completion raise ``errors`` in turn, then answer through mock_response."""
    real = litellm.completion
    calls: list[int] = []
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")  # a key is set; the provider answers

    def completion(**kwargs: Any) -> Any:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return real(**{**kwargs, "mock_response": "recovered"})

    monkeypatch.setattr(litellm, "completion", completion)
    return calls


def test_retryable_errors_are_retried_and_counted(
    litellm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = [_error(litellm, "RateLimitError"), _error(litellm, "Timeout")]
    calls = _flaky(litellm, monkeypatch, errors)
    model = _model()
    reply = model.query(MESSAGES)
    assert reply.content == "recovered"
    assert len(calls) == 3
    assert model.usage.retries == 2 and model.usage.calls == 1
    assert model.usage.cost_usd == pytest.approx(reply.cost_usd)


def test_non_retryable_error_fails_at_once(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _flaky(litellm, monkeypatch, [_error(litellm, "AuthenticationError")])
    model = _model()
    with pytest.raises(ModelCallFailed) as info:
        model.query(MESSAGES)
    assert len(calls) == 1 and model.usage.retries == 0
    assert "API key" in str(info.value.hint)


def test_retries_are_bounded(litellm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    errors = [_error(litellm, "RateLimitError") for _ in range(5)]
    calls = _flaky(litellm, monkeypatch, errors)
    model = _model(max_retries=2)
    with pytest.raises(ModelCallFailed, match="after 3 attempts"):
        model.query(MESSAGES)
    assert len(calls) == 3 and model.usage.retries == 2


def test_every_billed_reply_counts(litellm: Any) -> None:
    model = _model(extra={"mock_response": "no code block here"})
    first = model.query(MESSAGES)
    second = model.query(MESSAGES)
    assert model.usage.calls == 2
    assert model.usage.tokens_out == first.tokens_out + second.tokens_out
    assert model.usage.cost_usd == pytest.approx(first.cost_usd + second.cost_usd)
