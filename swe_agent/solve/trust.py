"""What a project file may set: the repository is untrusted input (DESIGN.md, the trust boundary).

A repository can commit ``.swe-agent/config.yaml``. It may describe itself (how its tests run,
what to show the model) and lower the caps on what a run spends; it may not choose the model or
where the model is reached (that decides where the code and the API key go, and what is billed),
widen the sandbox (``sandbox: local`` would run its code on the host), turn the judge on (more
billed calls), pick prompt templates, or commit to the user's repository. What it may not set is
ignored with a note: only the user's file, ``-C FILE``, flags and ``-c`` set those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PROJECT_MAY_SET = frozenset(
    {
        "search",
        "seed",
        "top_locations",
        "snippets",
        "snippet_chars",
        "setup_env",
        "run_example",
        "test_timeout_s",
        "test_command",
        "run_tests",
        "tests",
        "agent.max_format_errors",
        "agent.action_timeout_s",
        "agent.auto_finish",
        "agent.sibling_temperature",
        "agent.repeat_retries",
        "agent.rewrite",
        "agent.rewrite_temperatures",
        "agent.rewrite_max_lines",
        "agent.failure_chars",
        "agent.max_issue_chars",
    }
)
"""Keys a project file may set to any valid value: they describe the project, and what they run
runs inside the sandbox."""

PROJECT_MAY_LOWER = frozenset(
    {
        "iterations",
        "expansions",
        "max_steps",
        "max_calls",
        "budget_usd",
        "wall_time_s",
        "reduce_tries",
    }
)
"""Caps a project file may lower but never raise (``None`` is no cap)."""

USER_ONLY_WHY = {
    "model": "it decides where your code and API key go and what is billed",
    "api_base": "it decides where your code and API key go",
    "judge": "it decides how many billed model calls a step makes",
    "sandbox": "it decides whether the repository's code runs on your host",
    "allow_unsandboxed": "it decides whether the repository's code runs on your host",
    "apply": "it commits to your repository",
    "agent.system_template": "prompt templates are yours to choose",
    "agent.instance_template": "prompt templates are yours to choose",
}
"""Why the keys a project may not set are the user's (any key not listed above is the user's)."""


@dataclass(frozen=True)
class Verdict:
    """Whether a project file's value is taken, and why not."""

    allowed: bool
    reason: str = ""


def judge_project_value(key: str, value: Any, current: Any) -> Verdict:
    """May a project file set ``key`` to ``value`` over ``current`` (the value below it)?"""
    if key in PROJECT_MAY_SET:
        return Verdict(True)
    if key in PROJECT_MAY_LOWER:
        if current is None or (value is not None and value <= current):
            return Verdict(True)
        shown = "no cap" if value is None else value
        return Verdict(
            False, f"a project file may lower {key}, not raise it ({current} -> {shown})"
        )
    why = USER_ONLY_WHY.get(key, "it is not among the keys a project may set")
    return Verdict(False, f"only your user file, -C, flags or -c may set {key}: {why}")
