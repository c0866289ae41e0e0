"""The harness's test commands: directives from the test patch, per-repository commands."""

from __future__ import annotations

import subprocess
from pathlib import Path

from env_setup import harness_test_command, patch_directives, read_at

PATCH = (
    "diff --git a/tests/admin_views/test_forms.py b/tests/admin_views/test_forms.py\n"
    "--- a/tests/admin_views/test_forms.py\n+++ b/tests/admin_views/test_forms.py\n"
    "diff --git a/tests/fixtures/data.json b/tests/fixtures/data.json\n"
    "diff --git a/tests/i18n/sampleproject/locale/fr.csv b/tests/i18n/sampleproject/locale/fr.csv\n"
    "diff --git a/tests/runtests.py b/tests/runtests.py\n"
)


def test_directives_leave_out_data_files_and_django_gets_module_labels() -> None:
    assert patch_directives("octo/x", PATCH) == (
        "tests/admin_views/test_forms.py",
        "tests/runtests.py",
    )
    assert patch_directives("django/django", PATCH) == ("admin_views.test_forms", "runtests")


def test_django_runs_runtests_with_labels_and_its_locale() -> None:
    command = harness_test_command("django/django", "3.0", test_patch=PATCH, venv="/v")
    assert command.parser == "django" and command.version == "3.0"
    assert command.command.startswith("export PATH=/v/bin:$PATH; export LANG=en_US.UTF-8")
    assert command.command.endswith(
        "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 "
        "admin_views.test_forms runtests"
    )


def test_sympy_runs_bin_test_on_the_files_and_an_unknown_version_takes_the_nearest() -> None:
    patch = "diff --git a/sympy/core/tests/test_basic.py b/sympy/core/tests/test_basic.py\n"
    command = harness_test_command("sympy/sympy", "1.4", test_patch=patch)
    assert command.parser == "sympy"
    assert command.command.endswith("bin/test -C --verbose sympy/core/tests/test_basic.py")
    assert "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning'" in command.command
    later = harness_test_command("sympy/sympy", "1.4.1", test_patch=patch)
    assert later.version == "1.4" and later.command == command.command


def test_pytest_repositories_keep_their_parsers_and_odd_paths_are_quoted() -> None:
    patch = "diff --git a/tests/test a.py b/tests/test a.py\n"
    command = harness_test_command("psf/requests", "2.0", test_patch=patch)
    assert command.parser == "pytest_options"
    assert command.command.endswith("pytest -rA 'tests/test a.py'")
    assert harness_test_command("sphinx-doc/sphinx", "5.0").parser == "pytest_v2"


def test_a_pytest_too_old_for_its_pytest_command_runs_as_py_test(tmp_path: Path) -> None:
    """pytest 2.8 (requests' pins of 2015) installs py.test only; the harness's command says
    pytest."""
    (tmp_path / "bin").mkdir()
    old = tmp_path / "bin" / "py.test"
    old.write_text('#!/bin/sh\necho "py.test $*"\n')
    old.chmod(0o755)
    command = harness_test_command("psf/requests", "2.9", venv=str(tmp_path)).command
    done = subprocess.run(
        ["sh", "-c", command], capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.stdout == "py.test -rA\n", done.stderr


def _repo(tmp_path: Path, files: dict[str, str]) -> tuple[Path, str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    git = ["git", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "i"],
                   check=True)  # fmt: skip
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    return tmp_path, head.stdout.strip()


def test_tox_current_env_runs_the_testenv_commands_with_ra_and_its_setenv(tmp_path: Path) -> None:
    tox = (
        "[tox]\nenvlist = py39\n\n[testenv]\nsetenv =\n    PYTHONWARNINGS = all\n"
        "    PYTEST_ADDOPTS = {env:PYTEST_ADDOPTS:} --color yes\n"
        "commands=\n    python -X dev -m pytest --durations 25 {posargs}\n"
    )
    root, head = _repo(tmp_path, {"tox.ini": tox})
    patch = "diff --git a/tests/test_build.py b/tests/test_build.py\n"
    command = harness_test_command(
        "sphinx-doc/sphinx", "4.0", test_patch=patch, read=read_at(root, head), venv="/v"
    )
    assert command.command == (
        'export PATH=/v/bin:$PATH; export PYTHONWARNINGS="all"; '
        'export PYTEST_ADDOPTS="${PYTEST_ADDOPTS:-} --color yes"; '
        "python -X dev -m pytest -rA --durations 25 tests/test_build.py"
    )
    bare = harness_test_command("sphinx-doc/sphinx", "4.0", test_patch=patch, venv="/v")
    assert bare.command.endswith("; python -m pytest -rA tests/test_build.py")  # no tox.ini


def test_unknown_repositories_run_pytest_on_the_named_files_or_the_patched_ones() -> None:
    named = ["python_testcases/test_gcd.py"]
    command = harness_test_command("jkoppel/QuixBugs", "1.0", named=named, venv="/v")
    assert command.version is None and command.directives == ("python_testcases/test_gcd.py",)
    patch = "diff --git a/t/test_a.py b/t/test_a.py\ndiff --git a/t/data.txt b/t/data.txt\n"
    command = harness_test_command("octo/x", None, test_patch=patch, named=["[100%]"])
    assert command.directives == ("t/test_a.py",)
