"""Failures of another era read from real outputs, and the repairs the rules propose for them."""

from __future__ import annotations

from dataclasses import replace

from env_setup import Detection, Failure, RuleRepairer, Step, StepKind, make_plan
from env_setup.diagnose import Problem, diagnose

IMAGES = {"3.9": "swe-agent/python:3.9"}
# requests' requirements.txt of 2016 pins coverage 4.0.3, whose parser reads an opcode that
# Python 3.8 removed; pytest-cov loads it at start-up.
STALE_COVERAGE = """\
  File "/opt/swe-venv/lib/python3.9/site-packages/_pytest/vendored_packages/pluggy.py", line 501, in load_setuptools_entrypoints
    plugin = ep.load()
  File "/opt/swe-venv/lib/python3.9/site-packages/pkg_resources/__init__.py", line 2488, in resolve
    module = __import__(self.module_name, fromlist=['__name__'], level=0)
  File "/opt/swe-venv/lib/python3.9/site-packages/pytest_cov/plugin.py", line 5, in <module>
    from coverage.misc import CoverageException
  File "/opt/swe-venv/lib/python3.9/site-packages/coverage/parser.py", line 320, in <module>
    OP_BREAK_LOOP = _opcode('BREAK_LOOP')
  File "/opt/swe-venv/lib/python3.9/site-packages/coverage/parser.py", line 278, in _opcode
    return dis.opmap[name]
KeyError: 'BREAK_LOOP'
"""  # noqa: E501 - a traceback as pytest prints it
# pytest-astropy-header of 2019 on an astropy it takes for one older than 3.0.
PLUGIN_ERA = """\
Traceback (most recent call last):
  File "/opt/swe-venv/lib/python3.9/site-packages/pytest_astropy_header/display.py", line 47, in <module>
    from astropy.tests.pytest_plugins import (PYTEST_HEADER_MODULES,
ModuleNotFoundError: No module named 'astropy.tests.pytest_plugins'
"""  # noqa: E501
# astropy's ah_bootstrap when the astropy_helpers submodule is absent and downloads are off.
BUILD_ADVICE = """\
  error: subprocess-exited-with-error
  × Getting requirements to build editable did not run successfully.
  │ exit code: 1
  ╰─> Failed to import astropy_helpers: the submodule is missing; pip install astropy_helpers
note: This error originates from a subprocess, and is likely not a problem with pip.
"""
WHEEL_TOO_OLD = """\
  File "/opt/swe-venv/lib/python3.9/site-packages/setuptools/command/editable_wheel.py", line 5
    from wheel.wheelfile import WheelFile
ModuleNotFoundError: No module named 'wheel.wheelfile'
  error: subprocess-exited-with-error
"""
CUTOFF = "2021-06-02T00:00:00Z"


def _plan(**kwargs):  # type: ignore[no-untyped-def]
    detection = Detection(installable=True, commit_date="2016-06-28T08:33:29+01:00", **kwargs)
    return make_plan(detection, IMAGES, python="3.9", as_of=CUTOFF)


def test_a_package_too_old_for_the_interpreter_is_upgraded_as_of_the_cutoff() -> None:
    found = diagnose(STALE_COVERAGE)
    assert found.problem is Problem.STALE_PACKAGE and found.name == "coverage"
    steps = RuleRepairer().propose(Failure(STALE_COVERAGE), plan=_plan(), tried=frozenset())
    assert [s.command.split(" install ")[1] for s in steps] == [
        f"--uploaded-prior-to={CUTOFF} --upgrade coverage"
    ]
    assert steps[0].source == "repair rule: stale-package"


def test_a_plugin_of_another_era_is_pinned_to_the_spec_then_the_commit_date() -> None:
    found = diagnose(PLUGIN_ERA)
    assert found.problem is Problem.PLUGIN_ERA and found.name == "pytest-astropy-header"
    plan = replace(
        _plan(top_level_packages=("astropy",)), known_pins=("pytest-astropy-header==0.2.2",)
    )
    repairer = RuleRepairer()
    first = repairer.propose(Failure(PLUGIN_ERA), plan=plan, tried=frozenset())
    assert first[0].command.endswith("install pytest-astropy-header==0.2.2")
    second = repairer.propose(
        Failure(PLUGIN_ERA), plan=plan, tried=frozenset(s.command for s in first)
    )
    assert second[0].command.endswith(
        "--uploaded-prior-to=2016-06-28T00:00:00Z pytest-astropy-header"
    )
    third = repairer.propose(
        Failure(PLUGIN_ERA), plan=plan, tried=frozenset(s.command for s in first + second)
    )
    assert third[0].command.endswith("install --upgrade pytest-astropy-header")


def test_a_plugin_lacking_a_module_of_its_own_gets_that_module() -> None:
    output = PLUGIN_ERA.replace("astropy.tests.pytest_plugins", "yaml")
    steps = RuleRepairer().propose(Failure(output), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith(f"--uploaded-prior-to={CUTOFF} PyYAML")


def test_the_builds_own_advice_is_installed_as_of_the_date() -> None:
    found = diagnose(BUILD_ADVICE)
    assert found.problem is Problem.BUILD_NEEDS and found.name == "astropy_helpers"
    project = Step(f"pip install --uploaded-prior-to={CUTOFF} -e .", "p", StepKind.PROJECT)
    steps = RuleRepairer().propose(Failure(BUILD_ADVICE, project), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith(f"--uploaded-prior-to={CUTOFF} astropy_helpers")
    assert steps[1].command == f"{project.command} --no-build-isolation"


def test_a_build_that_says_a_package_must_be_installed_gets_it_in_the_venv() -> None:
    output = (
        "Getting requirements to build editable: finished with status 'error'\n"
        '  File "/workspace/astropy/__init__.py", line 110, in _check_numpy\n'
        "      ImportError: Numpy version 1.10.0 or later must be installed to use Astropy\n"
        "ERROR: Failed to build 'file:///workspace' when getting requirements to build editable\n"
        "note: This error originates from a subprocess, and is likely not a problem with pip.\n"
    )
    project = Step(f"pip install --uploaded-prior-to={CUTOFF} -e .", "p", StepKind.PROJECT)
    steps = RuleRepairer().propose(Failure(output, project), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith(f"--uploaded-prior-to={CUTOFF} Numpy")
    assert steps[1].command == f"{project.command} --no-build-isolation"


def test_a_submodule_missing_from_an_installed_package_never_reinstalls_the_same_pin() -> None:
    project = Step(f"pip install --uploaded-prior-to={CUTOFF} -e .", "p", StepKind.PROJECT)
    steps = RuleRepairer().propose(Failure(WHEEL_TOO_OLD, project), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith("install --upgrade wheel")  # the newest has wheelfile
    assert all(f"--uploaded-prior-to={CUTOFF} wheel" not in s.command for s in steps)
    again = RuleRepairer().propose(
        Failure(WHEEL_TOO_OLD, project), plan=_plan(), tried=frozenset(s.command for s in steps)
    )
    assert again == []  # nothing else to try for it


def test_an_old_setuptools_without_editable_hook_installs_the_way_of_its_time() -> None:
    found = diagnose("ERROR: Project file:///workspace has a 'pyproject.toml' and its build "
                     "backend is missing the 'build_editable' hook.")  # fmt: skip
    assert found.problem is Problem.NO_EDITABLE_HOOK
    dated = Step(f"pip install --uploaded-prior-to={CUTOFF} -e '.[test]' --no-build-isolation",
                 "p", StepKind.PROJECT)  # fmt: skip
    hook = Failure("backend is missing the 'build_editable' hook", dated)
    steps = RuleRepairer().propose(hook, plan=_plan(), tried=frozenset())
    assert "setup.py develop --no-deps" in steps[0].command
    assert "- test <<'PY'" in steps[0].command  # the chosen extras' requirements too


def test_the_projects_own_package_failing_in_its_build_installs_the_way_of_its_time() -> None:
    # astropy of February 2018: setup.py imports astropy, which wants its compiled parts unless
    # setup.py is the main script; pip's build backend runs it from its own.
    output = (
        '  File "/workspace/astropy/__init__.py", line 180, in _initialize_astropy\n'
        "    from .utils import _compiler\n"
        "  ImportError: cannot import name '_compiler' from 'astropy.utils'\n"
        "  error: subprocess-exited-with-error\n"
        "error: metadata-generation-failed\n"
    )
    retry = Step(f"pip install --uploaded-prior-to={CUTOFF} -e '.[test]' --no-build-isolation",
                 "p", StepKind.REPAIR)  # fmt: skip
    plan = _plan(top_level_packages=("astropy",))
    steps = RuleRepairer().propose(Failure(output, retry), plan=plan, tried=frozenset())
    assert "setup.py develop --no-deps" in steps[0].command and "- test <<'PY'" in steps[0].command
    # Another package's module: not this rule.
    other = output.replace("astropy.utils", "numpy.core")
    steps = RuleRepairer().propose(Failure(other, retry), plan=plan, tried=frozenset())
    assert all("setup.py develop" not in s.command for s in steps)


def test_a_pytest_older_than_the_interpreter_is_moved_to_the_cutoff() -> None:
    # requests pinned pytest 2.8.7 in 2016; its assertion rewriting fails on Python 3.8+.
    output = """\
INTERNALERROR>   File "/opt/swe-venv/lib/python3.9/site-packages/_pytest/assertion/__init__.py", line 150, in warn_about_missing_assertion
INTERNALERROR>     assert False
INTERNALERROR> AssertionError
"""  # noqa: E501
    steps = RuleRepairer().propose(Failure(output), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith(f"--uploaded-prior-to={CUTOFF} --upgrade pytest")
    py2 = (
        'File "/v/site-packages/_pytest/main.py", line 10\n'
        "ModuleNotFoundError: No module named 'UserDict'\n"
    )
    assert diagnose(py2).problem is Problem.STALE_PACKAGE


def test_collection_errors_outlast_pages_of_warnings() -> None:
    from env_setup.verify import focus

    errors = "==================== ERRORS ====================\nE   ImportError: x\n"
    warnings = "=== warnings summary ===\n" + "DeprecationWarning: old\n" * 500
    kept = focus("collecting\n" + errors + warnings + "1 error in 3.5s\n")
    assert "ImportError: x" in kept and kept.endswith("1 error in 3.5s\n")
    assert len(kept) <= 4000
