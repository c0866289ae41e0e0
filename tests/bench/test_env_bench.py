"""`bench env`: the environment of a tiny real instance is set up and its tests collect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bench_world import drop_blob, git, make_world
from typer.testing import CliRunner

from swe_agent.bench.env_bench import named_test_files
from swe_agent.cli import app


def test_named_test_files_come_in_first_seen_order() -> None:
    row = {
        "FAIL_TO_PASS": '["a/test_x.py::t1", "b/test_y.py::t"]',
        "PASS_TO_PASS": ["a/test_x.py::t2"],
    }
    assert named_test_files(row) == ("a/test_x.py", "b/test_y.py")


def test_bare_test_names_take_the_test_patch_files() -> None:
    files = ("sympy/core/tests/test_basic.py", "sympy/core/tests/data.txt")
    patch = "".join(f"diff --git a/{p} b/{p}\n--- a/{p}\n+++ b/{p}\n@@ -1 +1 @@\n-a\n+b\n"
                    for p in files)  # fmt: skip
    row = {"FAIL_TO_PASS": '["test_subs"]', "PASS_TO_PASS": "[]", "test_patch": patch}
    assert named_test_files(row) == ("sympy/core/tests/test_basic.py",)


@pytest.mark.docker
def test_bench_env_sets_up_and_collects(tmp_path: Path, docker_image: str) -> None:
    world = make_world(tmp_path / "world")
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "env",
            str(world.dataset),
            "--repos",
            str(world.mirrors),
            "--work",
            str(tmp_path / "work"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index('{\n  "rows"') :])
    assert report["summary"]["success"] == 1
    assert report["rows"][0]["collected"] >= 1


@pytest.mark.docker
def test_bench_env_clones_from_the_url_template_and_fills_blobs(
    tmp_path: Path, docker_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No mirror: cloned from --repo-url-template. A mirror lacking a test file: --blobs has it."""
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))
    world = make_world(tmp_path / "world")
    (tmp_path / "empty").mkdir()
    template = f"file://{world.mirrors}/{{owner}}+{{name}}/repo"
    args = ["bench", "env", str(world.dataset), "--json"]
    source = ["--repos", str(tmp_path / "empty"), "--repo-url-template", template]
    cloned = CliRunner().invoke(app, [*args, "--work", str(tmp_path / "w1"), *source])
    assert _report(cloned.output)["summary"]["success"] == 1, cloned.output
    assert (tmp_path / "cache" / "mirrors" / "octo+tinycalc" / "repo" / "HEAD").is_file()

    bare = world.mirrors / "octo+tinycalc" / "repo"
    git(bare, "repack", "-qad")
    drop_blob(bare, git(bare, "rev-parse", f"{world.base}:tests/test_stats.py"))
    args += ["--repos", str(world.mirrors)]
    without = CliRunner().invoke(app, [*args, "--work", str(tmp_path / "w2")])
    assert _report(without.output)["summary"]["success"] == 0, without.output  # no test file
    blobs = str(tmp_path / "world" / "src" / "tests")  # the source tree has the file
    filled = CliRunner().invoke(app, [*args, "--work", str(tmp_path / "w3"), "--blobs", blobs])
    assert _report(filled.output)["summary"]["success"] == 1, filled.output


def _report(output: str) -> dict[str, Any]:
    return json.loads(output[output.index('{\n  "rows"') :])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--repo-url-template", "https://example.org/no-placeholder"), ("--blobs", "absent")],
)
def test_bench_env_refuses_a_bad_template_or_blob_source(
    tmp_path: Path, option: str, value: str
) -> None:
    world = make_world(tmp_path / "world")
    args = ["bench", "env", str(world.dataset), "--repos", str(world.mirrors), option, value]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert option in result.output


def test_bench_env_without_a_mirror_and_no_clone_reports_the_row(tmp_path: Path) -> None:
    world = make_world(tmp_path / "world")
    (tmp_path / "mirrors").mkdir()
    args = ["bench", "env", str(world.dataset), "--repos", str(tmp_path / "mirrors"),
            "--repo-url-template", "", "--work", str(tmp_path / "work"), "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    row = _report(result.output)["rows"][0]
    assert row["success"] is False and "RepoNotAvailable: no git mirror" in row["error"]


def test_bench_env_bad_mirrors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["bench", "env", str(tmp_path / "d.jsonl"), "--repos", str(tmp_path / "none")]
    )
    assert result.exit_code == 2


def test_summary_gives_rate_times_and_each_repository() -> None:
    from swe_agent.bench.env_bench import EnvRow, summarize

    rows = [
        EnvRow("a-1", "o/a", True, "3.9", False, 100.0, 1, 5),
        EnvRow("a-2", "o/a", True, "3.9", True, 2.0, 1, 5),
        EnvRow("b-1", "o/b", False, None, False, 0.5, 1, 0, "RepoNotAvailable: no mirror"),
    ]
    summary = summarize(rows)
    assert summary["success"] == 2 and summary["success_rate"] == 0.667
    assert summary["mean_build_s"] == 100.0 and summary["mean_cache_hit_s"] == 2.0
    assert summary["per_repo"]["o/a"] == {
        "instances": 2,
        "success": 2,
        "cache_hits": 1,
        "mean_s": 51.0,
    }
    assert summary["per_repo"]["o/b"]["success"] == 0
