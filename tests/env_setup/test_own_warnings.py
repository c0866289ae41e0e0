"""Collection errors the repository raises itself (its own warning, its own filterwarnings)."""

from __future__ import annotations

import pytest

from env_setup.model import TestRunner
from env_setup.record import EnvRecord, Verification, record_from_json
from env_setup.verify import self_raised_warnings, without_own_warnings

# astropy-14369's collection on Python 3.9 (colours as pytest printed them, ids cut).
ASTROPY = (
    "docs/whatsnew/5.3.rst::5.3.rst\n\n"
    "==================================== ERRORS ====================================\n"
    "\x1b[31m\x1b[1m________ ERROR collecting astropy/utils/iers/tests/test_leap_second.py"
    " _________\x1b[0m\n"
    "\x1b[1m\x1b[31mastropy/utils/iers/tests/test_leap_second.py\x1b[0m:32: in <module>\n"
    "    iers_table = iers.LeapSeconds.auto_open()\x1b[90m\x1b[39;49;00m\n"
    "\x1b[1m\x1b[31mastropy/utils/iers/iers.py\x1b[0m:1142: in auto_open\n"
    '    warn("leap-second file is expired.", IERSStaleWarning)\n'
    "\x1b[1m\x1b[31mE   astropy.utils.iers.iers.IERSStaleWarning: leap-second file is"
    " expired.\x1b[0m\n"
    "\x1b[31m\x1b[1m________ ERROR collecting astropy/utils/iers/tests/test_leap_second.py"
    " _________\x1b[0m\n"
    "\x1b[1m\x1b[31mE   astropy.utils.iers.iers.IERSStaleWarning: leap-second file is"
    " expired.\x1b[0m\n"
    "=========================== short test summary info ============================\n"
    "ERROR astropy/utils/iers/tests/test_leap_second.py - astropy.utils.iers.iers.IERS...\n"
    "!!!!!!!!!!!!!!!!!!! Interrupted: 2 errors during collection !!!!!!!!!!!!!!!!!!!!\n"
    "26073 tests collected, 2 errors in 95.12s\n"
)
OTHER = (
    "____________ ERROR collecting pkg/tests/test_io.py ____________\n"
    "pkg/tests/test_io.py:3: in <module>\n"
    "E   {raised}: something\n"
)


def test_the_repositorys_own_warning_made_an_error_leaves_out_its_file() -> None:
    found = self_raised_warnings(ASTROPY, ("astropy",), errors=2)
    assert found == ("astropy/utils/iers/tests/test_leap_second.py",)


@pytest.mark.parametrize(
    "raised",
    [
        "numpy.VisibleDeprecationWarning",  # a dependency's warning: an older release mends it
        "ModuleNotFoundError",  # a missing package: an install mends it
        "pkg.errors.ConfigError",  # the repository's own error, not a warning
        "DeprecationWarning",  # whose warning is not said
    ],
)
def test_other_collection_errors_still_fail(raised: str) -> None:
    assert self_raised_warnings(OTHER.format(raised=raised), ("pkg",), errors=1) == ()


def test_every_error_must_be_one_the_repository_raises_itself() -> None:
    mixed = ASTROPY.replace(
        "________ ERROR collecting astropy/utils/iers/tests/test_leap_second.py",
        "________ ERROR collecting astropy/io/tests/test_x.py",
        1,
    ).replace("IERSStaleWarning: leap", "ImportError: leap", 1)
    assert (
        self_raised_warnings(
            mixed.replace("E   astropy.utils.iers.iers.ImportError", "E   ImportError"),
            ("astropy",),
            errors=2,
        )
        == ()
    )
    # an error whose section the output cap cut away is not known to be one
    assert self_raised_warnings(ASTROPY, ("astropy",), errors=3) == ()


def _plan(runner: TestRunner):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from env_setup import Detection, make_plan

    detection = Detection(installable=True, top_level_packages=("pkg",))
    plan = make_plan(detection, {"3.9": "python:3.9"}, python="3.9", as_of=False)
    return replace(plan, test_runner=runner, test_command="/opt/v/bin/python -m pytest tests")


def test_the_test_command_leaves_the_files_out_for_pytest_only() -> None:
    verification = Verification(ok=True, own_warnings=("tests/test_table.py",))
    command = without_own_warnings(_plan(TestRunner.PYTEST), verification)
    assert command == "/opt/v/bin/python -m pytest tests --ignore=tests/test_table.py"
    tox = _plan(TestRunner.TOX)
    assert without_own_warnings(tox, verification) == tox.test_command
    assert without_own_warnings(_plan(TestRunner.PYTEST), Verification(ok=True)).endswith("tests")


def test_the_left_out_files_survive_env_json() -> None:
    from dataclasses import asdict

    verification = Verification(ok=True, own_warnings=("a/test_x.py",))
    data = {
        "success": True,
        "python": "3.9",
        "base_image": "b",
        "image": "i",
        "cache_key": "k",
        "cache_hit": False,
        "test_command": "t",
        "test_runner": "pytest",
        "venv": "/v",
        "commands": [],
        "resolved": {},
        "verify": asdict(verification),
        "timings": {},
    }
    record = record_from_json(data)
    assert isinstance(record, EnvRecord) and record.verify == verification
