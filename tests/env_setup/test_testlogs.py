"""Test-log parsers: the harness's reading of pytest, django, sympy and seaborn output."""

from __future__ import annotations

from env_setup import log_parser, parse_test_log, parser_family

PYTEST = """\
tests/test_a.py ..Fsx
=========================== short test summary info ============================
PASSED tests/test_a.py::test_one
PASSED tests/test_a.py::test_param[select a; select b-1]
PASSED tests/test_a.py::test_path[/tmp/pytest-of-u/pytest-3/data.txt]
SKIPPED [1] tests/test_a.py:12: needs numpy
XFAIL tests/test_a.py::test_known - reason
FAILED tests/test_a.py::test_two - AssertionError: assert 1 == 2
ERROR tests/test_b.py - ModuleNotFoundError: No module named 'x'
"""


def test_pytest_ids_end_at_their_first_space_and_options_are_cut_for_requests() -> None:
    statuses = parse_test_log("parse_log_flask", PYTEST)
    assert statuses["tests/test_a.py::test_param[select"] == "PASSED"
    assert statuses["tests/test_a.py::test_known"] == "XFAIL"
    assert statuses["tests/test_a.py::test_two"] == "FAILED"
    assert statuses["[1]"] == "SKIPPED" and statuses["tests/test_b.py"] == "ERROR"
    options = parse_test_log(log_parser("psf/requests"), PYTEST)
    assert options["tests/test_a.py::test_path[/data.txt]"] == "PASSED"


def test_coloured_verbose_pytest_lines_are_read_for_astropy_and_sphinx() -> None:
    log = (
        "tests/test_x.py::test_a \x1b[32mPASSED\x1b[0m\n\x1b[31mFAILED\x1b[0m tests/test_x.py::b\n"
    )
    assert parse_test_log("parse_log_sphinx", log) == {
        "tests/test_x.py::test_a": "PASSED",
        "tests/test_x.py::b": "FAILED",
    }


def test_django_verbose_lines_and_an_ok_pushed_to_the_next_line() -> None:
    log = (
        "test_add (admin_views.tests.AdminViewTests) ... ok\n"
        "test_skip (admin_views.tests.AdminViewTests) ... skipped 'no db feature'\n"
        "test_fail (admin_views.tests.AdminViewTests) ... FAIL\n"
        "test_err (admin_views.tests.AdminViewTests) ... ERROR\n"
        "test_print (admin_views.tests.AdminViewTests) ... some output\nok\n"
        "test_sub (admin_views.tests.AdminViewTests) ... expected failure\n"
    )
    assert parse_test_log("parse_log_django", log) == {
        "test_add (admin_views.tests.AdminViewTests)": "PASSED",
        "test_skip (admin_views.tests.AdminViewTests)": "SKIPPED",
        "test_fail (admin_views.tests.AdminViewTests)": "FAILED",
        "test_err (admin_views.tests.AdminViewTests)": "ERROR",
        "test_print (admin_views.tests.AdminViewTests)": "PASSED",
    }


def test_sympy_bare_names_and_its_failure_banners() -> None:
    log = (
        "sympy/core/tests/test_basic.py[3] \n"
        "test_a ok\ntest_b F\ntest_c E\n"
        "________________ sympy/core/tests/test_basic.py:test_b ________________\n"
    )
    assert parse_test_log("parse_log_sympy", log) == {
        "test_a": "PASSED",
        "test_b": "FAILED",
        "test_c": "ERROR",
        "sympy/core/tests/test_basic.py:test_b": "FAILED",
    }


def test_parser_names_map_to_their_family_and_unknown_ones_to_pytest() -> None:
    assert parser_family("parse_log_astroid") == "pytest"
    assert parser_family("parse_log_pydicom") == "pytest_options"
    assert parser_family("parse_log_scikit") == "pytest_v2"
    assert parser_family(None) == parser_family("parse_log_nobody") == "pytest"
