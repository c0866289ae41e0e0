"""SWE-bench grading: which tests to run, per-test status, and the report.json fields.

The rules are SWE-bench's: a test passes when pytest's ``-rA`` summary says PASSED or XFAIL;
anything else, including a test missing from the output, is a failure. An instance is
resolved when the patch applied and every FAIL_TO_PASS and PASS_TO_PASS test passes.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from swe_agent.agent.evidence import parse_pytest_summary

SUCCESS_STATUSES = frozenset({"PASSED", "XFAIL"})


def pytest_targets(tests: Iterable[str], *, by_file: bool = True) -> list[str]:
    """What to pass to pytest: the test files (SWE-bench's way), or node ids.

    Files run every test in file order, as SWE-bench's harness does (the lists were recorded
    that way, and some tests depend on the order). Node ids lose their parametrization: SWE-bench
    cuts ids at the first space, and ``test_x[select`` would stop pytest with "not found".
    """
    targets: list[str] = []
    for test in tests:
        target = test.split("::", 1)[0] if by_file else test.split("[", 1)[0]
        if target and target not in targets:
            targets.append(target)
    return targets


def pytest_command(
    python: str, tests: Iterable[str], *, by_file: bool = True, collect_only: bool = False
) -> str:
    """The shell command that runs the named tests with per-test results in the output.

    ``collect_only``: only collect them, with the errors of collection shown.
    """
    args = " ".join(shlex.quote(t) for t in pytest_targets(tests, by_file=by_file))
    mode = "--collect-only -q --tb=short" if collect_only else "-rA --tb=no"
    return f"{python} -m pytest {mode} -p no:cacheprovider {args}"


@dataclass(frozen=True)
class TestsStatus:
    """Success and failure lists of FAIL_TO_PASS and PASS_TO_PASS (SWE-bench's tests_status)."""

    __test__ = False

    f2p_success: tuple[str, ...] = ()
    f2p_failure: tuple[str, ...] = ()
    p2p_success: tuple[str, ...] = ()
    p2p_failure: tuple[str, ...] = ()
    outcomes: Mapping[str, str] = field(default_factory=dict)

    @property
    def all_pass(self) -> bool:
        """Every named test passed."""
        return not self.f2p_failure and not self.p2p_failure

    def to_json(self) -> dict[str, Any]:
        """The tests_status object of SWE-bench's report.json."""
        return {
            "FAIL_TO_PASS": {"success": list(self.f2p_success), "failure": list(self.f2p_failure)},
            "PASS_TO_PASS": {"success": list(self.p2p_success), "failure": list(self.p2p_failure)},
            "FAIL_TO_FAIL": {"success": [], "failure": []},
            "PASS_TO_FAIL": {"success": [], "failure": []},
        }


def _split(tests: Iterable[str], outcomes: Mapping[str, str]) -> tuple[tuple[str, ...], ...]:
    success = tuple(t for t in tests if outcomes.get(t) in SUCCESS_STATUSES)
    failure = tuple(t for t in tests if outcomes.get(t) not in SUCCESS_STATUSES)
    return success, failure


def grade(output: str, *, fail_to_pass: list[str], pass_to_pass: list[str]) -> TestsStatus:
    """Per-test status of the named tests, read from pytest ``-rA`` output."""
    outcomes = parse_pytest_summary(output)
    f2p_ok, f2p_bad = _split(fail_to_pass, outcomes)
    p2p_ok, p2p_bad = _split(pass_to_pass, outcomes)
    return TestsStatus(f2p_ok, f2p_bad, p2p_ok, p2p_bad, outcomes)


def instance_report(
    instance_id: str,
    *,
    model_patch: str | None,
    applied: bool,
    status: TestsStatus | None,
) -> dict[str, Any]:
    """report.json of one instance, keyed by its id, in SWE-bench's shape."""
    fields: dict[str, Any] = {
        "patch_is_None": model_patch is None,
        "patch_exists": bool(model_patch and model_patch.strip()),
        "patch_successfully_applied": applied,
        "resolved": bool(applied and status is not None and status.all_pass),
    }
    if status is not None:
        fields["tests_status"] = status.to_json()
    return {instance_id: fields}
