"""SWE-bench grading: the harness's rules applied to per-test statuses, and report.json.

The rules are those of swebench 4.1.0 (harness/grading.py). A named test succeeds when its
status is PASSED or XFAIL, and fails when it is FAILED, ERROR or missing from the log; any
other status (SKIPPED) is neither, so it weighs on no side. An instance is resolved when the
share of FAIL_TO_PASS successes is 1 and that of PASS_TO_PASS is 1, a list with no success and
no failure counting as 1; a fail-only repository counts only FAILED as a failure.

One addition, for datasets outside SWE-bench: an id that names a whole test file (QuixBugs'
``python_testcases/test_gcd.py``) and is not itself in the log takes the status of the file's
tests (failed when any failed or erred, else passed when any passed). No SWE-bench id does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from env_setup import specs_data

SUCCESS = frozenset({"PASSED", "XFAIL"})
FAILURE = frozenset({"FAILED", "ERROR"})


class Resolution(StrEnum):
    """The harness's resolution status of an instance."""

    FULL = "RESOLVED_FULL"
    PARTIAL = "RESOLVED_PARTIAL"
    NO = "RESOLVED_NO"


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
    def resolution(self) -> Resolution:
        """FULL when both shares are 1, PARTIAL when some FAIL_TO_PASS pass and all else does."""
        f2p = _share(self.f2p_success, self.f2p_failure)
        p2p = _share(self.p2p_success, self.p2p_failure)
        if f2p == 1 and p2p == 1:
            return Resolution.FULL
        if 0 < f2p < 1 and p2p == 1:
            return Resolution.PARTIAL
        return Resolution.NO

    @property
    def resolved(self) -> bool:
        """Fully resolved, as the harness's report says."""
        return self.resolution is Resolution.FULL

    def to_json(self) -> dict[str, Any]:
        """The tests_status object of SWE-bench's report.json."""
        return {
            "FAIL_TO_PASS": {"success": list(self.f2p_success), "failure": list(self.f2p_failure)},
            "PASS_TO_PASS": {"success": list(self.p2p_success), "failure": list(self.p2p_failure)},
            "FAIL_TO_FAIL": {"success": [], "failure": []},
            "PASS_TO_FAIL": {"success": [], "failure": []},
        }


def _share(success: tuple[str, ...], failure: tuple[str, ...]) -> float:
    total = len(success) + len(failure)
    return 1.0 if total == 0 else len(success) / total


def status_of(test: str, statuses: Mapping[str, str]) -> str | None:
    """A named test's status in the log; a whole test file's from its tests; None if missing."""
    if test in statuses:
        return statuses[test]
    if not test.endswith(".py") or " " in test:
        return None
    inside = [s for t, s in statuses.items() if t.startswith(f"{test}::")]
    if any(s in FAILURE for s in inside):
        return "FAILED"
    return "PASSED" if any(s in SUCCESS for s in inside) else (inside[0] if inside else None)


def fail_only(repo: str) -> bool:
    """Does the harness grade ``repo`` by failures only (its FAIL_ONLY_REPOS)?"""
    return repo in set(specs_data().get("fail_only_repos", ()))


def _split(
    tests: Iterable[str], statuses: Mapping[str, str], *, only_failures: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    success: list[str] = []
    failure: list[str] = []
    for test in tests:
        status = status_of(test, statuses)
        if only_failures:
            (failure if status == "FAILED" else success).append(test)
        elif status in SUCCESS:
            success.append(test)
        elif status is None or status in FAILURE:
            failure.append(test)
    return tuple(success), tuple(failure)


def grade(
    statuses: Mapping[str, str],
    *,
    fail_to_pass: Iterable[str],
    pass_to_pass: Iterable[str],
    repo: str = "",
) -> TestsStatus:
    """The named tests' success and failure lists, from a log's per-test statuses."""
    only_failures = fail_only(repo)
    f2p_ok, f2p_bad = _split(fail_to_pass, statuses, only_failures=only_failures)
    p2p_ok, p2p_bad = _split(pass_to_pass, statuses, only_failures=only_failures)
    return TestsStatus(f2p_ok, f2p_bad, p2p_ok, p2p_bad, dict(statuses))


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
        "resolved": bool(applied and status is not None and status.resolved),
    }
    if status is not None:
        fields["tests_status"] = status.to_json()
    return {instance_id: fields}
