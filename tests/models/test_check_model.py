"""check_model: a model spec's provider, API key, price and weights, known before any call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_agent.models import MissingCredentials, UnknownModel, check_model
from swe_agent.models.providers import cache_file, quick_check


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def test_a_missing_api_key_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingCredentials) as info:
        check_model("openai/gpt-4o-mini")
    assert "OPENAI_API_KEY" in str(info.value) and "OPENAI_API_KEY" in str(info.value.hint)
    assert info.value.exit_code == 2


def test_an_empty_api_key_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a CI secret that is not configured expands to.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "")
    with pytest.raises(MissingCredentials, match="ANTHROPIC_API_KEY"):
        check_model("anthropic/claude-sonnet-4-20250514")


def test_an_unknown_provider_is_bad_input() -> None:
    with pytest.raises(UnknownModel) as info:
        check_model("nosuchprovider/some-model")
    assert "nosuchprovider" in str(info.value) and info.value.exit_code == 2


def test_a_priced_model_with_its_key_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    checked = check_model("openai/gpt-4o-mini")
    assert checked.kind == "litellm" and checked.cost_known and checked.notes == ()


def test_a_model_litellm_cannot_price_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    checked = check_model("openai/my-self-hosted-model")
    assert not checked.cost_known
    assert any("no price" in note and "$0" in note for note in checked.notes)


def test_a_mocked_reply_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert check_model("openai/gpt-4o", extra={"mock_response": "hi"}).kind == "litellm"


def test_replay_of_a_missing_folder_is_named(tmp_path: Path) -> None:
    from swe_agent.models import BadModelConfig

    with pytest.raises(BadModelConfig, match="does not exist"):
        check_model(f"replay:{tmp_path / 'nope'}")


def test_what_litellm_said_is_kept_and_answers_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingCredentials):
        check_model("openai/gpt-4o-mini")
    with pytest.raises(UnknownModel):
        check_model("nosuchprovider/x")
    path = cache_file()
    assert path is not None
    facts = json.loads(path.read_text())
    assert facts["openai/gpt-4o-mini"] == {"credentials": ["OPENAI_API_KEY"], "provider": "openai"}
    assert facts["nosuchprovider/x"] == {"provider": None}
    with pytest.raises(MissingCredentials, match="OPENAI_API_KEY"):
        quick_check("openai/gpt-4o-mini")
    with pytest.raises(UnknownModel):
        quick_check("nosuchprovider/x")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    quick_check("openai/gpt-4o-mini")  # the key is set now: nothing to say
    quick_check("openai/never-checked")  # unknown to the cache: left to litellm
