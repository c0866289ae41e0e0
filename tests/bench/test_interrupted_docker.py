"""`bench run` and `bench eval` killed mid-instance, with SIGTERM (as `timeout` does) and with
SIGKILL (to the whole process group, workers and docker clients included): no container is left
running 60 s later (for SIGKILL, once the next command of the tool has started), and resuming
finishes the batch with every finished result kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bench_world import FIX, GOLD, SUBMIT, TEST_PATCH, World, make_world, pred, write_preds

from swe_agent.bench.journal import Journal, read_lines

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
IDS = ("octo__tinycalc-1", "octo__tinycalc-2")
SLOW_ACTION = "Look first.\n```python\nimport time\ntime.sleep(40)\nview('tinycalc/stats.py')\n```"
SLOW_TEST = (
    "diff --git a/tests/test_slow.py b/tests/test_slow.py\n"
    "new file mode 100644\n"
    "--- /dev/null\n"
    "+++ b/tests/test_slow.py\n"
    "@@ -0,0 +1,5 @@\n"
    "+import time\n"
    "+\n"
    "+\n"
    "+def test_slow():\n"
    "+    time.sleep(40)\n"
)


def _cli(*args: str) -> subprocess.Popen[bytes]:
    """The real command line (SIGTERM handling included), in a process group of its own."""
    argv = [sys.executable, "-m", "swe_agent", *args]
    return subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def _descendants(pid: int) -> set[int]:
    """``pid`` and every process below it (read from /proc)."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    parents[int(name)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found


def _running_containers_of(pid: int) -> list[Any]:
    """Running sandbox containers whose owner is ``pid`` or one of its workers."""
    from sandbox.docker_backend import connect

    tree = {str(p) for p in _descendants(pid)}
    listed = connect().containers.list(filters={"label": "swe-agent.sandbox=1"})
    return [c for c in listed if c.labels.get("swe-agent.owner", "").rpartition(":")[2] in tree]


def _wait_for(what: str, check: Callable[[], Any], *, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def _mid_instance(proc: subprocess.Popen[bytes], started: Callable[[], bool]) -> list[Any]:
    """Wait until the second instance runs in a container; that container (and any other)."""

    def ready() -> list[Any]:
        assert proc.poll() is None, (proc.stderr.read() if proc.stderr else b"").decode()
        return _running_containers_of(proc.pid) if started() else []

    containers = _wait_for("the second instance's container", ready, timeout=900)
    time.sleep(5)  # well inside the slow step (40 s)
    return containers


def _none_running(containers: list[Any]) -> bool:
    import docker

    for container in containers:
        try:
            container.reload()
        except docker.errors.NotFound:
            continue
        if container.status == "running":
            return False
    return True


def _interrupt_then_kill(
    start: Callable[[], subprocess.Popen[bytes]], started_second: Callable[[], bool]
) -> subprocess.Popen[bytes]:
    """SIGTERM mid-instance, then (resumed) SIGKILL mid-instance; returns the final resume."""
    first = start()
    containers = _mid_instance(first, started_second)
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=120) == 130  # interrupted, as by Ctrl-C
    _wait_for("no running container after SIGTERM", lambda: _none_running(containers), timeout=60)
    second = start()
    containers = _mid_instance(second, started_second)
    os.killpg(second.pid, signal.SIGKILL)  # no clean-up code runs anywhere in the group
    second.wait()
    last = start()  # the next command of the tool
    _wait_for("no running container after SIGKILL", lambda: _none_running(containers), timeout=60)
    return last


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, docker_image: str) -> World:
    return make_world(tmp_path_factory.mktemp("killed"), IDS)


@pytest.mark.full
def test_bench_run_killed_leaves_nothing_running_and_resumes(world: World, tmp_path: Path) -> None:
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    calls = [{"type": "model_call", "response": r} for r in (SLOW_ACTION, FIX, SUBMIT)]
    (recorded / "trajectory.jsonl").write_text("".join(json.dumps(c) + "\n" for c in calls))
    out = tmp_path / "run"
    args = ["bench", "run", str(world.dataset), "--model", f"replay:{recorded}", "--out",
            str(out), "--repos", str(world.mirrors), "--search", "linear",
            "--iterations", "4"]  # fmt: skip
    journal = Journal(out / "journal.jsonl")

    def second_started() -> bool:
        return IDS[0] in journal.finished() and journal.starts(IDS[1]) > 0

    last = _interrupt_then_kill(lambda: _cli(*args), second_started)
    assert last.wait(timeout=900) == 0, (last.stderr.read() if last.stderr else b"").decode()
    assert journal.finished() == set(IDS)
    assert journal.starts(IDS[0]) == 1  # finished before the first kill, never run again
    preds = {p["instance_id"]: p for p in read_lines(out / "preds.jsonl")}
    assert set(preds) == set(IDS) and all(
        "return (ordered" in p["model_patch"] for p in preds.values()
    )


@pytest.mark.full
def test_bench_eval_killed_leaves_nothing_running_and_resumes(world: World, tmp_path: Path) -> None:
    slow = world.dataset.with_name("slow.jsonl")
    rows = [json.loads(line) for line in world.dataset.read_text().splitlines()]
    rows[1]["test_patch"] = TEST_PATCH + SLOW_TEST  # the second instance's tests take 40 s
    rows[1]["PASS_TO_PASS"] = json.dumps([*json.loads(rows[1]["PASS_TO_PASS"]),
                                          "tests/test_slow.py::test_slow"])  # fmt: skip
    slow.write_text("".join(json.dumps(r) + "\n" for r in rows))
    preds = write_preds(tmp_path / "preds.jsonl", [pred(i, GOLD) for i in IDS])
    out = tmp_path / "eval"
    args = ["bench", "eval", str(slow), "--predictions", str(preds), "--repos",
            str(world.mirrors), "--out", str(out), "--timeout", "300"]  # fmt: skip

    report = out / IDS[0] / "report.json"
    written: list[int] = []

    def second_started() -> bool:
        if report.is_file() and not written:
            written.append(report.stat().st_mtime_ns)
        return bool(written)

    last = _interrupt_then_kill(lambda: _cli(*args), second_started)
    assert last.wait(timeout=900) == 0, (last.stderr.read() if last.stderr else b"").decode()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["resolved"] == list(IDS)
    assert report.stat().st_mtime_ns == written[0]  # finished before the first kill, kept
