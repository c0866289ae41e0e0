"""Diagnosis of pip / pytest output and the repair rules (pure: no sandbox needed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from env_setup import Detection, Failure, RuleRepairer, Step, StepKind, make_plan
from env_setup.diagnose import Problem, diagnose, distribution_for, nearest_version
from env_setup.repair import _dropped, _repinned

IMAGES = {"3.9": "swe-agent/python:3.9", "3.11": "swe-agent/python:3.11"}
PIN_OUTPUT = """\
ERROR: Ignored the following yanked versions: 1.11.0
ERROR: Could not find a version that satisfies the requirement six==1.16.99 (from versions: \
0.9.0, 0.9.1, 1.0.0, 1.15.0, 1.16.0, 1.17.0)
ERROR: No matching distribution found for six==1.16.99
"""
BUILD_OUTPUT = """\
Collecting numpy==1.19.5 (from -r requirements.txt (line 1))
  Downloading numpy-1.19.5.zip (7.3 MB)
  error: subprocess-exited-with-error
  × Building wheel for numpy (pyproject.toml) did not run successfully.
  ERROR: Failed building wheel for numpy
Failed to build numpy
note: This error originates from a subprocess, and is likely not a problem with pip.
"""
BUILD_NEEDS_MODULE = """\
  error: subprocess-exited-with-error
  × Getting requirements to build wheel did not run successfully.
      ModuleNotFoundError: No module named 'numpy'
note: This error originates from a subprocess, and is likely not a problem with pip.
"""
COLLECT_MISSING = """\
==================================== ERRORS ====================================
_____________________ ERROR collecting tests/test_load.py ______________________
ImportError while importing test module '/workspace/tests/test_load.py'.
tests/test_load.py:1: in <module>
    import yaml
E   ModuleNotFoundError: No module named 'yaml'
1 error in 0.05s
"""


def _plan(**kwargs):  # type: ignore[no-untyped-def]
    return make_plan(Detection(installable=True, **kwargs), IMAGES, python="3.9", as_of=False)


def test_diagnose_impossible_pin() -> None:
    found = diagnose(PIN_OUTPUT)
    assert found.problem is Problem.NO_SUCH_VERSION
    assert (found.name, found.version) == ("six", "1.16.99")
    assert found.available[-1] == "1.17.0"


def test_diagnose_build_failure_names_the_pinned_package() -> None:
    found = diagnose(BUILD_OUTPUT)
    assert found.problem is Problem.BUILD_FAILED
    assert (found.name, found.version) == ("numpy", "1.19.5")


def test_diagnose_build_needing_a_module() -> None:
    found = diagnose(BUILD_NEEDS_MODULE)
    assert found.problem is Problem.MISSING_MODULE and found.during_build
    assert found.name == "numpy"


@pytest.mark.parametrize(
    ("output", "problem", "name"),
    [
        (COLLECT_MISSING, Problem.MISSING_MODULE, "yaml"),
        (
            "ERROR: usage: pytest [options]\npytest: error: unrecognized arguments: --cov=x",
            Problem.MISSING_PLUGIN,
            "pytest-cov",
        ),
        (
            "ImportError: cannot import name 'Markup' from 'jinja2' (/x/jinja2/__init__.py)",
            Problem.API_DRIFT,
            "jinja2",
        ),
        ("ModuleNotFoundError: No module named 'distutils'", Problem.WRONG_PYTHON, "distutils"),
        (
            "ERROR: Package 'x' requires a different Python: 3.9.2 not in '>=3.10'",
            Problem.WRONG_PYTHON,
            "",
        ),
        ("something else entirely", Problem.UNKNOWN, ""),
    ],
)
def test_diagnose_cases(output: str, problem: Problem, name: str) -> None:
    found = diagnose(output)
    assert (found.problem, found.name) == (problem, name)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("yaml", ["PyYAML", "yaml"]),
        ("cv2", ["opencv-python", "cv2"]),
        ("sklearn.linear_model", ["scikit-learn", "sklearn"]),
        ("PIL.Image", ["Pillow", "PIL"]),
        ("requests", ["requests"]),
        ("typing_extensions", ["typing-extensions"]),
    ],
)
def test_distribution_for(module: str, expected: list[str]) -> None:
    assert distribution_for(module) == expected


@pytest.mark.parametrize(
    ("wanted", "available", "nearest"),
    [
        ("1.16.99", ("1.15.0", "1.16.0", "1.17.0"), "1.16.0"),
        ("2.0.0", ("1.9", "2.1.0", "3.0.0"), "2.1.0"),
        ("0.5", ("1.0", "2.0rc1"), "1.0"),
        ("1.0", (), None),
    ],
)
def test_nearest_version(wanted: str, available: tuple[str, ...], nearest: str | None) -> None:
    assert nearest_version(wanted, available) == nearest


def test_missing_module_installs_the_distribution_then_reruns_nothing_for_verify() -> None:
    steps = RuleRepairer().propose(Failure(COLLECT_MISSING), plan=_plan(), tried=frozenset())
    assert len(steps) == 1 and steps[0].kind is StepKind.REPAIR
    assert steps[0].command.endswith("install PyYAML")


def test_a_module_current_setuptools_dropped_installs_an_older_setuptools() -> None:
    output = '  File "./astropy/wcs/setup_package.py", line 12, in <module>\n'
    output += "ModuleNotFoundError: No module named 'setuptools.dep_util'\n"
    failed = Step("pip install -e . --no-build-isolation", "the project", StepKind.PROJECT)
    plan = make_plan(Detection(installable=True), IMAGES, python="3.9", as_of="2022-03-31")
    steps = RuleRepairer().propose(Failure(output, failed), plan=plan, tried=frozenset())
    assert steps[0].command.endswith("install 'setuptools>=64,<69'")  # no date cutoff: 64 is newer
    assert steps[1] == failed


def test_second_candidate_when_the_first_was_tried() -> None:
    first = RuleRepairer().propose(Failure(COLLECT_MISSING), plan=_plan(), tried=frozenset())
    tried = frozenset({first[0].command})
    second = RuleRepairer().propose(Failure(COLLECT_MISSING), plan=_plan(), tried=tried)
    assert second[0].command.endswith("install yaml")
    tried |= {second[0].command}
    assert RuleRepairer().propose(Failure(COLLECT_MISSING), plan=_plan(), tried=tried) == []


def test_the_projects_own_package_is_not_installed_from_pypi() -> None:
    plan = _plan(top_level_packages=("yaml",))
    assert RuleRepairer().propose(Failure(COLLECT_MISSING), plan=plan, tried=frozenset()) == []


def test_build_needing_a_module_retries_without_isolation() -> None:
    failed = Step("pip install -e .", "the project", StepKind.PROJECT)
    steps = RuleRepairer().propose(
        Failure(BUILD_NEEDS_MODULE, failed), plan=_plan(), tried=frozenset()
    )
    assert steps[0].command.endswith("install numpy")
    assert steps[1].command == "pip install -e . --no-build-isolation"


def test_build_failure_prefers_wheels_then_widens_the_pin() -> None:
    failed = Step("pip install -r requirements.txt", "deps", StepKind.DEPENDENCIES)
    repairer, tried = RuleRepairer(), frozenset[str]()
    commands = []
    for _ in range(4):
        steps = repairer.propose(Failure(BUILD_OUTPUT, failed), plan=_plan(), tried=tried)
        commands.append(steps[-1].command)
        tried |= {steps[-1].command}
    assert commands[0] == "pip install -r requirements.txt --prefer-binary"
    assert "numpy 1.19.5 '>=1.19.5,<1.20'" in commands[1]
    assert commands[1].endswith(
        "requirements.txt --only-binary=numpy; rc=$?; git checkout -q -- .; exit $rc"
    )
    assert "numpy 1.19.5 '>=1.19.5,<2'" in commands[2]
    assert "numpy 1.19.5 '>=1.19.5' <<" in commands[3]


def test_missing_plugin_is_installed() -> None:
    output = "pytest: error: unrecognized arguments: -n"
    steps = RuleRepairer().propose(Failure(output), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith("install pytest-xdist")


def test_unknown_install_failure_toggles_the_date_cutoff() -> None:
    plan = _plan(commit_date="2019-05-01T10:00:00+00:00")
    failed = Step("/v/bin/python -m pip install -e .", "project", StepKind.PROJECT)
    steps = RuleRepairer().propose(Failure("boom", failed), plan=plan, tried=frozenset())
    assert "--uploaded-prior-to=2019-05-01T00:00:00Z" in steps[0].command
    back = RuleRepairer().propose(Failure("boom", steps[0]), plan=plan, tried=frozenset())
    assert back[0].command == "/v/bin/python -m pip install -e ."


def test_api_drift_installs_the_release_of_the_commit_date() -> None:
    plan = _plan(commit_date="2020-01-01T00:00:00+00:00")
    output = "ImportError: cannot import name 'Markup' from 'jinja2'"
    steps = RuleRepairer().propose(Failure(output), plan=plan, tried=frozenset())
    assert "--uploaded-prior-to=2020-01-01T00:00:00Z jinja2" in steps[0].command


def test_a_pip_that_cannot_date_is_not_asked_to() -> None:
    # Pythons before 3.9 get a pip without --uploaded-prior-to: astropy-7166 on 3.8 had a repair
    # fail on "no such option" where it meant to install astropy-helpers as of 2018-02-07.
    images = {**IMAGES, "3.8": "swe-agent/python:3.8"}
    detection = Detection(installable=True, commit_date="2020-01-01T00:00:00+00:00")
    plan = make_plan(detection, images, python="3.8", as_of=False)
    drift = "ImportError: cannot import name 'Markup' from 'jinja2'"
    failed = Step("/v/bin/python -m pip install -e .", "project", StepKind.PROJECT)
    for failure in (Failure(drift), Failure("boom", failed)):
        steps = RuleRepairer().propose(failure, plan=plan, tried=frozenset())
        assert not any("--uploaded-prior-to" in s.command for s in steps)


def test_repin_rewrites_files_and_restores_them(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six==1.16.99\nsixer==1.16.99\n")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    command = _repinned("cat requirements.txt", "six", "1.16.99", "==1.16.0")
    done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0
    assert "six==1.16.0\nsixer==1.16.99" in done.stdout  # only the named package changes
    assert (tmp_path / "requirements.txt").read_text() == "six==1.16.99\nsixer==1.16.99\n"


def test_repin_in_the_command_line() -> None:
    command = _repinned("pip install flask==2.0.1 'six==1.16.99'", "six", "1.16.99", "==1.16.0")
    assert command.splitlines()[-1].startswith("pip install flask==2.0.1 six==1.16.0;")


def test_repairs_keep_the_shell_syntax_of_the_command_they_rewrite(tmp_path: Path) -> None:
    # pvlib-1072's project step: a tag prefix and a $(...) flag. Split and quoted back, the
    # flag's `-c "..."` became pip's `-c` (constraints) naming a file that does not exist.
    command = (
        "git tag -f v0.8.0 >/dev/null 2>&1; printf '%s\\n' -e '.[test,optional]'"
        " pvfactors 'six==1.16.99'"
        " $(echo \"--no-build-\"'isolation')"
    )
    dropped = _dropped(Step(command, "p", StepKind.PROJECT), "pvfactors").command
    repinned = _repinned(command, "six", "1.16.99", "==1.16.0")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-qm", "x", "--allow-empty"], check=True)
    for rewritten, printed in (
        (dropped, "-e .[test,optional] six==1.16.99 --no-build-isolation"),
        (repinned, "-e .[test,optional] pvfactors six==1.16.0 --no-build-isolation"),
    ):
        done = subprocess.run(
            rewritten, shell=True, cwd=tmp_path, capture_output=True, text=True, check=True
        )
        assert done.stdout.split() == printed.split()


@pytest.mark.parametrize(
    "output",
    [
        "error: command 'x86_64-linux-gnu-gcc' failed: No such file or directory",
        # astropy_helpers (astropy of 2018) checks before it builds anything
        "The C compiler used to compile Python x86_64-linux-gnu-gcc -pthread, and\n"
        "which is normally used to compile C extensions, is not\navailable.",
    ],
)
def test_missing_compiler_installs_a_toolchain_then_reruns(output: str) -> None:
    failed = Step("pip install -e .", "the project", StepKind.PROJECT)
    steps = RuleRepairer().propose(
        Failure(output, failed), plan=_plan(), tried=frozenset({"pip install -e ."})
    )
    assert "apt-get install" in steps[0].command and "python3.9-dev" in steps[0].command
    assert steps[1] == failed  # the failed command itself is re-run, even though it was tried


def test_backend_without_editable_hook_builds_without_isolation() -> None:
    output = (
        "ERROR: Project file:///workspace uses a build backend that is missing the "
        "'build_editable' hook, so it cannot be installed in editable mode."
    )
    failed = Step(
        "pip install --uploaded-prior-to=2021-06-02T00:00:00Z -e .", "p", StepKind.PROJECT
    )
    steps = RuleRepairer().propose(Failure(output, failed), plan=_plan(), tried=frozenset())
    assert steps[0].command == f"{failed.command} --no-build-isolation"


@pytest.mark.parametrize(
    "output",
    [
        "ModuleNotFoundError: No module named 'tomllib'",
        "ImportError: cannot import name 'Mapping' from 'collections' (/usr/lib/python3.11/c.py)",
    ],
)
def test_missing_standard_library_names_mean_another_python(output: str) -> None:
    assert diagnose(output).problem is Problem.WRONG_PYTHON
    assert RuleRepairer().propose(Failure(output), plan=_plan(), tried=frozenset()) == []


def test_a_requirement_with_no_release_is_dropped(tmp_path: Path) -> None:
    output = (
        "ERROR: Could not find a version that satisfies the requirement types-pkg_resources "
        "(from versions: none)\nERROR: No matching distribution found for types-pkg_resources\n"
    )
    failed = Step("cat requirements_dev.txt", "dev requirements", StepKind.DEPENDENCIES)
    steps = RuleRepairer().propose(Failure(output, failed), plan=_plan(), tried=frozenset())
    (tmp_path / "requirements_dev.txt").write_text("mypy\ntypes-pkg_resources\ntypes-pkg-x\n")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    done = subprocess.run(
        steps[0].command, shell=True, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.endswith("mypy\ntypes-pkg-x\n")
    assert "types-pkg_resources" in (tmp_path / "requirements_dev.txt").read_text()  # restored


def test_no_release_under_a_date_cutoff_drops_the_cutoff_first() -> None:
    output = "ERROR: No matching distribution found for newthing\n"
    failed = Step(
        "pip install --uploaded-prior-to=2020-01-01T00:00:00Z newthing", "t", StepKind.TEST_TOOLS
    )
    steps = RuleRepairer().propose(Failure(output, failed), plan=_plan(), tried=frozenset())
    assert steps[0].command == "pip install newthing"


def test_a_conflicting_pinned_tool_is_dropped() -> None:
    output = """\
The conflict is caused by:
    The user requested astroid 2.9.0.dev0 (from /workspace)
    pylint 2.11.1 depends on astroid<2.9 and >=2.8.0
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/...
"""
    found = diagnose(output)
    assert (found.problem, found.name) == (Problem.CONFLICT, "pylint")
    failed = Step("pip install -r requirements_test.txt", "test deps", StepKind.DEPENDENCIES)
    steps = RuleRepairer().propose(Failure(output, failed), plan=_plan(), tried=frozenset())
    assert steps[0].command.startswith("python3 - pylint <<'PY'")
    assert steps[0].command.splitlines()[-1].startswith("pip install -r requirements_test.txt;")
    # The drop failed the same way: dropping again would wrap it in itself, round after round.
    again = RuleRepairer().propose(Failure(output, steps[0]), plan=_plan(), tried=frozenset())
    assert not any(s.command.count("<<'PY'") > 1 for s in again)


def test_a_pytest_too_old_to_collect_is_upgraded() -> None:
    output = "Usage: pytest.py [options]\n\npytest.py: error: no such option: --collect-only\n"
    steps = RuleRepairer().propose(Failure(output), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith("install --upgrade pytest")


def test_a_plugin_too_old_for_pytest_is_upgraded() -> None:
    output = (
        "INTERNALERROR> pluggy.manager.PluginValidationError: unknown hook 'pytest_funcarg__cov' "
        "in plugin <module 'pytest_cov' from '/opt/swe-venv/lib/python3.9/site-packages/x.py'>"
    )
    steps = RuleRepairer().propose(Failure(output), plan=_plan(), tried=frozenset())
    assert steps[0].command.endswith("install --upgrade pytest-cov")


def test_collected_count_from_old_and_new_pytest() -> None:
    from env_setup.verify import collected_count

    assert collected_count("a.py::t1\na.py::t2\n\n2 tests collected in 0.01s\n") == 2
    assert collected_count("a.py::t1\nb.py::T::t2\n\nno tests ran in 0.51s\n") == 2
    assert collected_count("collected 5 items\n") == 5


def test_old_pytest_ids_are_counted_before_the_output_cap_cuts_them() -> None:
    import subprocess

    from env_setup.verify import counted, listed_count

    ids = "".join(f"pkg/test_{i}.py::test_x\n" for i in range(3000))  # 75,000 characters
    listing = f"printf '{ids}E   a::b\n  <indented::x>\n'; echo warn >&2; exit 2"
    done = subprocess.run(["bash", "-c", counted(listing)], capture_output=True, text=True)
    stderr, count = listed_count(done.stderr)
    assert (count, stderr, done.returncode) == (3000, "warn", 2)
    assert done.stdout.endswith("  <indented::x>\n")  # the command's own output, as it was
