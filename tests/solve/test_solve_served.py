"""Opt-in: the hosted path for real. The embedded model served by llama-cpp-python's
OpenAI-compatible server on loopback, reached through litellm as openai/NAME with api_base,
with the model judge and the vote on."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from swe_agent.agent.trajectory import read_events
from swe_agent.models import CATALOG, default_models_dir
from swe_agent.solve import SolveOptions, solve

NAME = "qwen2.5-coder-0.5b"  # the small model, whichever is the default


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
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """``swe-agent models serve`` on a free loopback port; yields its api_base."""
    if "model" not in (request.config.getoption("-m") or "") and not os.environ.get(
        "SWE_AGENT_MODEL_TESTS"
    ):
        pytest.skip("opt-in: pass -m model or set SWE_AGENT_MODEL_TESTS=1")
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


@pytest.mark.full
@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timeout(1200)
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
        max_calls=12,
        wall_time_s=600,
    )
    report = solve(options)
    run = Path(report.run_dir)
    calls = [e for e in read_events(run / "trajectory.jsonl") if e["type"] == "model_call"]
    assert report.model == f"openai/{NAME}" and calls
    assert all(e["model"] == f"openai/{NAME}" for e in calls)
    assert report.tokens.input > 0 and report.cost_usd == 0.0  # counted by the server
    assert report.status in ("resolved", "submitted", "unfinished"), report.search
    # Every changed state was graded once by the model against the rubric, through the server.
    tree = json.loads((run / "tree.json").read_text())
    base = tree["nodes"][0]["state"]
    changed = {n["state"] for n in tree["nodes"] if n["state"] != base}
    judged = [e for e in calls if e.get("role") == "judge"]
    assert len(judged) == len(changed)
    assert len(calls) <= 12  # judge and vote calls count against the cap
