"""`swe-agent models serve`: the command that serves verified weights, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app
from swe_agent.models import CATALOG, DEFAULT_LOCAL_MODEL, ModelNotInstalled, default_models_dir
from swe_agent.models.serve import server_command

runner = CliRunner()


def test_weights_not_pulled_say_how_to_pull(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWE_AGENT_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelNotInstalled) as info:
        server_command("qwen2.5-coder-1.5b")
    assert info.value.hint == "swe-agent models pull qwen2.5-coder-1.5b"
    result = runner.invoke(app, ["models", "serve", "qwen2.5-coder-1.5b"])
    assert result.exit_code == 1 and "models pull" in result.output


def test_an_unknown_model_is_bad_input() -> None:
    result = runner.invoke(app, ["models", "serve", "gpt-5"])
    assert result.exit_code == 2 and DEFAULT_LOCAL_MODEL in result.output


@pytest.mark.skipif(
    not (default_models_dir() / CATALOG[DEFAULT_LOCAL_MODEL].filename).is_file(),
    reason=f"run `swe-agent models pull {DEFAULT_LOCAL_MODEL}`",
)
def test_the_server_answers_on_loopback_to_the_catalog_name() -> None:
    pytest.importorskip("llama_cpp.server", reason="needs the server extra")
    command = server_command(DEFAULT_LOCAL_MODEL, port=8123)
    assert command[1:3] == ["-m", "llama_cpp.server"]
    flags = dict(zip(command[3::2], command[4::2], strict=True))
    assert flags["--model_alias"] == DEFAULT_LOCAL_MODEL
    assert (flags["--host"], flags["--port"]) == ("127.0.0.1", "8123")
    assert flags["--model"].endswith(CATALOG[DEFAULT_LOCAL_MODEL].filename)
