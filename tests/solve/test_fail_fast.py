"""`solve --json` as a CI bot runs it: every bad input fails before any work, as one JSON
object on stdout, and a provider's refusal is not retried as if it were an outage.

The commands run as subprocesses of the installed console script (the real stdout, the real
exit code); the CPU time each takes is measured from the child's resource usage, which load
from other jobs on the machine does not inflate.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SWE_AGENT = Path(sys.executable).with_name("swe-agent")
LITELLM_CHATTER = ("Give Feedback", "Provider List", "LiteLLM.Info")


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    cpu_s: float  # user + system time of the child
    wall_s: float

    def one_object(self) -> dict[str, Any]:
        """stdout is exactly one JSON object (nothing before or after it)."""
        value = json.loads(self.stdout)
        assert isinstance(value, dict), self.stdout
        return value


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return env | {"SWE_AGENT_CACHE": str(cache), "LITELLM_LOCAL_MODEL_COST_MAP": "True"} | extra


def _run(args: list[str], env: dict[str, str], cwd: Path) -> Ran:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [str(SWE_AGENT), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Ran(done.returncode, done.stdout, done.stderr, cpu, wall)


def _solve(repo: Path, *flags: str) -> list[str]:
    return ["solve", "--repo", str(repo), "-i", "@ISSUE.md", "--sandbox", "local", "--json", *flags]


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache that already holds what litellm said about the specs below (as after any
    earlier run with them)."""
    from swe_agent.models import MissingCredentials, UnknownModel, check_model

    cache = tmp_path_factory.mktemp("cache")
    saved = os.environ.copy()
    os.environ.update(SWE_AGENT_CACHE=str(cache), LITELLM_LOCAL_MODEL_COST_MAP="True")
    os.environ.pop("OPENAI_API_KEY", None)
    try:
        for spec in ("openai/gpt-4o-mini", "nosuchprovider/some-model"):
            with pytest.raises((MissingCredentials, UnknownModel)):
                check_model(spec)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return cache


FAST_FAILURES = [
    (["-m", "openai/gpt-4o-mini"], "MissingCredentials", "OPENAI_API_KEY"),
    (["-m", "nosuchprovider/some-model"], "UnknownModel", "nosuchprovider"),
    (["-m", "no-such-model"], "UnknownModel", "no-such-model"),
    (["--max-calls", "0"], "BadInput", "max_calls"),
    (["--budget", "0"], "BadInput", "budget_usd"),
    (["--budget", "-1"], "BadInput", "budget_usd"),
    (["--iterations", "0"], "BadInput", "iterations"),
    (["--expansions", "0"], "BadInput", "expansions"),
    (["-c", "agent.max_format_errrors=2"], "BadInput", "max_format_errrors"),
    (["-c", "agent.system_template=nope.j2"], "BadInput", "nope.j2"),
    (["--commit", "no-such-rev"], "BadInput", "no-such-rev"),
    (["--iterations", "many"], "BadParameter", "--iterations"),
]


@pytest.mark.parametrize(("flags", "error", "named"), FAST_FAILURES)
def test_bad_input_fails_before_any_work_as_one_json_object(
    calc_repo: Path, warm_cache: Path, flags: list[str], error: str, named: str
) -> None:
    ran = _run(_solve(calc_repo, *flags), _env(warm_cache), calc_repo)
    failure = ran.one_object()
    assert ran.code == 2, ran.stderr
    assert failure["status"] == "error" and failure["error"]["type"] == error
    assert named in failure["error"]["message"]
    assert failure["error"]["hint"]
    # Before localization (it caches the graph in .swe-agent/) and before a run folder.
    assert not (calc_repo / ".swe-agent").exists()
    assert "Traceback" not in ran.stderr
    print(f"{' '.join(flags)}: {ran.cpu_s:.2f} s CPU, {ran.wall_s:.2f} s wall")
    assert ran.cpu_s < 5.0


@pytest.mark.slow
def test_a_missing_key_fails_fast_the_first_time_too(calc_repo: Path, tmp_path: Path) -> None:
    # No cache yet: litellm itself is asked (importing it is most of the time).
    ran = _run(_solve(calc_repo, "-m", "openai/gpt-4o-mini"), _env(tmp_path / "c"), calc_repo)
    assert ran.code == 2 and ran.one_object()["error"]["type"] == "MissingCredentials"
    assert not (calc_repo / ".swe-agent").exists()
    assert not any(chatter in ran.stdout + ran.stderr for chatter in LITELLM_CHATTER)
    print(f"cold: {ran.cpu_s:.2f} s CPU, {ran.wall_s:.2f} s wall")


def test_empty_or_unreadable_issue_files_say_what_is_wrong(
    calc_repo: Path, warm_cache: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    for issue, said in ((f"@{empty}", "is empty"), (f"@{tmp_path}", "is a directory")):
        args = ["solve", "--repo", str(calc_repo), "-i", issue, "--json"]
        failure = _run(args, _env(warm_cache), calc_repo).one_object()
        assert said in failure["error"]["message"]


class _Provider(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that refuses every request with the status it is given."""

    status = 401
    requests: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requests.append(self.path)
        body = json.dumps({"error": {"message": "Incorrect API key provided", "type": "x"}})
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def refusing_provider() -> Iterator[str]:
    _Provider.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_a_refused_key_is_not_retried_and_names_its_variable(
    calc_repo: Path, tmp_path: Path, refusing_provider: str
) -> None:
    env = _env(tmp_path / "c", OPENAI_API_KEY="sk-wrong", OPENAI_BASE_URL=refusing_provider)
    ran = _run(_solve(calc_repo, "-m", "openai/gpt-4o-mini", "--no-env"), env, calc_repo)
    failure = ran.one_object()  # litellm's banners used to come first, on stdout
    assert ran.code == 1 and failure["error"]["type"] == "ModelCallFailed"
    assert "AuthenticationError" in failure["error"]["message"]
    assert "OPENAI_API_KEY" in failure["error"]["hint"]
    assert len(_Provider.requests) == 1  # before: 6 attempts over 44-57 s, "try later"
    assert not any(chatter in ran.stdout + ran.stderr for chatter in LITELLM_CHATTER)
