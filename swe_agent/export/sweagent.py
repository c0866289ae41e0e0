"""A branch as SWE-agent's trajectory file, ``<id>.traj``.

The shape is SWE-agent's (``sweagent/types.py``: ``TrajectoryStep``, ``HistoryItem``,
``AgentInfo``; ``DefaultAgent.get_trajectory_data``), which its inspectors read
(``sweagent inspect``, ``sweagent inspector``): ``trajectory`` (per step ``action``,
``observation``, ``response``, ``thought``, ``execution_time``, ``state``, ``query``,
``extra_info``), ``history`` (the conversation, each message with ``agent`` and
``message_type``; an assistant message with its ``thought`` and ``action``), ``info``
(``exit_status``, ``submission``, ``model_stats`` with ``instance_cost``, ``tokens_sent``,
``tokens_received``, ``api_calls``), ``replay_config`` and ``environment``. Our actions are
Python blocks, so an ``action`` is Python, not a shell command.
"""

from __future__ import annotations

from typing import Any

from swe_agent.export.branch import Branch, Part, Step, Turn, conversation
from swe_agent.export.facts import SPENT, ending, instance_id, provenance, usage

SUFFIX = ".traj"
AGENT = "main"  # SWE-agent names the agent a message belongs to; ours has one


def exit_status(branch: Branch) -> str:
    """SWE-agent's words: submitted, exit_cost, exit_total_execution_time, ... and
    ``submitted (exit_cost)`` when a patch is there anyway (SWE-agent submits it then too)."""
    end = ending(branch)
    if end == "submitted":
        return "submitted"
    spent = SPENT.get(end)
    status = {"cost": "exit_cost", "time": "exit_total_execution_time"}.get(spent or "")
    status = status or f"exit_{end}"
    return f"submitted ({status})" if branch.submission.strip() else status


def to_sweagent(branch: Branch) -> dict[str, Any]:
    """The branch as one SWE-agent trajectory document."""
    spent = usage(branch)
    info: dict[str, Any] = {
        "exit_status": exit_status(branch),
        "submission": branch.submission,
        "model_stats": {
            "instance_cost": spent.cost_usd,
            "tokens_sent": spent.tokens_in,
            "tokens_received": spent.tokens_out,
            "api_calls": spent.calls,
        },
        "swe_agent_export": provenance(branch),
    }
    found = instance_id(branch)
    if found is not None:
        info["instance_id"] = found
    return {
        "trajectory": [_step(step) for step in branch.steps],
        "history": [_history_item(turn) for turn in conversation(branch)],
        "info": info,
        "replay_config": None,
        "environment": _environment(branch),
    }


def _step(step: Step) -> dict[str, Any]:
    query = step.calls[-1].messages if step.calls else ()
    return {
        "action": step.code,
        "observation": step.observation,
        "response": step.reply,
        "thought": step.thought,
        "execution_time": step.elapsed_s,
        "state": {"workspace_tree": step.state} if step.state else {},
        "query": [{"role": m.get("role"), "content": m.get("content")} for m in query],
        "extra_info": {
            "node": step.node,
            "kind": step.kind,
            "terminal": step.terminal,
            "tests": step.tests,
            "reward": step.reward,
            "model_calls": len(step.calls),
        },
    }


MESSAGE_TYPES = {
    Part.OPENING: "observation",
    Part.REQUEST: "observation",
    Part.ASIDE: "observation",
    Part.REPLY: "action",
    Part.OBSERVATION: "observation",
}


def _history_item(turn: Turn) -> dict[str, Any]:
    role = str(turn.message.get("role"))
    item: dict[str, Any] = {
        "role": role,
        "content": turn.message.get("content"),
        "agent": AGENT,
        "message_type": "system_prompt" if role == "system" else MESSAGE_TYPES[turn.part],
    }
    if role == "assistant":
        accepted = turn.part is Part.REPLY and turn.step is not None
        item["message_type"] = "action"
        item["thought"] = turn.step.thought if accepted and turn.step else ""
        item["action"] = turn.step.code if accepted and turn.step else ""
    return item


def _environment(branch: Branch) -> str:
    env = branch.report.get("environment")
    if isinstance(env, dict) and env.get("image"):
        return str(env["image"])
    return str(branch.config.get("sandbox") or "unknown")
