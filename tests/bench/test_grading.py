"""The harness's grading rules on per-test statuses (no Docker, no logs)."""

from __future__ import annotations

from swe_agent.bench.grading import Resolution, grade, instance_report


def test_skipped_weighs_on_no_side_of_either_list_and_xfail_is_a_success() -> None:
    statuses = {"a": "PASSED", "b": "SKIPPED", "c": "XFAIL", "d": "SKIPPED"}
    status = grade(statuses, fail_to_pass=["a", "b"], pass_to_pass=["c", "d"])
    assert status.f2p_success == ("a",) and status.f2p_failure == ()
    assert status.p2p_success == ("c",) and status.p2p_failure == ()
    assert status.resolution is Resolution.FULL
    # Every named test skipped: nothing failed, so the shares are 1, as the harness counts.
    assert grade({"a": "SKIPPED"}, fail_to_pass=["a"], pass_to_pass=[]).resolved


def test_missing_failed_and_erred_tests_fail_and_partial_needs_every_pass_to_pass() -> None:
    statuses = {"a": "PASSED", "b": "FAILED", "c": "ERROR", "p": "PASSED"}
    status = grade(statuses, fail_to_pass=["a", "b", "gone"], pass_to_pass=["p"])
    assert status.f2p_failure == ("b", "gone") and status.resolution is Resolution.PARTIAL
    assert not grade(statuses, fail_to_pass=["a"], pass_to_pass=["p", "c"]).resolved
    # XPASS is neither a success nor a failure either.
    assert grade({"x": "XPASS"}, fail_to_pass=["x"], pass_to_pass=[]).f2p_failure == ()


def test_fail_only_repositories_count_only_failed_as_failure() -> None:
    statuses = {"b": "FAILED", "c": "ERROR"}
    status = grade(statuses, fail_to_pass=["c", "gone"], pass_to_pass=["b"], repo="markedjs/marked")
    assert status.f2p_success == ("c", "gone") and status.p2p_failure == ("b",)
    assert not grade(statuses, fail_to_pass=["c"], pass_to_pass=[], repo="octo/x").resolved


def test_odd_ids_are_only_keys_and_a_whole_test_file_takes_its_tests_status() -> None:
    statuses = {"[100%]": "PASSED", "t/test_a.py::x": "PASSED", "t/test_a.py::y": "SKIPPED",
                "t/test_b.py::z": "FAILED", "t/test_b.py::w": "PASSED"}  # fmt: skip
    status = grade(statuses, fail_to_pass=["t/test_a.py"], pass_to_pass=["[100%]", "t/test_b.py"])
    assert status.f2p_success == ("t/test_a.py",) and status.p2p_failure == ("t/test_b.py",)
    assert status.p2p_success == ("[100%]",)
    assert grade({}, fail_to_pass=["t/test_c.py"], pass_to_pass=[]).f2p_failure == ("t/test_c.py",)


def test_the_report_says_resolved_only_for_an_applied_patch() -> None:
    status = grade({"a": "PASSED"}, fail_to_pass=["a"], pass_to_pass=[])
    report = instance_report("i", model_patch="diff", applied=True, status=status)["i"]
    assert report["resolved"] and report["tests_status"]["FAIL_TO_PASS"]["success"] == ["a"]
    assert not instance_report("i", model_patch="diff", applied=False, status=status)["i"][
        "resolved"
    ]
    empty = instance_report("i", model_patch=None, applied=False, status=None)["i"]
    assert empty["patch_is_None"] and "tests_status" not in empty
