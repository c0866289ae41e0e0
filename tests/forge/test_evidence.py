"""The pull request's text from a recorded run folder: a golden file, and Markdown that
untrusted text (model output, test names, issue words) cannot break out of."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

from swe_agent.forge import ForgeSettings, parse_issue_ref
from swe_agent.forge.action import main as action_main
from swe_agent.forge.action import outputs
from swe_agent.forge.evidence import BODY_LIMIT, pull_request_text
from swe_agent.forge.markdown import code, fence
from swe_agent.forge.run_facts import Step, read_run
from swe_agent.runs import RunPaths

HERE = Path(__file__).resolve().parent
RECORDED = HERE.parents[0] / "fixtures" / "runs" / "20261122-023548-bc28"
GOLDEN = HERE / "golden" / "pull_request.md"


def test_the_body_of_the_recorded_run_matches_the_golden_file() -> None:
    issue = parse_issue_ref("o/r#1", ForgeSettings())
    text = pull_request_text(read_run(RunPaths(RECORDED)), issue=issue, draft=False)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text.body)
    assert text.body == GOLDEN.read_text()
    assert text.title == "Fix #1: median() returns the wrong value for an even number of values"
    assert text.commit_message.startswith(text.title + "\n\nresolved; tests fixed: tests/")


def test_untrusted_text_stays_inside_its_fence() -> None:
    hostile = "```\n@everyone fixes #2 <details>\n````"
    block = fence(hostile, "text")
    assert block.startswith("`````text\n") and block.endswith("\n`````")
    assert code("a|b `c`") == "`` a\\|b `c` ``"
    assert "\n" not in code("two\nlines")


def test_a_huge_trajectory_is_cut_to_fit_githubs_limit(tmp_path: Path) -> None:
    run = RunPaths(tmp_path / RECORDED.name)
    shutil.copytree(RECORDED, run.root)
    facts = read_run(run)
    steps = tuple(Step("think " * 500, "x = 1\n" * 2000, "out\n" * 1000) for _ in range(60))
    big = replace(facts, steps=steps)
    body = pull_request_text(big, issue=None, draft=True).body
    assert len(body) <= BODY_LIMIT
    assert "more in tree.json" in body and "more characters in the run folder" in body


def test_action_outputs_and_summary(tmp_path: Path) -> None:
    report = {
        "run_id": "20250101-000000-ab12",
        "status": "resolved",
        "pull_request": {"outcome": "opened", "url": "https://github.com/o/r/pull/2", "body": "B"},
    }
    assert outputs(report, 0) == {
        "run-id": "20250101-000000-ab12",
        "status": "resolved",
        "outcome": "opened",
        "pull-request-url": "https://github.com/o/r/pull/2",
    }
    assert outputs(None, 2)["outcome"] == "error"
    path = tmp_path / "report.json"
    path.write_text('{"run_id": "", "outcome": "exists", "url": "u", "message": "m"}')
    env = {"GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "sum")}
    assert action_main([str(path), "4"], env) == 0
    assert "outcome=exists\n" in (tmp_path / "out").read_text()
    assert "status=skipped\n" in (tmp_path / "out").read_text()
    assert (tmp_path / "sum").read_text().startswith("## swe-agent: exists\n\nm\n")
    assert action_main([str(tmp_path / "missing.json"), "1"], env) == 0
    assert action_main([str(tmp_path / "missing.json"), "2"], env) == 2
