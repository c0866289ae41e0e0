"""What solve checks and says before any work: budgets that cannot hold, issues too long to send."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from solve_replies import FIX, SUBMIT, local_options

from swe_agent.agent.trajectory import read_events
from swe_agent.errors import BadInput
from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve
from swe_agent.solve.preflight import CALLS_PER_ITERATION, preflight


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def test_a_budget_on_a_model_without_a_price_caps_its_calls(
    calc_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    options = SolveOptions(
        repo=calc_repo, issue="x", model="openai/my-own-model", budget_usd=1.0, iterations=7
    )
    checked = preflight(options)
    assert checked.options.max_calls == CALLS_PER_ITERATION * 7
    assert any("cannot stop this model" in note and "--max-calls" in note for note in checked.notes)
    # A cap the user chose stays; a priced model needs none.
    mine = preflight(options.model_copy(update={"max_calls": 3}))
    assert mine.options.max_calls == 3
    priced = preflight(options.model_copy(update={"model": "openai/gpt-4o-mini"}))
    assert priced.options.max_calls is None and priced.notes == ()


class _Chatty(BaseHTTPRequestHandler):
    """An OpenAI-compatible server whose model never writes a code block (every reply is a
    format error, re-asked), and whose calls litellm has no price for."""

    calls = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).calls += 1
        reply = {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "my-own-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Let me think about it."},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 900, "completion_tokens": 9, "total_tokens": 909},
        }
        body = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def chatty_server() -> Iterator[str]:
    _Chatty.calls = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Chatty)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_the_budget_holds_on_a_model_that_costs_nothing(
    calc_repo: Path, issue_text: str, chatty_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: every call counted $0, so --budget 0.01 never stopped the run (4 calls a step:
    # one and three re-asks, 6 steps, 24 calls).
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", chatty_server)
    options = local_options(
        calc_repo, issue_text, model="openai/my-own-model", budget_usd=0.01, iterations=6
    )
    report = solve(options)
    assert report.cost_usd == 0.0
    assert report.model_calls == _Chatty.calls <= CALLS_PER_ITERATION * 6
    assert report.search["stop_reason"] == "max_calls"
    assert any("cannot stop this model" in note for note in report.notes)


def test_a_huge_issue_is_kept_whole_on_disk_and_sent_bounded(
    calc_repo: Path, issue_text: str
) -> None:
    log = "".join(f"DEBUG 2024-01-01 worker {i}: nothing to see here\n" for i in range(25_000))
    issue = issue_text + "\nFull log:\n" + log + "The end of the log.\n"
    assert len(issue) > 1_000_000
    report = solve(local_options(calc_repo, issue), model=get_model([FIX, SUBMIT]))
    assert report.status == "resolved"
    run = Path(report.run_dir)
    assert (run / "issue.md").read_text() == issue
    calls = [e for e in read_events(run / "trajectory.jsonl") if e["type"] == "model_call"]
    assert len(calls) == 2
    for call in calls:
        sent = "".join(m["content"] for m in call["messages"])
        assert len(sent) < 40_000  # before: the whole 1 MB on every call
        assert "median() returns the wrong value" in sent and "The end of the log." in sent
        assert "characters of the issue are left out here" in sent
    # Before: 4.2 MB after 2 calls (the issue in every call's messages and in the options).
    assert (run / "trajectory.jsonl").stat().st_size < 300_000
    assert any(f"{len(issue):,} characters" in note and "issue.md" in note for note in report.notes)


def test_a_bad_commit_is_refused_before_the_run_folder(calc_repo: Path, issue_text: str) -> None:
    options = local_options(calc_repo, issue_text, commit="not-a-revision")
    with pytest.raises(BadInput, match="not-a-revision"):
        solve(options, model=get_model([FIX, SUBMIT]))
    assert not (calc_repo / ".swe-agent").exists()
