"""`swe-agent graph build|query` through typer's CliRunner, on real fixture repositories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_build_json_reports_counts_skips_and_timings(
    runner: CliRunner, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("bad")
    result = runner.invoke(app, ["graph", "build", str(root), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["nodes"] == {"directory": 2, "file": 4, "class": 1, "function": 6}
    assert set(data["edges"]) == {"contains", "imports", "invokes", "inherits"}
    assert data["skipped_by_reason"] == {"excluded": 2}
    assert data["files_with_syntax_errors"] == 1
    assert {"list", "total"} <= set(data["timings"])
    again = json.loads(runner.invoke(app, ["graph", "build", str(root), "--json"]).stdout)
    assert (again["mode"], again["files_parsed"]) == ("warm", 0)


def test_build_human_output_and_no_cache(
    runner: CliRunner, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("resolution")
    result = runner.invoke(app, ["graph", "build", str(root), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "class nodes" in result.stdout and "invokes edges" in result.stdout
    assert "timings:" in result.stdout
    assert not (root / ".swe-agent").exists()


@pytest.mark.parametrize("command", [["graph", "build"], ["graph", "query", "search", "x", "-r"]])
def test_a_path_that_is_not_a_directory_exits_2_without_traceback(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    result = runner.invoke(app, [*command, str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "Not a repository" in result.output
    assert "Traceback" not in result.output


def test_query_search_json(runner: CliRunner, fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    result = runner.invoke(
        app, ["graph", "query", "search", "helper", "--repo", str(root), "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["hits"]
    assert hits[0] == {
        "id": "app/util.py:helper",
        "kind": "function",
        "match": "name",
        "score": 1.0,
        "signature": "def helper(value)",
        "lines": [1, 3],
    }
    plain = runner.invoke(app, ["graph", "query", "search", "helper", "-r", str(root)])
    assert plain.stdout.splitlines()[0].split("\t")[:2] == ["app/util.py:helper", "function"]


def test_query_traverse_text_and_json(
    runner: CliRunner, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("resolution")
    args = ["graph", "query", "traverse", "app/util.py:helper", "-r", str(root)]
    text = runner.invoke(app, [*args, "--direction", "upstream", "--depth", "1", "-e", "invokes"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[0] == "app/util.py:helper"
    assert "invoked by ── app/core.py:Engine.run" in text.stdout
    data = json.loads(
        runner.invoke(app, [*args, "-e", "invokes,imports", "--json", "--direction", "both"]).stdout
    )
    assert data["start"] == ["app/util.py:helper"]
    assert {
        "source": "scripts/run.py:go",
        "target": "app/util.py:helper",
        "kind": "invokes",
    } in data["edges"]


def test_query_retrieve_and_its_errors(
    runner: CliRunner, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("resolution")
    ok = runner.invoke(
        app, ["graph", "query", "retrieve", "Engine.stop", "-r", str(root), "--json"]
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert (data["id"], data["start_line"], data["end_line"]) == ("app/core.py:Engine.stop", 28, 29)
    missing = runner.invoke(app, ["graph", "query", "retrieve", "Engin.stop", "-r", str(root)])
    assert missing.exit_code == 2
    assert "Entity not found" in missing.output and "Traceback" not in missing.output
    bad = runner.invoke(app, ["graph", "query", "traverse", "app", "-r", str(root), "-e", "calls"])
    assert bad.exit_code == 2 and "Bad query" in bad.output


def test_every_graph_command_has_help_with_examples(runner: CliRunner) -> None:
    for command in (["build"], ["query", "search"], ["query", "traverse"], ["query", "retrieve"]):
        result = runner.invoke(app, ["graph", *command, "--help"])
        assert result.exit_code == 0
        assert "Examples" in result.stdout and "swe-agent graph" in result.stdout


def test_build_exclude_and_size_options(
    runner: CliRunner, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("bad")
    (root / "big.py").write_text("X = 1\n" * 100)
    args = ["graph", "build", str(root), "--json", "--no-cache", "-x", "pkg/**"]
    data = json.loads(runner.invoke(app, [*args, "--max-file-bytes", "100"]).stdout)
    reasons = {item["path"]: item["reason"] for item in data["skipped"]}
    assert reasons["pkg/"] == "excluded" and reasons["big.py"] == "too large"
    assert "vendor/" not in reasons  # -x replaces the default globs
