"""`bench localize --half` keeps one fixed half of the instances; `--split` names a dataset's
split (on a file, `--split dev|heldout` still means the half)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from swe_agent.bench.localize_bench import split_of
from swe_agent.cli import app


def _data(tmp_path: Path) -> Path:
    rows = [
        {"instance_id": f"o__r-{n}", "repo": "o/r", "base_commit": "0" * 40,
         "problem_statement": "x"}
        for n in range(8)
    ]  # fmt: skip
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return data


def _run(tmp_path: Path, *args: str) -> tuple[int, str, list[str]]:
    command = ["bench", "localize", str(_data(tmp_path)), "--repos", str(tmp_path),
               "--repo-url-template", "", "--json", *args]  # fmt: skip
    result = CliRunner().invoke(app, command)
    if result.exit_code:
        return result.exit_code, result.output, []
    rows = json.loads(result.stdout)["rows"]
    return 0, result.output, [row["instance_id"] for row in rows]


def test_a_file_has_no_split_but_its_halves(tmp_path: Path) -> None:
    code, output, _ = _run(tmp_path, "--split", "test")
    assert code == 2
    assert "--half dev or --half heldout" in " ".join(output.split())
    code, output, _ = _run(tmp_path, "--half", "train")  # an enum: click names the choices
    assert code == 2 and all(word in output for word in ("'train'", "'dev'", "'heldout'"))


def test_half_and_the_old_split_spelling_agree(tmp_path: Path) -> None:
    _, _, half = _run(tmp_path, "--half", "heldout")
    _, _, split = _run(tmp_path, "--split", "heldout")
    assert half == split
    assert half and all(split_of(i) == "heldout" for i in half)
