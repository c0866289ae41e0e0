"""The run summary carries the official harness's report keys, counted as it counts them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import GOLD, NOT_APPLYING, World, make_world, pred, write_preds
from typer.testing import CliRunner

from swe_agent.bench.eval_instance import EvalTask
from swe_agent.bench.evaluate import harness_counts

IDS = ("octo__tinycalc-1", "octo__tinycalc-2", "octo__tinycalc-3", "octo__tinycalc-4",
       "octo__tinycalc-5")  # fmt: skip
HARNESS_KEYS = (
    "total_instances", "submitted_instances", "completed_instances", "resolved_instances",
    "unresolved_instances", "empty_patch_instances", "error_instances", "completed_ids",
    "incomplete_ids", "empty_patch_ids", "submitted_ids", "resolved_ids", "unresolved_ids",
    "error_ids", "schema_version",
)  # fmt: skip


def _task(instance_id: str, patch: str | None) -> EvalTask:
    at = Path("/nowhere")
    return EvalTask(instance={"instance_id": instance_id}, model_patch=patch, model_name="m",
                    digest="d", out_dir=at, mirrors=at, work_dir=at, lock_dir=at)  # fmt: skip


def test_counts_follow_the_harness() -> None:
    tasks = [_task("a", GOLD), _task("b", "x"), _task("c", "y"), _task("d", ""), _task("e", None)]
    rows = {
        "a": {"instance_id": "a", "resolved": True},
        "b": {"instance_id": "b", "resolved": False},
        "c": {"instance_id": "c", "resolved": False, "error": "patch did not apply"},
        "d": {"instance_id": "d", "resolved": False},
        "e": {"instance_id": "e", "resolved": False, "error": "an error of an empty patch"},
    }
    counts = harness_counts(["a", "b", "c", "d", "e", "f"], tasks=tasks, rows=rows)
    assert tuple(counts) == HARNESS_KEYS
    assert counts["total_instances"] == 6 and counts["submitted_instances"] == 5
    assert counts["resolved_ids"] == ["a"] and counts["unresolved_ids"] == ["b"]
    assert counts["completed_ids"] == ["a", "b"] and counts["error_ids"] == ["c"]
    # Empty or absent patches are neither completed nor unresolved nor errors.
    assert counts["empty_patch_ids"] == ["d", "e"] and counts["empty_patch_instances"] == 2
    assert counts["incomplete_ids"] == ["f"]  # selected, no prediction
    assert counts["schema_version"] == 2


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, docker_image: str) -> World:
    return make_world(tmp_path_factory.mktemp("harness"), IDS)


@pytest.mark.docker
def test_eval_json_is_one_object_with_our_keys_and_the_harness_keys(
    world: World, tmp_path: Path
) -> None:
    preds = write_preds(
        tmp_path / "preds.jsonl",
        [pred(IDS[0], GOLD), pred(IDS[1], NOT_APPLYING), pred(IDS[2], ""), pred(IDS[3], None)],
    )
    from swe_agent.cli import app

    args = ["bench", "eval", str(world.dataset), "-p", str(preds), "--out", str(tmp_path / "e"),
            "--repos", str(world.mirrors), "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)  # the whole of stdout is one JSON object
    assert summary["resolved"] == [IDS[0]] and IDS[1] in summary["errors"]  # ours
    assert summary["resolved_ids"] == [IDS[0]] and summary["error_ids"] == [IDS[1]]
    assert summary["empty_patch_ids"] == [IDS[2], IDS[3]] and summary["completed_instances"] == 1
    assert summary["incomplete_ids"] == [IDS[4]] and summary["total_instances"] == 5
    assert summary == json.loads((tmp_path / "e" / "summary.json").read_text())
    report = json.loads((tmp_path / "e" / IDS[0] / "report.json").read_text())
    assert report[IDS[0]]["resolved"] is True
