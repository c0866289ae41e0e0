"""The model repairer: replies to commands, DONE to a re-check, budgets; shell runs on the host."""

from __future__ import annotations

import subprocess
from pathlib import Path

from env_setup import Attempt, CommandResult, Failure, Step, make_plan
from env_setup.model import Detection
from swe_agent.agent.env_repair import (
    DONE,
    ModelRepairer,
    RepairBudget,
    RepairEnd,
    is_inspection,
    parse_command,
)
from swe_agent.models import ModelResponse, get_model

PLAN = make_plan(Detection(), {"3.11": "swe-agent/python:3.11"})


def _attempt(folder: Path, ran: list[CommandResult]) -> Attempt:
    """Commands run in `folder` with bash; the check passes once `fixed.txt` exists there."""

    def run(step: Step) -> CommandResult:
        done = subprocess.run(
            ["bash", "-c", step.command], cwd=folder, capture_output=True, text=True, check=False
        )
        result = CommandResult(
            step.command,
            step.why,
            str(step.kind),
            done.returncode,
            0.0,
            done.returncode == 0,
            output_tail=done.stdout + done.stderr,
        )
        ran.append(result)
        return result

    def check() -> tuple[bool, str]:
        fixed = (folder / "fixed.txt").is_file()
        return fixed, "" if fixed else "ModuleNotFoundError: No module named 'nowhere'"

    failure = Failure("ModuleNotFoundError: No module named 'nowhere'")
    return Attempt(failure, PLAN, run, check)


def test_parse_command_and_inspections() -> None:
    assert parse_command("Install it.\n```bash\npip install x\n```") == "pip install x"
    assert parse_command("All good now.\nDONE") == DONE
    assert parse_command("```bash\na\n```\n```bash\nb\n```") is None
    assert parse_command("I am not sure.") is None
    assert is_inspection("ls /workspace | head")
    assert is_inspection("/opt/swe-venv/bin/python -m pip show six")
    assert not is_inspection("cat a > b")
    assert not is_inspection("ls && pip install x")


def test_commands_run_then_done_rechecks(tmp_path: Path) -> None:
    model = get_model(
        [
            "Look first.\n```bash\nls\n```",
            "Nothing useful here.",  # no block, no DONE: told the format, costs a step
            "Create the missing piece.\n```bash\necho ok > fixed.txt\n```",
            "DONE",
        ]
    )
    ran: list[CommandResult] = []
    agent = ModelRepairer(model)
    assert agent.repair(_attempt(tmp_path, ran)) is True
    assert [r.command for r in ran] == ["ls", "echo ok > fixed.txt"]
    assert [r.kind for r in ran] == ["inspect", "repair"]
    assert ran[1].why.startswith("repair agent (") and "Create the missing piece" in ran[1].why
    assert agent.stopped is RepairEnd.FIXED and agent.report()["steps"] == 4


def test_a_failed_check_goes_back_to_the_model(tmp_path: Path) -> None:
    model = get_model(["DONE", "Fix.\n```bash\ntouch fixed.txt\n```", "DONE"])
    ran: list[CommandResult] = []
    assert ModelRepairer(model).repair(_attempt(tmp_path, ran)) is True
    assert [r.command for r in ran] == ["touch fixed.txt"]


def test_step_budget_stops_and_rechecks_a_silent_fix(tmp_path: Path) -> None:
    model = get_model(["Fix.\n```bash\ntouch fixed.txt\n```", "```bash\nls\n```"])
    agent = ModelRepairer(model, budget=RepairBudget(max_steps=2))
    # No DONE, but a command changed something: the check runs once more at the end.
    assert agent.repair(_attempt(tmp_path, [])) is True
    assert agent.stopped is RepairEnd.STEPS


def test_cost_budget_stops(tmp_path: Path) -> None:
    replies = [ModelResponse("Hmm.\n```bash\nls\n```", cost_usd=0.3) for _ in range(5)]
    agent = ModelRepairer(get_model(replies), budget=RepairBudget(max_cost_usd=0.5))
    assert agent.repair(_attempt(tmp_path, [])) is False
    assert agent.stopped is RepairEnd.COST and agent.steps == 2
