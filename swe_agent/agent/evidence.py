"""Test evidence for search nodes: run the tests, parse per-test outcomes, compare with the base."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox import Sandbox

_SUMMARY = re.compile(r"^(PASSED|FAILED|ERROR|XPASS|XFAIL|SKIPPED)\s+(\S+)", re.MULTILINE)
PASSING = {"PASSED", "XPASS", "XFAIL"}
FAILING = {"FAILED", "ERROR"}


def parse_pytest_summary(output: str) -> dict[str, str]:
    """Per-test outcomes from pytest's ``-rA`` short summary (test id -> PASSED/FAILED/...)."""
    outcomes: dict[str, str] = {}
    for status, test_id in _SUMMARY.findall(output):
        if status != "SKIPPED":
            outcomes[test_id] = status
    return outcomes


@dataclass(frozen=True)
class TestRun:
    """One run of the test command on a workspace state."""

    __test__ = False

    exit_code: int | None
    outcomes: Mapping[str, str] = field(default_factory=dict)
    timed_out: bool = False

    @property
    def failing(self) -> set[str]:
        return {t for t, s in self.outcomes.items() if s in FAILING}

    @property
    def passing(self) -> set[str]:
        return {t for t, s in self.outcomes.items() if s in PASSING}


@dataclass
class TestProbe:
    """Runs the project's tests in the sandbox and turns them into a node's tests record."""

    __test__ = False

    sandbox: Sandbox
    command: str
    timeout_s: float = 600.0
    base: TestRun | None = None
    # Strict: the reproduction passes only when every test failing at the base passes (the
    # tests were named for this issue); else one fixed test is enough (a suite may hold
    # failures that have nothing to do with the issue).
    strict: bool = False

    def run(self) -> TestRun:
        """Run the test command on the sandbox's current state."""
        command = self.command
        if "pytest" in command and "-rA" not in command:
            command += " -rA -p no:cacheprovider"
        obs = self.sandbox.run(command, timeout=self.timeout_s)
        outcomes = parse_pytest_summary(obs.stdout + "\n" + obs.stderr)
        return TestRun(obs.exit_code, outcomes, timed_out=obs.timed_out)

    def record_base(self) -> TestRun:
        """Run the tests on the base state, the reference for every later comparison."""
        self.base = self.run()
        return self.base

    def evidence(self) -> dict[str, Any]:
        """The tests record of the current state (search.value's shape), rerunning failures once."""
        now = self.run()
        base = self.base or TestRun(exit_code=None)
        if not now.outcomes and not base.outcomes:
            return _exit_code_evidence(now, base)
        fixed = sorted(base.failing & now.passing)
        broken = base.passing & now.failing
        flaky: set[str] = set()
        if broken:  # a second run tells flaky from broken
            flaky = broken & self.run().passing
        still_failing = sorted(base.failing - now.passing)
        reproduction: bool | None = None
        if base.failing:
            reproduction = bool(fixed) and not (self.strict and still_failing)
        return {
            "reproduction": reproduction,
            "regression": {
                "passed": len(base.passing & now.passing),
                "failed": len(broken - flaky),
                "flaky": len(flaky),
            },
            "fixed": fixed,
            "broken": sorted(broken - flaky),
            "still_failing": still_failing,
            "new_passed": sorted(now.passing - base.passing - base.failing),
            "exit_code": now.exit_code,
        }


def _exit_code_evidence(now: TestRun, base: TestRun) -> dict[str, Any]:
    """When no per-test outcomes could be parsed: only the exit codes speak."""
    reproduction = None
    if base.timed_out or base.exit_code not in (None, 0):  # a hang at the base is a failure
        reproduction = now.exit_code == 0 and not now.timed_out
    ok = now.exit_code == 0
    return {
        "reproduction": reproduction,
        "regression": {"passed": int(ok), "failed": int(not ok and base.exit_code == 0)},
        "exit_code": now.exit_code,
    }
