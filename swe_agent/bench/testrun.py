"""Run an instance's tests in a sandbox the way the SWE-bench harness runs them, and read them.

The command and the log family come from env_setup (the harness's per-repository specs, or
the generic pytest command for repositories it does not know); the log becomes per-test
statuses (``{test id: "PASSED" | "FAILED" | ...}``), which ``grading.grade`` judges. A run the
infrastructure broke says so in ``failure`` (timed out, runner died); a container that vanished
raises ``sandbox.SandboxGone``.

    command = command_for(instance, root=workdir.root, commit=workdir.with_tests, venv=venv)
    result = run_tests(box, command, timeout=1800)
    result.statuses, result.failure
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from env_setup import (
    TestCommand,
    describe_at,
    harness_test_command,
    parse_test_log,
    read_at,
    version_at,
)
from swe_agent.bench.failures import ErrorKind, Failure

__all__ = ["TestCommand", "TestResult", "command_for", "run_tests", "version_of"]


@dataclass(frozen=True)
class TestResult:
    """One run of an instance's test command."""

    __test__ = False

    command: TestCommand
    output: str  # stdout, then stderr
    exit_code: int | None
    elapsed_s: float
    statuses: dict[str, str] = field(default_factory=dict)
    failure: Failure | None = None  # the infrastructure broke the run; statuses are partial


def version_of(instance: Mapping[str, Any], *, root: Path | None, commit: str | None) -> str:
    """The instance's version: the dataset's own, else the checkout's, read the harness's way."""
    given = str(instance.get("version") or "")
    if given or root is None:
        return given
    read = read_at(root, commit)
    describe = describe_at(root, commit) if commit else None
    return version_at(str(instance["repo"]), read, describe=describe) or ""


def command_for(
    instance: Mapping[str, Any],
    *,
    root: Path | None = None,
    commit: str | None = None,
    venv: str = "/opt/swe-venv",
) -> TestCommand:
    """The test command of ``instance`` (repo, version, test_patch, FAIL_TO_PASS, PASS_TO_PASS).

    ``root`` and ``commit``: the repository at the tested commit, read for the version when the
    instance has none and for tox.ini.
    """
    named = [*(instance.get("FAIL_TO_PASS") or ()), *(instance.get("PASS_TO_PASS") or ())]
    return harness_test_command(
        str(instance["repo"]),
        version_of(instance, root=root, commit=commit) or None,
        test_patch=str(instance.get("test_patch") or ""),
        named=named,
        read=read_at(root, commit) if root is not None else None,
        venv=venv,
    )


def run_tests(box: Any, command: TestCommand, *, timeout: float) -> TestResult:
    """Run ``command`` in the sandbox's workspace under ``timeout``; parse what it printed.

    Its stderr goes into its stdout, as in the harness's log: django's runner reports on stderr
    what the tests print on stdout, and a test's output may split its result line.
    """
    obs = box.run(f"( {command.command}\n) 2>&1", timeout=timeout)
    output = f"{obs.stdout}\n{obs.stderr}" if obs.stderr else obs.stdout
    return TestResult(
        command=command,
        output=output,
        exit_code=obs.exit_code,
        elapsed_s=obs.elapsed_s,
        statuses=parse_test_log(command.parser, output),
        failure=_failure(obs, timeout),
    )


def _failure(obs: Any, timeout: float) -> Failure | None:
    if obs.timed_out:
        return Failure(
            ErrorKind.TIMEOUT, f"the tests ran longer than {timeout:.0f} s and were killed"
        )
    if obs.error:
        # The runner exited (or stopped answering) under the test command and was restarted.
        return Failure(ErrorKind.RUNNER_DIED, str(obs.error)[:500])
    return None
