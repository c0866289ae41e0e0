"""The GitHub Action's reporting step: from the JSON that `solve --open-pr --json` printed
and its exit code, the step outputs, the job summary (the evidence table) and the step's
own exit status. Run as ``python -m swe_agent.forge.action REPORT EXIT_CODE``."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Exit codes of `solve --open-pr` that are a finished job, not a failed one.
FINISHED = {0: "opened", 1: "no_fix", 3: "draft", 4: "exists"}


def outputs(report: Mapping[str, Any] | None, code: int) -> dict[str, str]:
    """run-id, status (the run's: resolved, submitted, ...; skipped when no run was needed),
    outcome (opened, updated, draft, no_fix, exists or error) and pull-request-url."""
    report = dict(report or {})
    pull = _pull(report)
    outcome = str(pull.get("outcome") or FINISHED[code]) if code in FINISHED else "error"
    if "status" in report:
        status = str(report["status"])
    else:
        status = "skipped" if outcome == "exists" else "error"
    return {
        "run-id": str(report.get("run_id") or pull.get("run_id") or ""),
        "status": status,
        "outcome": outcome,
        "pull-request-url": str(pull.get("url") or ""),
    }


def _pull(report: Mapping[str, Any]) -> Mapping[str, Any]:
    """The pull request part: nested in a solve's report, or alone when solve stopped early
    because the pull request exists."""
    pull = report.get("pull_request", report)
    return pull if isinstance(pull, Mapping) else {}


def summary(report: Mapping[str, Any] | None, values: Mapping[str, str]) -> str:
    """The job summary: what happened, then the pull request's evidence when there is one."""
    pull = _pull(report or {})
    lines = [f"## swe-agent: {values['outcome']}", ""]
    if pull.get("message"):
        lines += [str(pull["message"]), ""]
    if values["run-id"]:
        lines += [f"Run `{values['run-id']}` ended `{values['status']}`.", ""]
    if pull.get("body"):
        lines += ["---", "", str(pull["body"])]
    elif values["outcome"] == "error":
        lines += ["swe-agent stopped with an error; its message is in the step's log."]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Write the outputs and summary; 0 for a finished job, else the solve's exit code."""
    env = os.environ if env is None else env
    path, code = Path(argv[0]), int(argv[1])
    report = _read(path)
    values = outputs(report, code)
    _append(env.get("GITHUB_OUTPUT"), "".join(_output(k, v) for k, v in values.items()))
    _append(env.get("GITHUB_STEP_SUMMARY"), summary(report, values))
    for name, value in values.items():
        print(f"{name}: {value}")
    if code not in FINISHED:
        print(f"::error title=swe-agent::solve exited {code}; see the log above")
        return code or 1
    if values["outcome"] == "no_fix":
        print("::warning title=swe-agent::no fix was found; no pull request was opened")
    return 0


def _read(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text[text.index("{") :])
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _output(name: str, value: str) -> str:
    if "\n" not in value:
        return f"{name}={value}\n"
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
