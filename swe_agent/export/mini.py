"""A branch as mini-swe-agent's trajectory file, ``<id>.traj.json`` (format mini-swe-agent-1.1).

The shape is what its ``DefaultAgent.serialize`` writes and its inspector (``mini-extra
inspector``) reads: ``info`` (``model_stats`` with ``instance_cost`` and ``api_calls``,
``exit_status``, ``submission``, ``config``), ``messages`` (chat messages with an ``extra``
each: an assistant message's ``actions`` and ``cost``, an observation's ``raw_output`` and
``returncode``; the last one has the role ``exit``) and ``trajectory_format``. Our actions are
Python blocks, so an action's ``command`` is Python, not a shell command.
"""

from __future__ import annotations

from typing import Any

from swe_agent.export.branch import Branch, Part, Turn, conversation
from swe_agent.export.facts import SPENT, ending, instance_id, provenance, usage

TRAJECTORY_FORMAT = "mini-swe-agent-1.1"
SUFFIX = ".traj.json"


def exit_status(branch: Branch) -> str:
    """mini-swe-agent's words: Submitted, LimitsExceeded, TimeExceeded, or ours."""
    end = ending(branch)
    if end == "submitted":
        return "Submitted"
    spent = SPENT.get(end)
    if spent == "time":
        return "TimeExceeded"
    return "LimitsExceeded" if spent else end


def to_mini(branch: Branch) -> dict[str, Any]:
    """The branch as one mini-swe-agent trajectory document."""
    status = exit_status(branch)
    messages = [_message(turn) for turn in conversation(branch)]
    messages.append(
        {
            "role": "exit",
            "content": status,
            "extra": {"exit_status": status, "submission": branch.submission},
        }
    )
    spent = usage(branch)
    document: dict[str, Any] = {
        "info": {
            "model_stats": {"instance_cost": spent.cost_usd, "api_calls": spent.calls},
            "config": {"agent": dict(branch.config), "agent_type": "swe_agent tree search"},
            "exit_status": status,
            "submission": branch.submission,
            "swe_agent": provenance(branch),
        },
        "messages": messages,
        "trajectory_format": TRAJECTORY_FORMAT,
    }
    found = instance_id(branch)
    if found is not None:
        document["instance_id"] = found
    return document


def _message(turn: Turn) -> dict[str, Any]:
    message, step, call = turn.message, turn.step, turn.call
    out: dict[str, Any] = {"role": str(message.get("role")), "content": message.get("content")}
    if call is not None:
        accepted = turn.part is Part.REPLY and step is not None and step.code
        out["extra"] = {
            "actions": [{"command": step.code}] if accepted and step is not None else [],
            "cost": call.cost_usd,
            "response": {
                "model": call.model,
                "usage": {"prompt_tokens": call.tokens_in, "completion_tokens": call.tokens_out},
            },
            "timestamp": call.time,
        }
    elif turn.part is Part.OBSERVATION and step is not None:
        out["extra"] = {
            "raw_output": step.observation,
            "returncode": 0 if step.ok else 1,
            "timestamp": step.time,
            "node": step.node,
            "kind": step.kind,
        }
    return out
