"""Test evidence for search nodes: run the tests, parse per-test outcomes, compare with the base."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox import Sandbox
from swe_agent.agent.failures import failing_about, test_name

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
    output: str = field(default="", compare=False, repr=False)  # what the command printed

    @property
    def failing(self) -> set[str]:
        return {t for t, s in self.outcomes.items() if s in FAILING}

    @property
    def passing(self) -> set[str]:
        return {t for t, s in self.outcomes.items() if s in PASSING}


Selector = Callable[[str], list[str]]  # a diff against the base -> test files it touches
TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")


@dataclass
class TestProbe:
    """Runs the project's tests in the sandbox and turns them into a node's tests record.

    With no named tests and a ``select`` function (the code graph's), a changed state runs only
    the test files related to its change plus the reproduction tests the agent wrote, each
    compared with the same files at the base; otherwise the whole command runs every time.
    """

    __test__ = False

    sandbox: Sandbox
    command: str
    timeout_s: float = 600.0
    base: TestRun | None = None
    # Strict: the reproduction passes only when every test failing at the base passes (the
    # tests were named for this issue); else one fixed test is enough (a suite may hold
    # failures that have nothing to do with the issue).
    strict: bool = False
    select: Selector | None = None
    # The files and names of the code under repair. With no named tests, a test failing at the
    # base counts (as the reproduction, fixed or still failing) only when its failure names one
    # of them: a failure the environment causes elsewhere says nothing about a change there.
    about: Sequence[str] = ()
    # The test files the code graph relates to the code under repair. With no named tests the
    # base run takes only these (a whole suite may not finish in the time: 0 outcomes in 300 s
    # on 4 Lite dev rows); the whole suite runs at the base only when a state needs it.
    focus: Sequence[str] = ()
    _whole_base: TestRun | None = field(default=None, repr=False)
    _base_runs: dict[tuple[str, ...], TestRun] = field(default_factory=dict, repr=False)
    _fails_at_base: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)
    _outputs: dict[str, str] = field(default_factory=dict, repr=False)

    def run(self, targets: Sequence[str] = ()) -> TestRun:
        """Run the test command (on ``targets`` only, when given) on the current state."""
        command = " ".join([self.command, *(shlex.quote(t) for t in targets)])
        if "pytest" in command and "-rA" not in command:
            command += " -rA -p no:cacheprovider"
        obs = self.sandbox.run(command, timeout=self.timeout_s)
        output = obs.stdout + "\n" + obs.stderr
        outcomes = parse_pytest_summary(output)
        return TestRun(obs.exit_code, outcomes, timed_out=obs.timed_out, output=output)

    def record_base(self) -> TestRun:
        """Run the tests on the base state, the reference for every later comparison: the
        focus files when there are some and no tests are named, else the whole command."""
        focus = self.base_files
        self.base = self.run(focus)
        if focus:
            self._base_runs[focus] = self.base
        else:
            self._whole_base = self.base
        self._outputs[self.sandbox.base_state] = self.base.output
        return self.base

    @property
    def base_files(self) -> tuple[str, ...]:
        """The test files the base run takes (none: the whole command)."""
        return () if self.strict else tuple(self.focus)

    def output_of(self, state: str) -> str | None:
        """What the tests printed on ``state`` when they last ran there (None: never ran)."""
        return self._outputs.get(state)

    def evidence(self, state: str | None = None) -> dict[str, Any]:
        """The tests record of the current state (search.value's shape)."""
        related, repro = self._targets(state)
        if not related and not repro:
            now = self._keep(state, self.run())
            return self._compare(now, self._whole_suite_at_base(state), state)
        now = self._keep(state, self.run([*related, *repro]))
        base = self._base_run(tuple(related), state) if related else TestRun(exit_code=0)
        record = self._compare(now, base, state)
        if repro:
            ran = {t: s for t, s in now.outcomes.items() if t.split("::")[0] in repro}
            passes = bool(ran) and all(s in PASSING for s in ran.values())
            earlier = record["reproduction"]
            record["reproduction"] = passes if earlier is None else passes and earlier
            record["reproduction_tests"] = list(repro)
        record["related_tests"] = list(related)
        return record

    def _whole_suite_at_base(self, state: str | None) -> TestRun:
        """The whole command's run on the base state: run now if the base run took only the
        focus files (no base run at all: nothing to compare with)."""
        if self._whole_base is None and self.base is not None:
            self._whole_base = self._at_base(state, self.run)
        return self._whole_base or TestRun(exit_code=None)

    def _keep(self, state: str | None, run: TestRun) -> TestRun:
        if state is not None:
            self._outputs[state] = run.output
        return run

    def _targets(self, state: str | None) -> tuple[list[str], list[str]]:
        """Graph-related test files and the agent's kept reproduction tests, for this state."""
        if state is None or self.select is None or self.strict:
            return [], []
        diff = self.sandbox.diff(self.sandbox.base_state, state)
        added = _added_test_files(diff)
        repro = [f for f in added if self._reproduces(f, state)]
        related = [f for f in self.select(diff) if f not in added]
        return related, repro

    def _reproduces(self, path: str, state: str) -> bool:
        """True when the agent's new test file fails on the base state (else it proves nothing)."""
        text = self.sandbox.read_file(path)
        key = (path, text)
        if key not in self._fails_at_base:
            self.sandbox.restore(self.sandbox.base_state)
            try:
                self.sandbox.write_file(path, text)
                run = self.run([path])
            finally:
                self.sandbox.restore(state)
            self._fails_at_base[key] = run.exit_code != 0 or bool(run.failing)
        return self._fails_at_base[key]

    def _base_run(self, targets: tuple[str, ...], state: str | None) -> TestRun:
        """These test files' run on the base state (once per set of files)."""
        if targets not in self._base_runs:
            self._base_runs[targets] = self._at_base(state, lambda: self.run(targets))
        return self._base_runs[targets]

    def _at_base(self, state: str | None, work: Callable[[], TestRun]) -> TestRun:
        if state is None:
            state = self.sandbox.snapshot()
        self.sandbox.restore(self.sandbox.base_state)
        try:
            return work()
        finally:
            self.sandbox.restore(state)

    def _compare(self, now: TestRun, base: TestRun, state: str | None) -> dict[str, Any]:
        if not now.outcomes and not base.outcomes:
            return _exit_code_evidence(now, base)
        failing = self._issue_failures(base)
        fixed = sorted(failing & now.passing)
        broken = base.passing & now.failing
        flaky: set[str] = set()
        if broken:  # failing again on the base state: flaky, not broken by the change
            flaky = broken & self._at_base(state, lambda: self.run(sorted(broken))).failing
        broken = (broken - flaky) | _not_run(now, base)
        still_failing = sorted(failing - now.passing)
        reproduction: bool | None = None
        if failing:
            reproduction = bool(fixed) and not (self.strict and still_failing)
        return {
            "reproduction": reproduction,
            "regression": {
                "passed": len(base.passing & now.passing),
                "failed": len(broken),
                "flaky": len(flaky),
            },
            "fixed": fixed,
            "broken": sorted(broken),
            "still_failing": still_failing,
            "new_passed": sorted(now.passing - base.passing - base.failing),
            "exit_code": now.exit_code,
        }

    def _issue_failures(self, base: TestRun) -> set[str]:
        """The base's failing tests that may show the issue: every one when tests are named
        or no code under repair is known, else those whose failure names that code."""
        if self.strict or not self.about:
            return base.failing
        named = failing_about(base.output, self.about)
        return {t for t in base.failing if test_name(t) in named}


def _not_run(now: TestRun, base: TestRun) -> set[str]:
    """Tests that passed at the base and have no outcome in a run that failed (no timeout,
    exit code not 0): a change that breaks an import stops collection (exit 2), and a run whose
    output was cut before pytest's summary (exit 1) shows no outcome for them either. Broken by
    the change, not merely absent; a timeout stays undecided (under load the base's own run may
    be the slow one), and a run that passed (exit 0) may simply not have selected them."""
    if now.timed_out or now.exit_code in (None, 0):
        return set()
    return base.passing - now.outcomes.keys()


def _added_test_files(diff: str) -> list[str]:
    """Test files the diff creates (the agent's reproduction tests)."""
    from patches import ChangeKind, InvalidPatch, parse_patch

    try:
        files = parse_patch(diff).files
    except InvalidPatch:
        return []
    return [f.path for f in files if f.kind is ChangeKind.ADDED and TEST_FILE.search(f.path)]


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
        # No outcome to compare: what each run did, for the words the model reads.
        "timed_out": now.timed_out,
        "base": {"exit_code": base.exit_code, "timed_out": base.timed_out},
    }
