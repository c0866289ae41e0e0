"""Model specs resolve to the right kind; unknown names list the known ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_agent.models import (
    DEFAULT_LOCAL_MODEL,
    BadModelConfig,
    UnknownModel,
    get_model,
    parse_spec,
)
from swe_agent.models.litellm_model import LitellmModel
from swe_agent.models.local import LocalModel
from swe_agent.models.registry import MODEL_KINDS, resolve
from swe_agent.models.replay import ReplayModel


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, ("local", DEFAULT_LOCAL_MODEL)),
        ("local", ("local", DEFAULT_LOCAL_MODEL)),
        (DEFAULT_LOCAL_MODEL, ("local", DEFAULT_LOCAL_MODEL)),
        ("anthropic/claude-sonnet-4-20250514", ("litellm", "anthropic/claude-sonnet-4-20250514")),
        ("openai/gpt-4o", ("litellm", "openai/gpt-4o")),
        ("litellm:gpt-4o", ("litellm", "gpt-4o")),
        ("ollama/llama3:8b", ("litellm", "ollama/llama3:8b")),
        ("replay:/runs/abc", ("replay", "/runs/abc")),
    ],
)
def test_parse_spec(spec: str | None, expected: tuple[str, str]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize(
    "spec", ["gpt-4o", "qwen", "replay:", "bogus:thing", "bogus:a/b", "./local/model", "/abs/path"]
)
def test_unknown_spec_lists_the_known_forms(spec: str) -> None:
    with pytest.raises(UnknownModel) as info:
        parse_spec(spec)
    assert info.value.exit_code == 2
    assert "replay:RUN_DIR" in str(info.value.hint)
    assert DEFAULT_LOCAL_MODEL in str(info.value.hint)


def test_resolve_unknown_key_lists_the_registry() -> None:
    with pytest.raises(UnknownModel) as info:
        resolve(MODEL_KINDS, "nope", what="model kind")
    assert "litellm, local, replay" in str(info.value.hint)


def test_get_model_builds_each_kind(tmp_path: Path) -> None:
    llm = get_model("openai/gpt-4o", api_base="http://127.0.0.1:8000/v1")
    assert isinstance(llm, LitellmModel)
    assert llm.config.api_base == "http://127.0.0.1:8000/v1"

    local = get_model(None, n_ctx=4096)
    assert isinstance(local, LocalModel)
    assert local.config.n_ctx == 4096

    scripted = get_model(["one", "two"])
    assert isinstance(scripted, ReplayModel)
    assert scripted.remaining == 2

    event = {"type": "model_call", "response": "hi", "tokens_in": 3, "tokens_out": 1}
    (tmp_path / "trajectory.jsonl").write_text(json.dumps(event) + "\n")
    recorded = get_model(f"replay:{tmp_path}")
    assert isinstance(recorded, ReplayModel)
    assert recorded.query([{"role": "user", "content": "x"}]).tokens_in == 3


def test_bad_settings_are_bad_input() -> None:
    with pytest.raises(BadModelConfig) as info:
        get_model("openai/gpt-4o", no_such_setting=1)
    assert info.value.exit_code == 2


def test_importing_models_loads_no_provider_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, swe_agent.models; "
        "print(sorted(m for m in ('litellm', 'llama_cpp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
