"""Detection on tiny fixture repositories, one per packaging style (nothing is run)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from env_setup import BadRepository, Packaging, TestRunner, detect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "env"


@pytest.fixture
def repo(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a fixture out of our own git checkout, so its commit date is not ours."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


def test_pep621_hatch(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("pep621_hatch"))
    assert Packaging.PEP621 in found.packaging and Packaging.HATCH in found.packaging
    assert found.installable
    assert found.requires_python == ">=3.10"
    assert found.classifier_pythons == ("3.10", "3.11")
    assert found.test_extras == ("test",)
    assert "pytest-cov" in found.test_plugins  # from addopts --cov
    assert found.test_runner is TestRunner.PYTEST
    assert found.top_level_packages == ("hatchpkg",)
    assert found.test_paths == ("tests",)
    assert found.commit_date is None  # not a git repository


def test_poetry_constraints_and_groups(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("poetry"))
    assert Packaging.POETRY in found.packaging
    assert found.requires_python == ">=3.8,<4"
    assert "requests>=2.25,<3" in found.dependencies
    assert "click[colors]>=8.0,<8.1" in found.dependencies
    assert not any(dep.startswith("mylib") for dep in found.dependencies)  # git dependency
    assert "pytest>=7.0,<8" in found.test_requirements
    assert "pytest-asyncio" in found.test_plugins  # asyncio_mode in the pytest config


def test_flit_metadata_table(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("flit"))
    assert Packaging.FLIT in found.packaging
    assert found.requires_python == ">=3.6"
    assert found.test_extras == ("test",)
    assert found.top_level_packages == ("flitmod",)  # a single-module project
    assert found.has_tests


def test_pdm_dev_dependencies_and_script(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("pdm"))
    assert Packaging.PDM in found.packaging
    assert found.test_requirements == ("pytest>=7", "pytest-mock")  # the lint group is left out
    assert found.test_command_hint == "pytest -q tests"


def test_setup_py_is_read_statically(repo) -> None:  # type: ignore[no-untyped-def]
    root = repo("setuppy")
    (root / "setup.py").write_text(
        (root / "setup.py").read_text() + "\nraise SystemExit('never run me')\n"
    )
    found = detect(root)
    assert Packaging.SETUP_PY in found.packaging
    assert found.dependencies == ("six>=1.10", "python-dateutil", "simplejson")  # REQUIRES + EXTRA
    assert found.requires_python == ">=3.6"
    assert found.test_extras == ("tests",)
    assert {"mock", "freezegun"} <= set(found.test_requirements)  # tests_require + tox deps
    assert found.ci_pythons == ("3.6", "3.7")  # tox envlist
    assert found.test_runner is TestRunner.PYTEST


def test_setup_cfg(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("setupcfg"))
    assert Packaging.SETUP_CFG in found.packaging
    assert found.dependencies == ("requests>=2", "click")  # the inline comment is dropped
    assert found.test_extras == ("testing",)
    assert found.test_plugins == ("pytest-xdist",)  # addopts -n auto
    assert found.requires_python == ">=3.8"


def test_requirements_follow_r_and_c(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("requirements"))
    assert not found.installable
    # requirements-test.txt includes requirements.txt, so installing it alone is enough
    assert found.requirement_files == ("requirements-test.txt",)
    assert found.constraint_files == ("constraints.txt",)
    assert {"six", "requests==2.31.0", "pytest-timeout"} <= set(found.dependencies)
    assert "requirements/base.txt" in found.dependency_files
    assert "requirements-docs.txt" not in found.dependency_files
    assert found.make_test_target == "test"


def test_pipfile(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("pipfile"))
    assert Packaging.PIPFILE in found.packaging
    assert found.dependencies == ("requests", "flask==2.0.1")  # the path dependency is skipped
    assert found.test_requirements == ("pytest>=6",)
    assert found.requires_python == "==3.9.*"


def test_conda_names_map_to_pip(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("conda"))
    assert Packaging.CONDA in found.packaging
    assert found.dependencies == ("numpy==1.21.*", "torch", "scikit-learn>=1.0", "rich==13.0.0")
    assert found.requires_python == "==3.9.*"
    assert not found.has_tests
    assert found.test_runner is None


def test_github_workflow_matrix_and_steps(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("workflows"))
    assert found.ci_pythons == ("3.8", "3.9", "3.10")
    assert found.test_extras == ("ci",)  # named by `pip install -e .[ci]` in the workflow
    assert found.test_command_hint == "python -m pytest -x --timeout=60 tests"
    assert "pytest-timeout" in found.test_plugins
    assert "pip install -e .[ci]" in found.install_snippets


def test_noxfile_test_sessions_only(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("nox"))
    assert found.ci_pythons == ("3.10", "3.11")
    assert found.test_requirements == ("pytest-mock",)  # black from the lint session is not
    assert found.test_runner is TestRunner.PYTEST


def test_nose_project(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("nose"))
    assert found.test_runner is TestRunner.NOSE
    assert found.top_level_packages == ("nosepkg",)


def test_readme_snippet_names_extras(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("readme"))
    # `full` comes from CONTRIBUTING; `dev` joins because `full` has no test tools.
    assert found.test_extras == ("full", "dev")


def test_no_tests(repo) -> None:  # type: ignore[no-untyped-def]
    found = detect(repo("notests"))
    assert not found.has_tests and found.test_runner is None
    assert found.top_level_packages == ("notests",)


def test_makefile_unittest_when_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("test:\n\tpython -m unittest discover -s tests\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("import unittest\n")
    found = detect(tmp_path)
    assert found.test_runner is TestRunner.UNITTEST
    assert found.test_command_hint == "python -m unittest discover -s tests"


def test_python2_setup_py_is_a_note_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("print 'hello'\nsetup(name='x')\n")
    found = detect(tmp_path)
    assert found.installable
    assert any("Python 2" in note for note in found.notes)


def test_commit_date_from_git(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("")
    env = {"GIT_AUTHOR_DATE": "2016-05-01T12:00:00Z", "GIT_COMMITTER_DATE": "2016-05-01T12:00:00Z"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True, env={**_path_env(), **env})
    assert (detect(tmp_path).commit_date or "").startswith("2016-05-01")


def test_missing_directory_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadRepository) as info:
        detect(tmp_path / "nope")
    assert info.value.exit_code == 2


def _path_env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_tox_deps_keep_only_real_requirements(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text(
        "[testenv]\ndeps =\n    -Urrequirements.txt\n    plugins/example\n    -e .\n"
        "    dbt017: dbt==0.17\n    pytest-mock>=3\n    git+https://x.invalid/y.git\n"
        "commands = pytest\n"
    )
    assert detect(tmp_path).test_requirements == ("pytest-mock>=3",)
