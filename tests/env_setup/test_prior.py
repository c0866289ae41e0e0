"""Known specs as a prior: conda packages as pip pins, pre-install, the Python, the own runner."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from env_setup import Detection, StepKind, make_plan, spec_for
from env_setup.known import read_at, version_at
from env_setup.prior import (
    conda_to_pip,
    pre_install_blocks,
    prior_for,
    prior_of,
    project_extras,
    repo_name,
)

IMAGES = {
    "3.8": "swe-agent/python:3.8",
    "3.9": "swe-agent/python:3.9",
    "3.11": "swe-agent/python:3.11",
}


@pytest.mark.parametrize(
    ("packages", "pins"),
    [
        ("mpmath flake8", ("mpmath", "flake8")),
        ("setuptools==38.2.4", ("setuptools==38.2.4",)),
        ("numpy=1.19", ("numpy~=1.19.0",)),
        ("numpy=1.19.2", ("numpy==1.19.2",)),
        ("'numpy==1.19.2' 'pandas<2.0.0' python gxx_linux-64", ("numpy==1.19.2", "pandas<2.0.0")),
        ("requirements.txt", ()),
        ("environment.yml", ()),
        (None, ()),
    ],
)
def test_conda_packages_become_pip_requirements(
    packages: str | None, pins: tuple[str, ...]
) -> None:
    assert conda_to_pip(packages) == pins


def test_variable_assignments_stay_with_the_lines_that_use_them() -> None:
    blocks = pre_install_blocks(
        ('QHULL_URL="http://x/q.tgz"', 'wget -O /tmp/q.tgz "$QHULL_URL"', "apt-get install -y y")
    )
    assert blocks == ('QHULL_URL="http://x/q.tgz" && wget -O /tmp/q.tgz "$QHULL_URL"',
                      "apt-get install -y y")  # fmt: skip


def test_sympy_spec_names_its_own_runner_and_pins() -> None:
    spec = spec_for("sympy/sympy", "1.1")
    assert spec is not None
    prior = prior_of(spec)
    assert prior.test_command is not None and "bin/test" in prior.test_command
    assert prior.pins == ("mpmath==1.3.0", "flake8-comprehensions", "mpmath", "flake8")
    assert prior.source == "known-spec sympy/sympy 1.1"


def test_a_pytest_spec_leaves_the_runner_to_detection() -> None:
    spec = spec_for("astropy/astropy", "4.3")
    assert spec is not None
    prior = prior_of(spec)
    assert prior.test_command is None
    assert prior.extras == ("test",)
    assert any(pin.startswith("pytest-astropy-header==") for pin in prior.pins)


def test_the_plan_starts_from_the_spec_and_says_so() -> None:
    spec = spec_for("astropy/astropy", "1.3")  # Python 3.6 there: no image, 3.8 is the nearest
    assert spec is not None
    prior = prior_of(spec)
    detection = Detection(installable=True, commit_date="2017-03-01", test_extras=("all",))
    plan = make_plan(detection, IMAGES, prior=prior)
    assert plan.python == "3.8"
    assert "known-spec astropy/astropy 1.3 asks for Python 3.6" in plan.python_reason
    assert plan.uploaded_prior_to is None  # pip for 3.8 cannot resolve as of a date
    pins = next(s for s in plan.steps if s.source == prior.source and s.kind == "dependencies")
    assert pins.optional and "setuptools==38.2.4" in pins.command
    assert "--uploaded-prior-to" not in pins.command  # exact pins are not dated
    project = next(s for s in plan.steps if s.kind is StepKind.PROJECT)
    assert "-e '.[test]'" in project.command and project.source == prior.source
    assert plan.known_spec == "astropy/astropy 1.3"


def test_bare_names_of_a_spec_take_the_commits_era() -> None:
    sympy, requests = spec_for("sympy/sympy", "1.1"), spec_for("psf/requests", "2.0")
    assert sympy is not None and requests is not None
    detection = Detection(installable=True, commit_date="2018-01-27")
    steps = make_plan(detection, IMAGES, prior=prior_of(sympy)).steps
    pinned, bare = (s.command for s in steps if s.source == "known-spec sympy/sympy 1.1")
    assert pinned.endswith("install mpmath==1.3.0")  # the harness's version, not dated
    # flake8 as of the date; mpmath is pinned already
    assert bare.endswith("--uploaded-prior-to=2021-06-02T00:00:00Z flake8-comprehensions flake8")
    # requests' spec adds only pytest, which the test tools step installs as of the date
    steps = make_plan(detection, IMAGES, prior=prior_of(requests)).steps
    assert not [s for s in steps if s.kind == "dependencies"]


def test_the_specs_exact_build_tools_are_kept_where_isolated_builds_find_them() -> None:
    # astropy 5.x's pre-install makes the build ask for setuptools==68.0.0, released after
    # astropy-14508's commit (March 2023): the isolated build's date cutoff hides it.
    spec = spec_for("astropy/astropy", "5.2")
    assert spec is not None and "setuptools==68.0.0" in spec.pip_packages
    detection = Detection(installable=True, commit_date="2023-03-08")
    steps = make_plan(detection, IMAGES, prior=prior_of(spec)).steps
    kept = [s for s in steps if "--dest /opt/swe-tooling setuptools==68.0.0" in s.command]
    assert len(kept) == 1 and kept[0].optional and "--uploaded-prior-to" not in kept[0].command
    pre = next(i for i, s in enumerate(steps) if s.kind == "pre-install")
    assert steps.index(kept[0]) < pre < [s.kind for s in steps].index(StepKind.PROJECT)
    flask = spec_for("pallets/flask", "2.3")  # pins setuptools 70 for the venv, not the build
    assert flask is not None and "setuptools==70.0.0" in flask.pip_packages
    steps = make_plan(detection, IMAGES, prior=prior_of(flask)).steps
    assert not [s for s in steps if "--dest /opt/swe-tooling setuptools==" in s.command]


def test_the_specs_pins_follow_the_requirement_files_as_in_the_harness() -> None:
    # flask-5014's min-versions file moved Werkzeug 2.3.7 back to 2.0.0 when it came after.
    spec = spec_for("pallets/flask", "2.3")
    assert spec is not None
    files = ("requirements/tests-pallets-min.txt", "requirements/tests.txt")
    detection = Detection(installable=True, commit_date="2023-03-01", requirement_files=files)
    steps = make_plan(detection, IMAGES, prior=prior_of(spec)).steps
    kinds = [(s.kind, s.source) for s in steps if s.kind in ("dependencies", "project")]
    assert kinds == [
        ("dependencies", "generic"),
        ("dependencies", "generic"),
        ("dependencies", "known-spec pallets/flask 2.3"),
        ("project", "generic"),
    ]
    assert "Werkzeug==2.3.7" in steps[4].command


def test_a_dev_extra_yields_to_the_projects_test_extra() -> None:
    spec = spec_for("marshmallow-code/marshmallow", "3.0")  # installs `-e .[dev]`
    assert spec is not None
    prior = prior_of(spec)
    assert prior.extras == ("dev",)
    detection = Detection(
        installable=True,
        commit_date="2019-08-21",
        test_extras=("tests",),
        extras=("tests", "lint", "docs"),
    )
    project = next(
        s for s in make_plan(detection, IMAGES, prior=prior).steps if s.kind == "project"
    )
    assert "-e '.[tests]'" in project.command
    assert "known spec's [dev] gathers" in project.why and project.source == "generic"


@pytest.mark.parametrize(
    ("spec_extras", "declared", "chosen"),
    [
        (("dev",), ("tests", "lint", "docs"), ("tests",)),  # marshmallow: dev = tests + lint
        (("all",), ("optional", "doc", "test"), ("test", "optional")),  # pvlib
        (("dev",), ("stats", "dev", "docs"), ("dev",)),  # seaborn: its dev holds pytest
        (("dev",), ("stats",), ("dev",)),  # no test extra
        (("test",), ("tests", "docs"), ("test",)),  # not an aggregate: the spec's
        ((), ("tests",), ("tests",)),
    ],
)
def test_which_extras_the_project_is_installed_with(
    spec_extras: tuple[str, ...], declared: tuple[str, ...], chosen: tuple[str, ...]
) -> None:
    spec = spec_for("marshmallow-code/marshmallow", "3.0")
    assert spec is not None
    prior = replace(prior_of(spec), extras=spec_extras)
    detected = tuple(e for e in declared if e.startswith("test")) or tuple(
        e for e in declared if e == "dev"
    )
    assert project_extras(prior, detected, declared) == chosen


def test_unknown_repositories_keep_the_generic_plan() -> None:
    detection = Detection(installable=True)
    assert make_plan(detection, IMAGES) == make_plan(detection, IMAGES, prior=None)
    assert all(s.source != "known-spec" for s in make_plan(detection, IMAGES).steps)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/sympy/sympy.git", "sympy/sympy"),
        ("git@github.com:psf/requests.git", "psf/requests"),
        ("/srv/mirrors/pylint-dev+astroid/repo", "pylint-dev/astroid"),
        ("/cache/repos/pydata+xarray.git", "pydata/xarray"),
    ],
)
def test_repository_name_from_the_origin_remote(tmp_path: Path, url: str, name: str) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "remote", "add", "origin", url)
    assert repo_name(tmp_path) == name


def test_prior_of_a_checkout_reads_its_version(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "sympy").mkdir()
    (root / "sympy" / "release.py").write_text('__version__ = "1.1.2.dev"\n')
    _git(root, "init", "-q")
    _git(root, "remote", "add", "origin", "https://github.com/sympy/sympy.git")
    prior = prior_for(root, None)
    assert prior is not None and prior.spec.version == "1.1" and prior.guessed
    assert prior_for(root, None, repo="someone/else") is None
    given = prior_for(root, None, version="1.4")  # the dataset's version wins
    assert given is not None and given.spec.version == "1.4" and not given.guessed


def test_setup_py_states_the_version_when_the_spec_has_no_version_file(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("import ah_bootstrap\nVERSION = '3.1.dev'\n")
    assert version_at("astropy/astropy", read_at(tmp_path), describe="1.0rc1") == "3.1"


def test_requirement_file_pins_the_harness_does_not_install_neither_date_nor_replace() -> None:
    # requests-2931 (2015): requirements.txt pins pytest 2.8.1, which prints no pass lines for
    # -rA; the harness (Python 3.9, `pip install .`, pytest) never installs that file.
    pins = ("py==1.4.30", "pytest==2.8.1", "httpbin==0.4.0")
    found = Detection(
        installable=True,
        commit_date="2015-12-15",
        requirement_files=("requirements.txt",),
        dependencies=pins,
        file_requirements=pins,
    )
    images = {**IMAGES, "3.6": "swe-agent/python:3.6"}
    spec = spec_for("psf/requests", "2.9")
    assert spec is not None
    requests = prior_of(spec)
    assert not requests.installs_requirement_files
    plan = make_plan(found, images, prior=requests)
    assert plan.python == "3.9" and "beyond its pins" not in plan.python_reason
    commands = [s.command for s in plan.steps]
    files = next(i for i, c in enumerate(commands) if "-r requirements.txt" in c)
    assert commands[files + 1].endswith("--upgrade pytest")  # the spec's pytest, of its date
    # A spec that installs the files takes their pins as they are: the era of the pins holds.
    reading = prior_of(replace(requests.spec, packages="requirements.txt"))
    assert reading.installs_requirement_files
    plan = make_plan(found, images, prior=reading)
    assert plan.python == "3.6"
    assert not any(c.endswith("--upgrade pytest") for c in (s.command for s in plan.steps))
    # Pins the harness does install (setup.py's, through `pip install .`) still date the choice.
    own = replace(found, file_requirements=())
    assert make_plan(own, images, prior=requests).python == "3.6"
