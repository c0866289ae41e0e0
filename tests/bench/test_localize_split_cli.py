"""`bench localize --split` keeps one fixed half of the instances."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from swe_agent.cli import app


def test_an_unknown_split_is_bad_input(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text("")
    result = CliRunner().invoke(
        app, ["bench", "localize", str(data), "--repos", str(tmp_path), "--split", "test"]
    )
    assert result.exit_code == 2
    assert "--split dev or --split heldout" in result.output
