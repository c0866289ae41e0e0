"""swe-agent export: a run's branch as mini-swe-agent's and SWE-agent's trajectory files, read
back by mini-swe-agent's own inspector and checked against SWE-agent's documented types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal, NotRequired

import pytest
from conftest import PROSE
from pydantic import ConfigDict, TypeAdapter
from solve_replies import BREAK, FIX, LOOK, SUBMIT
from typer.testing import CliRunner
from typing_extensions import TypedDict

from swe_agent.cli import app
from swe_agent.export import ExportFormat, export_run, read_branch, write_export
from swe_agent.export.branch import read_json_lines
from swe_agent.runs import RunPaths

HERE = Path(__file__).resolve().parent
ACTIONS = [LOOK, FIX, SUBMIT]


def _code(reply: str) -> str:
    return reply.split("```python\n", 1)[1].rsplit("\n```", 1)[0]


def _mini_inspector(path: Path, config_dir: Path) -> dict[str, Any]:
    """What mini-swe-agent's inspector shows of ``path`` (in a subprocess: importing it loads
    its .env file into the process)."""
    env = {**os.environ, "MSWEA_SILENT_STARTUP": "1", "MSWEA_GLOBAL_CONFIG_DIR": str(config_dir)}
    done = subprocess.run(
        [sys.executable, str(HERE / "mini_inspector.py"), str(path)],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    return dict(json.loads(done.stdout))


def test_mini_export_opens_in_mini_swe_agents_inspector(linear_run: Path, tmp_path: Path) -> None:
    run = RunPaths(linear_run)
    path = write_export(export_run(run, fmt=ExportFormat.MINI), tmp_path)
    assert path.name == f"{run.run_id}.traj.json"
    shown = _mini_inspector(path, tmp_path / "mswea")
    # one page for the opening, then one per reply: look, the reply without code, fix, submit
    assert shown["n_steps"] == 5
    roles = [[role for role, _ in page] for page in shown["pages"]]
    assert roles[0] == ["system", "user"]
    assert roles[1:] == [["assistant", "user"]] * 3 + [["assistant", "user", "exit"]]
    texts = ["\n".join(text for _, text in page) for page in shown["pages"]]
    assert PROSE in texts[2] and "exactly one" in texts[2]  # re-asked, with the format error
    for page, reply in zip(texts[1:], [LOOK, PROSE, FIX, SUBMIT], strict=True):
        assert reply in page
    report = run.read_report()
    document = json.loads(path.read_text())
    info = document["info"]
    assert document["trajectory_format"] == "mini-swe-agent-1.1"
    assert info["exit_status"] == "Submitted" and info["submission"] == report["patch"]
    assert info["model_stats"] == {"instance_cost": 0.0, "api_calls": report["model_calls"]}
    actions = [m["extra"]["actions"] for m in document["messages"] if m["role"] == "assistant"]
    assert actions == [[{"command": _code(LOOK)}], [], [{"command": _code(FIX)}],
                       [{"command": _code(SUBMIT)}]]  # fmt: skip
    assert document["messages"][-1]["extra"]["exit_status"] == "Submitted"


# SWE-agent's trajectory types (sweagent/types.py at 3ea751c, 2026-07-16), which its
# inspectors read; it does not install from PyPI (the `sweagent` there is 0.0.1 of 2024).
class TrajectoryStep(TypedDict):
    __pydantic_config__ = ConfigDict(strict=True)  # type: ignore[misc]
    action: str
    observation: str
    response: str
    state: dict[str, str]
    thought: str
    execution_time: float
    query: list[dict[str, Any]]
    extra_info: dict[str, Any]


class HistoryItem(TypedDict):
    __pydantic_config__ = ConfigDict(strict=True)  # type: ignore[misc]
    role: str
    content: str | list[dict[str, Any]]
    # types.py says thought/action/observation; its own test trajectories (and SWE-agent's
    # agent) give the system prompt "system_prompt"
    message_type: Literal["thought", "action", "observation", "system_prompt"]
    agent: NotRequired[str]
    thought: NotRequired[str]
    action: NotRequired[str | None]


class ModelStats(TypedDict):
    __pydantic_config__ = ConfigDict(strict=True)  # type: ignore[misc]
    instance_cost: float
    tokens_sent: int
    tokens_received: int
    api_calls: int


class AgentInfo(TypedDict, total=False):
    model_stats: ModelStats
    exit_status: str | None
    submission: str | None


class TrajectoryFile(TypedDict):
    trajectory: list[TrajectoryStep]
    history: list[HistoryItem]
    info: AgentInfo
    replay_config: str | None
    environment: str


def test_swe_agent_export_has_swe_agents_shape(linear_run: Path, tmp_path: Path) -> None:
    run = RunPaths(linear_run)
    path = write_export(export_run(run, fmt=ExportFormat.SWE_AGENT), tmp_path)
    assert path.name == f"{run.run_id}.traj"
    document = json.loads(path.read_text())
    TypeAdapter(TrajectoryFile).validate_python(document)
    steps = document["trajectory"]
    assert [s["action"] for s in steps] == [_code(r) for r in ACTIONS]
    assert [s["response"] for s in steps] == ACTIONS
    assert steps[1]["thought"] == "Fix the even case."
    assert steps[1]["query"][-2:] == [
        {"role": "assistant", "content": PROSE},
        {"role": "user", "content": steps[1]["query"][-1]["content"]},
    ]
    info = document["info"]
    assert info["exit_status"] == "submitted" and info["submission"] == run.patch.read_text()
    assert info["model_stats"]["api_calls"] == 4
    # What its web inspector does on load: every assistant message has an action, and the
    # first user message is the problem statement.
    history = document["history"]
    assistant = [h for h in history if h["role"] == "assistant"]
    assert [h["action"] for h in assistant] == [_code(LOOK), "", _code(FIX), _code(SUBMIT)]
    assert history[0]["message_type"] == "system_prompt"
    assert "median" in next(h["content"] for h in history if h["role"] == "user")


def test_a_tree_exports_the_chosen_branch_with_its_siblings_note(tree_run: Path) -> None:
    run = RunPaths(tree_run)
    branch = read_branch(run)
    assert [s.code for s in branch.steps] == [_code(FIX), _code(SUBMIT)]
    document = json.loads(export_run(run, fmt=ExportFormat.MINI).text)
    contents = [m["content"] for m in document["messages"]]
    note = next(i for i, c in enumerate(contents) if "Other attempts" in c)
    assert contents[note + 1] == FIX and "- edit('calculator/stats.py'" in contents[note]  # BREAK
    assert all(c != BREAK for c in contents)


def test_a_node_option_exports_the_branch_to_that_node(tree_run: Path, tmp_path: Path) -> None:
    run = RunPaths(tree_run)
    done = export_run(run, fmt=ExportFormat.SWE_AGENT, node=1)
    assert (done.node, done.chosen, done.steps) == (1, False, 1)
    assert done.filename == f"{run.run_id}.node1.traj"
    document = json.loads(done.text)
    assert [s["action"] for s in document["trajectory"]] == [_code(BREAK)]
    assert document["info"]["exit_status"] == "submitted (exit_unfinished)"
    assert "return ordered[0]" in document["info"]["submission"]
    mini = json.loads(export_run(run, fmt=ExportFormat.MINI, node=1).text)
    assert mini["info"]["exit_status"] == "unfinished"


def test_jsonl_is_the_trajectory_cut_to_the_branch(tree_run: Path, tmp_path: Path) -> None:
    run = RunPaths(tree_run)
    path = write_export(export_run(run, fmt=ExportFormat.JSONL), tmp_path / "branch.jsonl")
    events = read_json_lines(path)
    whole = read_json_lines(run.trajectory)
    assert all(e in whole for e in events)
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert [e["node"] for e in events if e["type"] == "node"] == [2, 3]
    codes = [e["code"] for e in events if e["type"] == "action"]
    assert codes == [_code(FIX), _code(SUBMIT)]
    assert {"localization", "start"} <= {e["type"] for e in events}


def test_export_command(linear_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    run_id = linear_run.name
    repo = ["--repo", str(linear_run.parents[2])]
    done = runner.invoke(app, ["export", run_id[:15], *repo, "-f", "swe-agent", "--json"])
    assert done.exit_code == 0, done.output
    written = json.loads(done.stdout)
    assert written["path"] == str(tmp_path / f"{run_id}.traj") and written["steps"] == 3
    piped = runner.invoke(app, ["export", str(linear_run), "--format", "jsonl", "-o", "-"])
    assert piped.exit_code == 0 and json.loads(piped.stdout.splitlines()[0])["seq"] == 0
    missing = runner.invoke(app, ["export", str(linear_run), "--node", "99"])
    assert missing.exit_code == 2 and "has no node 99" in missing.output
    both = runner.invoke(app, ["export", str(linear_run), "-o", "-", "--json"])
    assert both.exit_code == 2
    unknown = runner.invoke(app, ["export", str(linear_run), "-f", "openhands"])
    assert unknown.exit_code == 2 and "mini" in unknown.output and "swe-agent" in unknown.output


def test_a_run_without_a_tree_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "20260101-000000-abcd"
    folder.mkdir()
    done = CliRunner().invoke(app, ["export", str(folder)])
    assert done.exit_code == 2 and "has no tree.json" in done.output
