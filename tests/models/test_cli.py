"""`swe-agent models list|pull` through the real typer app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from swe_agent.cli import app
from swe_agent.models.catalog import CATALOG, DEFAULT_LOCAL_MODEL

runner = CliRunner()


def test_list_json_on_an_empty_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["models", "list", "--json", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    entries = {e["name"]: e for e in json.loads(result.stdout)["models"]}
    assert sorted(entries) == ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]
    entry = entries[DEFAULT_LOCAL_MODEL]
    assert (entry["installed"], entry["verified"], entry["size"]) == (False, False, None)
    assert [e["name"] for e in entries.values() if e["default"]] == [DEFAULT_LOCAL_MODEL]
    assert entry["path"] == str(tmp_path / CATALOG[DEFAULT_LOCAL_MODEL].filename)


def test_list_table_marks_a_wrong_file_unverified(tmp_path: Path) -> None:
    (tmp_path / CATALOG[DEFAULT_LOCAL_MODEL].filename).write_bytes(b"partial")
    result = runner.invoke(app, ["models", "list", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert DEFAULT_LOCAL_MODEL in result.stdout and "no" in result.stdout


def test_list_reads_the_models_dir_variable(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["models", "list", "--json"], env={"SWE_AGENT_MODELS_DIR": str(tmp_path)}
    )
    assert json.loads(result.stdout)["models"][0]["path"].startswith(str(tmp_path))


def test_pull_unknown_model_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["models", "pull", "gpt-5", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "Unknown model" in result.output and DEFAULT_LOCAL_MODEL in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_help_shows_examples() -> None:
    for command in ("list", "pull"):
        result = runner.invoke(app, ["models", command, "--help"])
        assert result.exit_code == 0
        assert f"swe-agent models {command}" in result.output
