"""`bench run`: solve a small dataset with scripted replies; journal, preds.jsonl and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench_world import FIX, SLOW_LOOK, SUBMIT, make_world

from swe_agent.bench import load_instances
from swe_agent.bench.batch import RunOptions, run_batch
from swe_agent.bench.journal import Event, Journal, read_lines

# The scripted replies are free-form actions: no rewrite requests in between.
LOCAL = {
    "search": "linear",
    "sandbox": "local",
    "setup_env": False,
    "iterations": 6,
    "agent": {"rewrite": False},
}
IDS = ("octo__tinycalc-1", "octo__tinycalc-2", "octo__tinycalc-3")


def _options(world, out: Path, replies: tuple[str, ...], **extra: object) -> RunOptions:  # type: ignore[no-untyped-def]
    return RunOptions(out=out, mirrors=world.mirrors, model=replies, solve=dict(LOCAL), **extra)  # type: ignore[arg-type]


def test_batch_writes_predictions_run_folders_and_journal(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS[:2])
    out = tmp_path / "out"
    instances = load_instances(world.dataset)
    result = run_batch(instances, _options(world, out, (FIX, SUBMIT)))
    assert result["finished"] == 2 and result["failed"] == 0 and result["not_finished"] == []
    preds = list(read_lines(out / "preds.jsonl"))
    assert sorted(p["instance_id"] for p in preds) == list(IDS[:2])
    assert all(p["model_name_or_path"] == "replay" for p in preds)
    assert all("+        return (ordered[middle - 1] + ordered[middle]) / 2" in p["model_patch"]
               for p in preds)  # fmt: skip
    for instance_id in IDS[:2]:
        run = out / "runs" / instance_id
        assert json.loads((run / "report.json").read_text())["status"] == "submitted"
        assert (run / "trajectory.jsonl").is_file()
    # The work folders share the mirror's objects instead of copying them.
    alternates = out / "repos" / IDS[0] / ".git" / "objects" / "info" / "alternates"
    assert "octo+tinycalc" in alternates.read_text()
    again = run_batch(instances, _options(world, out, (FIX, SUBMIT)))
    assert again["finished"] == 0 and again["skipped_finished"] == 2
    assert Journal(out / "journal.jsonl").starts(IDS[0]) == 1


def test_an_unfinished_run_predicts_its_best_state_marked_autosubmitted(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS[:1])
    out = tmp_path / "out"
    options = RunOptions(out=out, mirrors=world.mirrors, model=(FIX,),
                         solve={**LOCAL, "iterations": 1})  # fmt: skip
    result = run_batch(load_instances(world.dataset), options)
    assert result["finished"] == 1
    (pred,) = read_lines(out / "preds.jsonl")
    assert pred["autosubmitted"] is True
    assert "+        return (ordered[middle - 1] + ordered[middle]) / 2" in pred["model_patch"]
    last = Journal(out / "journal.jsonl").last_events()[IDS[0]]
    assert last["status"] == "unfinished" and last["autosubmitted"] is True
    report = json.loads((out / "runs" / IDS[0] / "report.json").read_text())
    assert report["autosubmitted"]["node"] == 1
    finished = run_batch(
        load_instances(world.dataset), _options(world, tmp_path / "o2", (FIX, SUBMIT))
    )
    assert finished["finished"] == 1
    assert "autosubmitted" not in next(iter(read_lines(tmp_path / "o2" / "preds.jsonl")))


def test_a_failing_instance_is_journaled_and_the_batch_goes_on(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS[:2])
    rows = [json.loads(line) for line in world.dataset.read_text().splitlines()]
    rows[0]["base_commit"] = "0" * 40  # not in the mirror
    world.dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out"
    result = run_batch(load_instances(world.dataset), _options(world, out, (FIX, SUBMIT)))
    assert result["failed"] == 1 and result["finished"] == 1
    last = Journal(out / "journal.jsonl").last_events()
    assert last[IDS[0]]["event"] == "failed" and "no commit" in last[IDS[0]]["error"]
    assert [p["instance_id"] for p in read_lines(out / "preds.jsonl")] == [IDS[1]]


def test_wall_time_budget_stops_new_instances(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS[:2])
    options = _options(world, tmp_path / "out", (FIX, SUBMIT), wall_time_s=0.0)
    result = run_batch(load_instances(world.dataset), options)
    assert result["finished"] == 0 and result["not_finished"] == list(IDS[:2])


def test_dollar_budget_spent_before_stops_new_instances(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS[:2])
    out = tmp_path / "out"
    instances = load_instances(world.dataset)
    assert run_batch(instances[:1], _options(world, out, (FIX, SUBMIT)))["finished"] == 1
    # What a billed model leaves in the journal (the replay model costs nothing).
    Journal(out / "journal.jsonl").record(IDS[0], Event.FINISHED, cost_usd=0.75)
    result = run_batch(instances, _options(world, out, (FIX, SUBMIT), budget_usd=0.5))
    assert result["not_finished"] == [IDS[1]] and result["cost_usd"] == 0.75
    assert Journal(out / "journal.jsonl").starts(IDS[1]) == 0


SCRIPT = """
import sys
from pathlib import Path
from swe_agent.bench import load_instances
from swe_agent.bench.batch import RunOptions, run_batch

if __name__ == "__main__":
    dataset, mirrors, out, replies = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    options = RunOptions(out=Path(out), mirrors=Path(mirrors), model=tuple(replies),
                         solve={"search": "linear", "sandbox": "local", "setup_env": False,
                                "iterations": 6, "agent": {"rewrite": False}})
    run_batch(load_instances(Path(dataset)), options)
"""


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _wait_gone(pids: list[int], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if Path(f"/proc/{p}").exists() and _state(p) != "Z"]
        time.sleep(0.2)
    assert not alive, f"pool processes outlived the batch: {alive}"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


@pytest.mark.slow
def test_resume_after_kill_reruns_nothing_finished_and_loses_nothing(tmp_path: Path) -> None:
    world = make_world(tmp_path, IDS)
    out = tmp_path / "out"
    script = tmp_path / "batch.py"
    script.write_text(SCRIPT)
    replies = (SLOW_LOOK, FIX, SUBMIT)
    argv = [sys.executable, str(script), str(world.dataset), str(world.mirrors), str(out), *replies]
    proc = subprocess.Popen(argv, start_new_session=True, cwd=Path(__file__).parents[2])
    journal = Journal(out / "journal.jsonl")
    deadline = time.monotonic() + 120
    while not journal.finished() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    workers = _children(proc.pid)
    assert workers  # the spawned pool (and its resource tracker)
    os.kill(proc.pid, signal.SIGKILL)  # the batch process only, mid-batch
    proc.wait()
    _wait_gone(workers)  # its pool processes die with it instead of solving on
    done_before = journal.finished()
    assert 1 <= len(done_before) < len(IDS)
    preds_before = {p["instance_id"]: p for p in read_lines(out / "preds.jsonl")}
    assert set(preds_before) >= done_before

    result = run_batch(load_instances(world.dataset), _options(world, out, replies))
    assert result["not_finished"] == [] and result["skipped_finished"] == len(done_before)
    for instance_id in done_before:
        assert journal.starts(instance_id) == 1  # never rerun
    preds = [p["instance_id"] for p in read_lines(out / "preds.jsonl")]
    assert sorted(preds) == list(IDS)  # one line each: nothing lost, nothing doubled
    for instance_id in done_before:
        kept = next(p for p in read_lines(out / "preds.jsonl") if p["instance_id"] == instance_id)
        assert kept == preds_before[instance_id]
