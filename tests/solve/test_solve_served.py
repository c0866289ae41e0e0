"""Opt-in: the hosted path for real. The embedded model served by llama-cpp-python's
OpenAI-compatible server on loopback, reached through litellm as openai/NAME with api_base,
with the model judge and the vote on."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from search import Node
from swe_agent.agent.judge import ModelJudge, ModelVote
from swe_agent.agent.trajectory import Trajectory, read_events
from swe_agent.models import CATALOG, default_models_dir, get_model
from swe_agent.solve import SolveOptions, solve

NAME = "qwen2.5-coder-0.5b"  # the small model, whichever is the default
DIFFS = {  # two finished changes of the example's median: the right one and the mean
    "right": "--- a/calculator/stats.py\n+++ b/calculator/stats.py\n@@ -10,2 +10,4 @@\n"
    "-    return sum(values) / len(values)\n+    ordered = sorted(values)\n"
    "+    middle = len(ordered) // 2\n"
    "+    return (ordered[middle - 1] + ordered[middle]) / 2\n",
    "mean": "--- a/calculator/stats.py\n+++ b/calculator/stats.py\n@@ -10,2 +10,2 @@\n"
    "-    return ordered[len(ordered) // 2]\n+    return sum(values) / len(values)\n",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the model server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=5) as response:
                if NAME in response.read().decode():
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"the model server did not answer at {url} within {timeout_s:.0f} s")


@pytest.fixture
def served(model_tests: None, tmp_path: Path) -> Iterator[str]:
    """``swe-agent models serve`` on a free loopback port (opt-in: ``model_tests``); yields
    its api_base."""
    if not (default_models_dir() / CATALOG[NAME].filename).is_file():
        pytest.fail(f"needs the embedded model: swe-agent models pull {NAME}")
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    command = [sys.executable, "-m", "swe_agent", "models", "serve", NAME, "--port", str(port)]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(url, server, timeout_s=180)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_solve_through_a_served_model_with_judge_and_vote(
    served: str, calc_repo: Path, issue_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")  # the server checks no key
    options = SolveOptions(
        repo=calc_repo,
        issue=issue_text,
        model=f"openai/{NAME}",
        api_base=served,
        judge="on",
        sandbox="local",
        setup_env=False,
        max_calls=4,  # a few calls: the path is under test here, not the solving
        wall_time_s=400,
    )
    report = solve(options)
    run = Path(report.run_dir)
    calls = [e for e in read_events(run / "trajectory.jsonl") if e["type"] == "model_call"]
    assert report.model == f"openai/{NAME}" and calls
    assert all(e["model"] == f"openai/{NAME}" for e in calls)
    assert report.tokens.input > 0 and report.cost_usd == 0.0  # counted by the server
    assert report.status in ("resolved", "submitted", "unfinished"), report.search
    # Changed states were graded by the model against the rubric, through the server, each
    # at most once (the last ones go ungraded when the cap on calls or the wall time is spent:
    # at load 20-60 one call took 200 s).
    tree = json.loads((run / "tree.json").read_text())
    state_of = {n["id"]: n["state"] for n in tree["nodes"]}
    changed = {n["state"] for n in tree["nodes"] if n["state"] != state_of[0]}
    judged = [state_of[e["parent"]] for e in calls if e.get("role") == "judge"]
    assert len(judged) == len(set(judged)) and set(judged) <= changed
    assert judged or not changed or report.elapsed_s >= 400
    assert len(calls) <= 4  # judge and vote calls count against the cap


@pytest.mark.model
@pytest.mark.timeout(300)
def test_the_judge_and_the_vote_ask_the_served_model(
    served: str, tmp_path: Path, issue_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The judge and the vote, on two fixed diffs, through litellm and the server: whatever
    the small model answers, each is one recorded call and the vote picks a finalist (a solve
    run reaches them only when the model changes a file within its cap)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    model = get_model(f"openai/{NAME}", api_base=served)
    root = Node(0, "base")
    right = Node(1, "right", parent=root, tests={"reproduction": True, "fixed": ["test_even"]})
    mean = Node(2, "mean", parent=root, tests={"reproduction": True, "fixed": ["test_even"]})
    with Trajectory(tmp_path / "t.jsonl") as traj:
        judge = ModelJudge(model, issue=issue_text, diff_of=DIFFS.__getitem__, trajectory=traj)
        vote = ModelVote(model, issue=issue_text, diff_of=DIFFS.__getitem__, trajectory=traj)
        reward = judge.evaluate(right)
        pick = vote([right, mean])
    calls = [e for e in read_events(tmp_path / "t.jsonl") if e["type"] == "model_call"]
    assert [e["role"] for e in calls] == ["judge", "vote"]
    assert all(e["model"] == f"openai/{NAME}" for e in calls)
    assert reward is None or -100 <= reward.value <= 100  # None: no readable SCORE line
    assert pick in (right, mean)
    assert model.usage.calls == 2 and model.usage.tokens_in > 0
