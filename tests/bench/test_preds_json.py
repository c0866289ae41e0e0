"""`bench run` writes preds.json (keyed by instance id) next to preds.jsonl; both read back."""

from __future__ import annotations

import json
from pathlib import Path

from bench_world import FIX, SUBMIT, make_world

from swe_agent.bench import load_instances
from swe_agent.bench.batch import RunOptions, run_batch
from swe_agent.bench.journal import read_lines
from swe_agent.bench.predictions import load_predictions

LOCAL = {"search": "linear", "sandbox": "local", "setup_env": False, "iterations": 6}
IDS = ("octo__tinycalc-1", "octo__tinycalc-2")


def test_preds_json_is_keyed_by_id_and_reads_like_the_jsonl(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS)
    out = tmp_path / "out"
    options = RunOptions(out=out, mirrors=world.mirrors, model=(FIX, SUBMIT), solve=dict(LOCAL))
    instances = load_instances(world.dataset)
    result = run_batch(instances[:1], options)
    assert result["preds_json"] == str(out / "preds.json")
    keyed = json.loads((out / "preds.json").read_text())
    assert list(keyed) == [IDS[0]]
    assert keyed[IDS[0]] == next(read_lines(out / "preds.jsonl"))
    run_batch(instances, options)  # resumed: the second instance joins the first
    keyed = json.loads((out / "preds.json").read_text())
    assert sorted(keyed) == list(IDS)
    from_json, problems = load_predictions(str(out / "preds.json"), instances=instances)
    from_jsonl, _ = load_predictions(str(out / "preds.jsonl"), instances=instances)
    assert from_json == from_jsonl and not problems
