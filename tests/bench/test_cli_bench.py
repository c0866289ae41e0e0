from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from swe_agent.cli import app

runner = CliRunner()


def _flat(text: str) -> str:
    return " ".join(text.split())


PATCH = """diff --git a/pkg/mod.py b/pkg/mod.py
--- a/pkg/mod.py
+++ b/pkg/mod.py
@@ -1,2 +1,2 @@
 def f():
-    return 1
+    return 2
"""


def _dataset(tmp_path: Path, mirror) -> Path:
    rows = [
        {
            "instance_id": "octo__demo-1",
            "repo": mirror.repo,
            "base_commit": mirror.first,
            "problem_statement": "`f` in pkg/mod.py returns 1, it should return 2",
            "patch": PATCH,
        },
        {
            "instance_id": "absent__repo-1",
            "repo": "absent/repo",
            "base_commit": mirror.first,
            "problem_statement": "x",
            "patch": PATCH,
        },
        {  # a base commit the mirror lacks (it lived on a fork): skipped, not an error
            "instance_id": "octo__demo-2",
            "repo": mirror.repo,
            "base_commit": "f" * 40,
            "problem_statement": "x",
            "patch": PATCH,
        },
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_bench_localize_json(mirror, tmp_path: Path) -> None:
    args = ["bench", "localize", str(_dataset(tmp_path, mirror)), "--repos", str(mirror.mirrors)]
    args += ["--cache-dir", str(tmp_path / "cache"), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"] == {"ok": 1, "skipped": 2}
    ours = data["aggregates"]["ours"]
    assert ours["file Acc@1"] == {"acc": 1.0, "counted": 1, "no_gold": 0}
    assert ours["function Acc@5"]["acc"] == 1.0
    assert ours["class Acc@5"] == {"acc": None, "counted": 0, "no_gold": 1}
    assert "file Acc@1" in data["aggregates"]["bm25"]
    row = data["rows"][0]
    assert row["gold"]["functions"] == ["pkg/mod.py:f"]
    assert set(row["timings"]) >= {"graph", "index", "localize"}
    assert data["rows"][1]["status"] == "skipped"
    assert data["rows"][2]["status"] == "skipped"
    assert "commit ffffffffffff is not in the mirror" in data["rows"][2]["note"]


def test_bench_localize_table(mirror, tmp_path: Path) -> None:
    args = ["bench", "localize", str(_dataset(tmp_path, mirror)), "--repos", str(mirror.mirrors)]
    result = runner.invoke(app, [*args, "--cache-dir", str(tmp_path / "c"), "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "function Acc@10" in result.stdout and "100.0%" in result.stdout
    assert "not run" not in result.stdout
    # Without --limit the two instances that cannot run are listed with their reasons.
    result = runner.invoke(app, [*args, "--repo-url-template", "", "--cache-dir", str(tmp_path)])
    text = _flat(result.stdout)
    assert "instances: ok 1, skipped 2" in text
    assert "not run: no mirror of absent/repo (1)" in text
    assert f"base commit missing from the {_flat(mirror.repo)} mirror (1)" in text


def test_bench_localize_by_category(mirror, tmp_path: Path) -> None:
    """Loc-Bench's ``category`` labels get their own aggregates, in the JSON and the table."""
    path = _dataset(tmp_path, mirror)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row, label in zip(rows, ("Bug Report", "Bug Report", "Feature Request"), strict=True):
        row["category"] = label
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = ["bench", "localize", str(path), "--repos", str(mirror.mirrors), "--repo-url-template"]
    args += ["", "--cache-dir", str(tmp_path / "cache")]
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    bug = data["by_category"]["Bug Report"]["ours"]["file Acc@5"]
    assert bug == {"acc": 1.0, "counted": 1, "no_gold": 0}
    assert data["by_category"]["Feature Request"]["ours"]["file Acc@5"]["counted"] == 0
    text = _flat(runner.invoke(app, args).stdout)
    assert "By issue category" in text and "Bug Report" in text


def test_bench_bad_inputs_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "localize", str(tmp_path / "no.jsonl"), "--repos", "."])
    assert result.exit_code == 2 and "does not exist" in _flat(result.output)
    result = runner.invoke(
        app, ["bench", "localize", str(tmp_path), "--repos", str(tmp_path / "none")]
    )
    assert result.exit_code == 2 and "not a directory" in _flat(result.output)


def test_bench_localize_workers_match_one_process(mirror, tmp_path: Path) -> None:
    """--workers 2 runs instances in worker processes: the same rows, in the input order."""
    args = ["bench", "localize", str(_dataset(tmp_path, mirror)), "--repos", str(mirror.mirrors)]
    args += ["--repo-url-template", "", "--cache-dir", str(tmp_path / "cache"), "--json"]
    one = json.loads(runner.invoke(app, args).stdout)
    result = runner.invoke(app, [*args, "--workers", "2"])
    assert result.exit_code == 0, result.output
    two = json.loads(result.stdout)

    def strip(rows: list[dict]) -> list[dict]:
        return [{k: v for k, v in row.items() if k != "timings"} for row in rows]

    assert strip(two["rows"]) == strip(one["rows"])
    assert two["aggregates"] == one["aggregates"]
    bad = runner.invoke(app, [*args, "--workers", "0"])
    assert bad.exit_code == 2 and "--workers 0 must be at least 1" in _flat(bad.output)


def test_example_runner_pickles_for_workers() -> None:
    """Worker processes get the example runner by pickling; building it starts no sandbox."""
    import pickle

    from swe_agent.example_trace import sandbox_runner

    runner_ = pickle.loads(pickle.dumps(sandbox_runner(["img:a", "img:b"], timeout_s=5)))
    assert runner_.args == (("img:a", "img:b"), 5)


def test_bench_run_checks_its_options_and_model_before_any_work(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    row = {"instance_id": "o__r-1", "repo": "o/r", "base_commit": "0" * 40,
           "problem_statement": "x", "patch": PATCH}  # fmt: skip
    dataset = tmp_path / "d.jsonl"
    dataset.write_text(json.dumps(row) + "\n")
    out = tmp_path / "out"
    base = ["bench", "run", str(dataset), "--repos", str(tmp_path), "--out", str(out), "--json"]
    for flags, named in (
        (["-m", "replay:x", "--iterations", "0"], "iterations"),
        (["-m", "replay:x", "--budget-usd", "0"], "--budget-usd"),
        (["-m", "replay:x", "--limit", "0"], "--limit"),
        (["-m", "nosuchprovider/x"], "nosuchprovider"),
        (["-m", "openai/gpt-4o-mini"], "OPENAI_API_KEY"),
    ):
        result = runner.invoke(app, [*base, *flags])
        assert result.exit_code == 2, result.output
        assert named in json.loads(result.stdout)["error"]["message"]
        assert not out.exists()  # no output folder, no instance started
