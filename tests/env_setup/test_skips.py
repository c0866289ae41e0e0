"""Skip reasons that name a missing module, and the installs that add it."""

from __future__ import annotations

import pytest

from env_setup.skips import MAX_MODULES, install_steps, reason_module, skipped_modules, skips

PVLIB_TAIL = """\
PASSED pvlib/tests/test_solarposition.py::test_spa_python_numpy_physical
SKIPPED [4] pvlib/tests/test_solarposition.py:228: requires ephem
SKIPPED [3] pvlib/tests/test_solarposition.py:611: requires numba
SKIPPED [1] pvlib/tests/test_clearsky.py:30: requires network access
SKIPPED [1] pvlib/tests/conftest.py:12: could not import 'netCDF4': No module named 'netCDF4'
SKIPPED [2] pvlib/tests/test_other.py:5: requires siphon
FAILED pvlib/tests/test_solarposition.py::test_x - AssertionError
"""


@pytest.mark.parametrize(
    ("reason", "module"),
    [
        ("requires ephem", "ephem"),
        ("requires numba", "numba"),
        ("Requires the `toolz` package", "toolz"),
        ("requires scipy>=1.5", "scipy"),
        ("requires pandas (>= 1.0)", "pandas"),
        ("test requires yaml to be installed", "yaml"),
        ("six is not installed", "six"),
        ("'PIL' not available", "PIL"),
        ("could not import 'cv2': No module named 'cv2'", "cv2"),
        ("No module named 'sklearn.linear_model'", "sklearn.linear_model"),
        ("requires network access", None),
        ("requires network", None),
        ("requires python3.10 or higher", None),
        ("requires Python 3.8", None),
        ("requires sqlite3", None),  # standard library: nothing on PyPI to install
        ("requires git", None),  # a program, not the GitPython distribution
        ("flaky on windows", None),
        ("not implemented yet", None),
    ],
)
def test_reason_module(reason: str, module: str | None) -> None:
    assert reason_module(reason) == module


def test_skip_lines_keep_their_path_and_reason() -> None:
    found = skips(PVLIB_TAIL)
    assert [(s.path, s.module) for s in found[:2]] == [
        ("pvlib/tests/test_solarposition.py", "ephem"),
        ("pvlib/tests/test_solarposition.py", "numba"),
    ]
    assert found[2].reason == "requires network access" and found[2].module is None
    assert skips("SKIP [1] t.py:3: requires ephem\n")[0].module == "ephem"  # pytest < 3.x


def test_skipped_modules_of_named_files_and_conftests_only() -> None:
    files = ["pvlib/tests/test_solarposition.py::test_sun_rise_set_transit_ephem"]
    assert skipped_modules(PVLIB_TAIL, files=files) == ("ephem", "numba", "netCDF4")
    assert skipped_modules(PVLIB_TAIL, files=["pvlib/tests/test_other.py::t"]) == (
        "netCDF4",
        "siphon",
    )
    assert skipped_modules(PVLIB_TAIL)[:MAX_MODULES] == skipped_modules(PVLIB_TAIL)
    assert len(skipped_modules(PVLIB_TAIL)) == MAX_MODULES


def test_the_project_s_own_package_is_never_installed() -> None:
    output = "SKIPPED [1] t/test_a.py:3: No module named 'mypkg._speedups'\n"
    assert skipped_modules(output, own=("mypkg",)) == ()
    assert skipped_modules(output) == ("mypkg._speedups",)


def test_install_steps_keep_what_is_installed_and_try_the_date_first() -> None:
    dated, latest = install_steps("yaml", python_bin="/v/bin/python", as_of="2021-06-02T00:00:00Z")
    assert "--uploaded-prior-to=2021-06-02T00:00:00Z" in dated.command
    assert "--uploaded-prior-to" not in latest.command
    for step in (dated, latest):
        assert step.command.startswith("/v/bin/python -m pip freeze --exclude-editable")
        assert step.command.endswith("-c /tmp/swe-keep.txt PyYAML")
    assert [s.command for s in install_steps("six", python_bin="p", as_of=None)] == [
        "p -m pip freeze --exclude-editable | grep '==' > /tmp/swe-keep.txt; "
        "p -m pip install --prefer-binary -c /tmp/swe-keep.txt six"
    ]
