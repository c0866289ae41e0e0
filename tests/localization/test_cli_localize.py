from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from swe_agent.cli import app

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_localize_json(shop_root: Path) -> None:
    result = runner.invoke(
        app, ["localize", "--repo", str(shop_root), "--issue", "`Cart.subtotal` is wrong", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"files", "classes", "functions"}
    assert data["functions"][0]["id"] == "shop/cart.py:Cart.subtotal"
    assert data["files"][0]["id"] == "shop/cart.py"
    assert data["classes"][0]["reasons"]


def test_localize_issue_from_file_and_top(shop_root: Path, tmp_path: Path) -> None:
    issue = tmp_path / "issue.md"
    issue.write_text("shop/io/export.py: write_csv drops the header", encoding="utf-8")
    result = runner.invoke(
        app, ["localize", "--repo", str(shop_root), "--issue", f"@{issue}", "--top", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "shop/io/export.py" in result.stdout
    assert "Functions" in result.stdout


def test_bad_repo_exits_2_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["localize", "--repo", str(tmp_path / "missing"), "--issue", "x"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "does not exist" in _flat(result.output)


def test_missing_issue_file_exits_2(shop_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["localize", "--repo", str(shop_root), "--issue", f"@{tmp_path / 'none.md'}"]
    )
    assert result.exit_code == 2
    assert "does not exist" in _flat(result.output)


def test_empty_issue_exits_2(shop_root: Path) -> None:
    result = runner.invoke(app, ["localize", "--repo", str(shop_root), "--issue", "  "])
    assert result.exit_code == 2
    # Before: "Bad repository: the issue text is empty".
    assert "Bad issue" in result.output and "Bad repository" not in result.output


def test_an_issue_folder_or_empty_file_says_so(shop_root: Path, tmp_path: Path) -> None:
    # Before: `--issue @somedir` said the file "does not exist".
    result = runner.invoke(app, ["localize", "--repo", str(shop_root), "--issue", f"@{tmp_path}"])
    assert result.exit_code == 2 and "is a directory" in _flat(result.output)
    (tmp_path / "empty.md").write_text("\n")
    empty = f"@{tmp_path / 'empty.md'}"
    result = runner.invoke(app, ["localize", "--repo", str(shop_root), "--issue", empty])
    assert result.exit_code == 2 and "is empty" in _flat(result.output)


def test_errors_are_one_json_object_with_json(shop_root: Path) -> None:
    args = ["localize", "--repo", str(shop_root), "--issue", " ", "--json"]
    failure = json.loads(runner.invoke(app, args).stdout)
    assert failure["error"]["title"] == "Bad issue" and failure["error"]["exit_code"] == 2
