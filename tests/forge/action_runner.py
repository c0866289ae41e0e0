"""Runs a composite action's `run:` steps as the bash scripts they are, on a local checkout.

What GitHub's runner does around them is done here by hand, and only that: `${{ }}` in a
step's `env:` and in the action's defaults and outputs is evaluated (dotted names only:
anything else fails the test), each step gets fresh GITHUB_OUTPUT and the shared GITHUB_ENV,
GITHUB_PATH and GITHUB_STEP_SUMMARY files, and runs under `bash --noprofile --norc -eo
pipefail` as GitHub runs `shell: bash`. `uses:` steps are not run; the test says what each
would have done.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
DOTTED = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")


@dataclass
class ActionRun:
    """One run of an action: its context, the steps' logs, and the files GitHub would keep."""

    action: dict[str, Any]
    context: dict[str, Any]
    env: dict[str, str]
    temp: Path
    logs: list[tuple[str, int, str]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (self.temp / "step_summary.md").read_text()

    def outputs(self) -> dict[str, str]:
        """The action's outputs, evaluated from its steps' outputs."""
        return {
            name: evaluate(spec["value"], self.context)
            for name, spec in self.action["outputs"].items()
        }


def evaluate(text: str, context: Mapping[str, Any]) -> str:
    """``text`` with each ``${{ dotted.name }}`` replaced by its value in ``context``."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        assert DOTTED.fullmatch(expression), f"unsupported expression: {expression}"
        found: Any = context
        for part in expression.split("."):
            found = found.get(part, "") if isinstance(found, Mapping) else ""
        return "" if found is None else str(found)

    return EXPRESSION.sub(value, text)


def start(
    action_file: Path,
    *,
    workspace: Path,
    temp: Path,
    inputs: Mapping[str, str],
    github: Mapping[str, Any],
    env: Mapping[str, str],
) -> ActionRun:
    """The context of a run: inputs (defaults evaluated), github, runner, steps."""
    action = yaml.safe_load(action_file.read_text())
    temp.mkdir(parents=True, exist_ok=True)
    context: dict[str, Any] = {
        "github": {
            **github,
            "action_path": str(action_file.parent),
            "workspace": str(workspace),
        },
        "runner": {"temp": str(temp / "runner"), "os": "Linux"},
        "steps": {},
    }
    defaults = {
        name: evaluate(str(spec.get("default", "")), context)
        for name, spec in action["inputs"].items()
    }
    unknown = set(inputs) - set(defaults)
    assert not unknown, f"the action has no inputs {unknown}"
    context["inputs"] = {**defaults, **inputs}
    (temp / "runner").mkdir(exist_ok=True)
    files = {
        "GITHUB_ENV": temp / "env",
        "GITHUB_PATH": temp / "path",
        "GITHUB_STEP_SUMMARY": temp / "step_summary.md",
    }
    for path in files.values():
        path.write_text("")
    base = {
        **env,
        **{name: str(path) for name, path in files.items()},
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(action_file.parent),
        "RUNNER_TEMP": str(temp / "runner"),
        "RUNNER_OS": "Linux",
    }
    return ActionRun(action, context, base, temp)


def run_steps(run: ActionRun, *, cwd: Path) -> None:
    """Run every `run:` step in order, stopping at the first that fails (as GitHub does)."""
    for index, step in enumerate(run.action["runs"]["steps"]):
        if "uses" in step:
            run.skipped.append(step)
            continue
        code = _run_step(run, step, index, cwd=cwd)
        if code != 0:
            return


def _run_step(run: ActionRun, step: dict[str, Any], index: int, *, cwd: Path) -> int:
    assert step.get("shell") == "bash", f"step {step.get('name')} needs shell: bash"
    script = run.temp / f"step{index}.sh"
    script.write_text(step["run"])
    output = run.temp / f"output{index}"
    output.write_text("")
    env = {**run.env, **_exported(run.temp / "env"), "GITHUB_OUTPUT": str(output)}
    env["PATH"] = os.pathsep.join([*_paths(run.temp / "path"), run.env["PATH"]])
    env.update({k: evaluate(str(v), run.context) for k, v in (step.get("env") or {}).items()})
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    run.logs.append((step.get("name", f"step {index}"), done.returncode, done.stdout + done.stderr))
    if step.get("id"):
        run.context["steps"][step["id"]] = {"outputs": _outputs(output.read_text())}
    return done.returncode


def _outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's ``name=value`` and ``name<<DELIMITER`` forms."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for more in lines:
                if more == delimiter:
                    break
                value.append(more)
            found[name] = "\n".join(value)
        elif "=" in line:
            name, value_text = line.split("=", 1)
            found[name] = value_text
    return found


def _exported(path: Path) -> dict[str, str]:
    return _outputs(path.read_text())


def _paths(path: Path) -> list[str]:
    return [line for line in reversed(path.read_text().splitlines()) if line.strip()]
