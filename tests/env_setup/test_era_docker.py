"""Environments at old commits, one small repository per failure class, through real Docker.

Each fixture is committed with an old date, so its dependencies resolve as of that date: the
classes are the build tooling's era (an old wheel and packaging pinned next to an editable
build), a build that names what it needs, a package older than the interpreter, a pytest
plugin of another era, sympy's own runner, the Python of the commit's era after 3.9, and
packages as of the date on a Python whose pip cannot date (through a dated index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from env_setup import EnvRecord, SetupOptions, setup_environment
from env_setup.model import Tooling

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1500)]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "env"
PYTHON = "3.9"
OLD = "2019-06-01T12:00:00+00:00"


def _mirrors() -> Path:
    """Where `bench` looks for mirrors: $SWE_AGENT_MIRRORS, else the user's mirror cache."""
    from swe_agent.bench.repos import default_mirror_cache

    found = os.environ.get("SWE_AGENT_MIRRORS")
    return Path(found) if found else default_mirror_cache()


@pytest.fixture(scope="module")
def made() -> Iterator[list[str]]:
    """Skip without a daemon or the base image; remove the images the tests made."""
    from env_setup.cache import available_images, docker_client

    client = docker_client()
    if client is None:
        pytest.skip("no Docker daemon")
    if PYTHON not in available_images(client):
        pytest.skip(f"no base image for Python {PYTHON}: run `swe-agent sandbox bootstrap`")
    images: list[str] = []
    yield images
    for tag in set(images):
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)


def _old_repo(name: str, tmp_path: Path, *, date: str = OLD) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], check=True, env=env)
    return root


def _setup(root: Path, made: list[str], **options: object) -> EnvRecord:
    """Set up ``root`` uncached (on PYTHON alone unless ``options`` say otherwise)."""
    opts = SetupOptions(**{"python": PYTHON, "use_cache": False, "max_pythons": 1, **options})  # type: ignore[arg-type]
    record = setup_environment(root, opts)
    if record.image:
        made.append(record.image)
    return record


def _needs_bases(*pythons: str) -> None:
    from env_setup.cache import available_images, docker_client

    missing = sorted(set(pythons) - set(available_images(docker_client())))
    if missing:
        pytest.skip(f"no base image for Python {', '.join(missing)}: `swe-agent sandbox bootstrap`")


def _repairs(record: EnvRecord) -> list[str]:
    return [c.command for c in record.commands if c.kind == "repair"]


def test_old_wheel_and_packaging_pins_do_not_reach_the_isolated_build(
    tmp_path: Path, made: list[str]
) -> None:
    root = _old_repo("docker_era_tooling", tmp_path)
    record = _setup(root, made)
    assert record.success, record.commands[-1].output_tail
    assert record.tooling == "isolated" and record.uploaded_prior_to == "2021-06-02T00:00:00Z"
    # What is installed follows the pins and the date; the build took the tooling folder's.
    assert record.resolved["wheel"] == "0.29.0" and record.resolved["packaging"] == "20.9"
    project = next(c for c in record.commands if c.kind == "project")
    assert project.ok and "--no-build-isolation" not in project.command
    assert not _repairs(record)


@pytest.mark.full
def test_dated_tooling_installs_the_way_of_its_time(tmp_path: Path, made: list[str]) -> None:
    root = _old_repo("docker_era_tooling", tmp_path)
    record = _setup(root, made, tooling=Tooling.DATED)
    assert record.success, record.commands[-1].output_tail
    tools = next(c for c in record.commands if c.source == "era tooling" and c.kind != "tooling")
    assert "--force-reinstall --no-deps setuptools wheel packaging" in tools.command
    # setuptools of 2021 has no editable hook for today's pip: setup.py develop, as then.
    assert any("setup.py develop --no-deps" in c for c in _repairs(record))


@pytest.mark.full
def test_a_build_that_names_what_it_needs_gets_it(tmp_path: Path, made: list[str]) -> None:
    root = _old_repo("docker_build_advice", tmp_path)
    record = _setup(root, made)
    assert record.success, record.commands[-1].output_tail
    repairs = _repairs(record)
    assert repairs[0].endswith("--uploaded-prior-to=2021-06-02T00:00:00Z six")
    assert " -e . " in repairs[1] and repairs[1].endswith(" --no-build-isolation")
    assert record.verify is not None and record.verify.imports == {"advised": None}


@pytest.mark.full
def test_a_package_older_than_the_interpreter_is_moved_to_the_cutoff(
    tmp_path: Path, made: list[str]
) -> None:
    root = _old_repo("docker_stale_package", tmp_path)
    record = _setup(root, made)
    assert record.success, record.verify
    assert any(c.endswith("--upgrade coverage") for c in _repairs(record))
    assert record.resolved["coverage"].startswith("5.")  # 4.0.3 cannot start on Python 3.9


@pytest.mark.full
def test_a_plugin_of_another_era_is_pinned_until_collection_works(
    tmp_path: Path, made: list[str]
) -> None:
    root = _old_repo("docker_plugin_era", tmp_path)
    record = _setup(root, made)
    assert record.success, record.verify
    sources = {c.source for c in record.commands if c.kind == "repair"}
    assert sources == {"repair rule: plugin-era"}
    assert record.resolved["pytest-astropy-header"].startswith("0.2.")


def test_sympy_is_verified_with_its_own_runner(tmp_path: Path, made: list[str]) -> None:
    mirror = _mirrors() / "sympy+sympy" / "repo"
    if not mirror.is_dir():
        pytest.skip(
            f"no sympy mirror at {mirror}: set SWE_AGENT_MIRRORS to a folder holding "
            "sympy+sympy/repo (a bare clone of github.com/sympy/sympy)"
        )
    root = tmp_path / "sympy"
    subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(mirror), str(root)],
                   check=True)  # fmt: skip
    commit = "1659712001810f5fc563a443949f8e3bb38af4bd"  # sympy 1.1.2.dev, 2018-01-27
    record = _setup(root, made, commit=commit, tests=("sympy/core/tests/test_basic.py",))
    assert record.success, record.verify
    assert record.known_spec == "sympy/sympy 1.1"
    assert record.own_test_command is not None and "bin/test" in record.own_test_command
    assert record.verify is not None and "bin/test" in record.verify.collect_command


def test_exact_pins_of_2016_choose_the_python_of_their_era(tmp_path: Path, made: list[str]) -> None:
    _needs_bases("3.6")
    root = _old_repo("docker_pinned_era", tmp_path, date="2016-06-28T08:33:29+01:00")
    record = _setup(root, made, python=None)
    assert record.success, record.verify
    assert record.python == "3.6" and "pytest==2.8.7" in record.python_reason
    # The pins as they are: no repair moved pytest to another era.
    assert record.resolved["pytest"] == "2.8.7" and not _repairs(record)
    assert record.verify is not None and record.verify.collected == 2


def test_when_the_dating_python_fails_the_era_python_is_next(
    tmp_path: Path, made: list[str]
) -> None:
    # A 2018 package that imports what 3.9 removed: 3.9 (its pip dates) goes first and fails,
    # then the Python nearest the commit's era, not a newer one (where it would fail as well).
    _needs_bases("3.6", "3.9")
    root = _old_repo("docker_era_python", tmp_path, date="2018-02-07T12:00:00+00:00")
    record = _setup(root, made, python=None, max_pythons=2)
    assert record.success, record.verify
    assert record.python == "3.6" and "after Python 3.9 failed" in record.python_reason
    assert any(c.python == "3.9" for c in record.commands)  # the failed attempt stays logged
    assert record.uploaded_prior_to is None  # 3.6's pip cannot date: the dated index does
    assert record.dated_by == "pypi-timemachine index"
    assert record.dated_index == "2018-02-08T00:00:00Z"
    assert record.verify is not None and record.verify.collected == 1


def test_an_old_python_installs_as_of_the_commit_date_through_a_dated_index(
    tmp_path: Path, made: list[str]
) -> None:
    # Nothing pinned, tests that need pytest < 4: the newest pytest for 3.6 (7.0) fails them.
    _needs_bases("3.6")
    root = _old_repo("docker_era_dated", tmp_path, date="2018-02-07T12:00:00+00:00")
    record = _setup(root, made, python="3.6")
    assert record.success, record.verify
    assert record.dated_by == "pypi-timemachine index" and record.uploaded_prior_to is None
    assert record.resolved["pytest"].startswith("3.")  # 3.4.0 of 2018-01-30
    assert record.verify is not None and record.verify.collected == 2


@pytest.mark.full
def test_a_spec_of_a_guessed_version_is_dropped_when_it_fails(
    tmp_path: Path, made: list[str]
) -> None:
    # The checkout says flask 2.0.0.dev: the known spec of flask 2.0 pins MarkupSafe 2.1.3,
    # which this 2019 build refuses; without the spec, MarkupSafe comes as of the date.
    root = _old_repo("docker_guessed_spec", tmp_path)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin",
                    "https://github.com/pallets/flask.git"], check=True)  # fmt: skip
    record = _setup(root, made)
    assert record.success, record.verify
    assert record.known_spec is None and "pallets/flask 2.0" in record.python_reason
    assert any(c.source == "known-spec pallets/flask 2.0" and c.python == PYTHON
               for c in record.commands)  # fmt: skip
    assert record.resolved["MarkupSafe"].startswith("2.0.")  # as of 2021-06-02, Python 3.9's
    assert record.verify is not None and record.verify.collected == 1


@pytest.mark.full
def test_a_setup_py_that_must_be_the_main_script_is_installed_the_way_of_its_time(
    tmp_path: Path, made: list[str]
) -> None:
    root = _old_repo("docker_legacy_setup", tmp_path)
    record = _setup(root, made)
    assert record.success, record.verify
    develop = [c for c in record.commands if "setup.py develop --no-deps" in c.command]
    assert [c.ok for c in develop] == [True] and develop[0].source == "repair rule: missing-module"
    assert record.verify is not None and record.verify.collected == 1


def test_a_c_extension_builds_on_the_era_python(tmp_path: Path, made: list[str]) -> None:
    # Ubuntu bionic's 3.6 compiles with -specs=/usr/share/dpkg/no-pie-compile.specs (dpkg-dev):
    # the compiler repair installs it with gcc, so C extensions build (astropy-7166's psutil).
    _needs_bases("3.6")
    root = _old_repo("docker_compiler", tmp_path, date="2018-02-07T12:00:00+00:00")
    record = _setup(root, made, python="3.6")
    assert record.success, record.commands[-1].output_tail
    assert any("dpkg-dev" in command for command in _repairs(record))
    assert record.verify is not None and record.verify.imports == {"fastsum": None}


def test_old_compiled_code_drops_a_guessed_spec_and_builds_on_its_era_python(
    tmp_path: Path, made: list[str]
) -> None:
    # astropy-7166's class: a 2018 C extension whose checkout says 3.1.dev, the astropy spec of
    # 3.1 (Python 3.9, packages of 2023): not used; the era's Python, dated, and no 3.9 attempt.
    _needs_bases("3.6", "3.9")
    root = _old_repo("docker_compiled_guess", tmp_path, date="2018-02-07T12:00:00+00:00")
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin",
                    "https://github.com/astropy/astropy.git"], check=True)  # fmt: skip
    record = _setup(root, made, python=None, max_pythons=2)
    assert record.success, record.commands[-1].output_tail
    assert record.known_spec is None and any("astropy/astropy 3.1" in n for n in record.notes)
    assert record.python == "3.6" and "compiled sources" in record.python_reason
    assert {c.python for c in record.commands} == {"3.6"}
    assert record.dated_by == "pypi-timemachine index"
    assert record.dated_index == "2018-02-08T00:00:00Z"
