"""Planning: the Python version choice, the install steps and the test command."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from env_setup import Detection, NoBaseImage, StepKind, TestRunner, choose_python, detect, make_plan
from env_setup.model import Packaging, Tooling

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "env"
IMAGES = {"3.9": "swe-agent/python:3.9", "3.11": "swe-agent/python:3.11"}
TODAY = date(2026, 11, 22)


def _detect(name: str, tmp_path: Path) -> Detection:
    shutil.copytree(FIXTURES / name, tmp_path / name)
    return detect(tmp_path / name)


@pytest.mark.parametrize(
    ("detection", "expected"),
    [
        (Detection(requires_python=">=3.10"), "3.11"),
        (Detection(requires_python=">=3.6,<3.10"), "3.9"),
        (Detection(requires_python="~=3.9.0"), "3.9"),
        (Detection(classifier_pythons=("3.8", "3.9")), "3.9"),
        (Detection(ci_pythons=("3.9", "3.10")), "3.9"),
        (Detection(commit_date="2014-06-01T00:00:00+00:00"), "3.9"),
        (Detection(commit_date="2021-03-01T00:00:00+00:00"), "3.9"),
        (Detection(commit_date="2024-06-01T00:00:00+00:00"), "3.11"),
        (Detection(), "3.11"),
        # The CI matrix outweighs the era; requires-python outweighs both.
        (Detection(ci_pythons=("3.11",), commit_date="2015-01-01"), "3.11"),
        (Detection(requires_python=">=3.10", ci_pythons=("3.9",)), "3.11"),
    ],
)
def test_python_choice(detection: Detection, expected: str) -> None:
    assert choose_python(detection, ["3.9", "3.11"]).version == expected


def test_python_candidates_are_ordered_fallbacks() -> None:
    choice = choose_python(Detection(commit_date="2019-01-01"), ["3.9", "3.11", "3.12"])
    assert choice.candidates == ("3.9", "3.11", "3.12")
    assert "3.7 era" in choice.reason


OLD_IMAGES = ["3.6", "3.8", "3.9", "3.11"]
# requests at 36453b95 (2016-06): requirements.txt pins pytest 2.8.7, whose collection fails on
# Python 3.8+ and whose test code needs pytest < 4.
PINNED_2016 = Detection(
    commit_date="2016-06-28T08:33:29+01:00",
    dependencies=("coverage==4.0.3", "pytest==2.8.7", "pytest-cov"),
    classifier_pythons=("2.7", "3.4", "3.5"),
)


def test_exact_pins_of_an_old_commit_choose_the_python_of_their_era() -> None:
    choice = choose_python(PINNED_2016, OLD_IMAGES)
    assert choice.candidates[0] == "3.6"
    assert "pytest==2.8.7" in choice.reason


def test_without_exact_pins_a_dating_pip_comes_first_and_the_era_next() -> None:
    ranges = ("pytest>=2.8", "six")
    # Undated, an old Python takes what Requires-Python allows, years past the commit (3.8:
    # numpy 1.24 of 2023), so 3.9's pip dating to 2021-06 comes first; when 3.9 fails, the
    # interpreter nearest the commit's era is next, not a newer one.
    for day, candidates in (
        ("2016-06-28", ("3.9", "3.6", "3.8", "3.11")),
        ("2018-02-07", ("3.9", "3.6", "3.8", "3.11")),
        ("2019-11-01", ("3.9", "3.8", "3.6", "3.11")),
    ):
        choice = choose_python(Detection(commit_date=day, dependencies=ranges), OLD_IMAGES)
        assert choice.candidates == candidates, day
    recent = Detection(commit_date="2023-08-01", dependencies=ranges)
    assert choose_python(recent, OLD_IMAGES).candidates[:2] == ("3.11", "3.9")


def test_recent_exact_pins_keep_a_dating_pip() -> None:
    # Pins of 2021 run on 3.9 (their era's next release), so the date cutoff still applies.
    pinned = Detection(commit_date="2021-03-01", dependencies=("pytest==6.2.2",))
    assert choose_python(pinned, OLD_IMAGES).version == "3.9"


def test_a_known_spec_beyond_the_pins_yields_to_their_era_and_comes_second() -> None:
    choice = choose_python(PINNED_2016, OLD_IMAGES, preferred=("3.9", "known-spec psf/requests"))
    assert choice.candidates[:2] == ("3.6", "3.9")
    assert "beyond its pins" in choice.reason


def test_a_known_spec_within_the_pins_era_is_kept() -> None:
    choice = choose_python(PINNED_2016, OLD_IMAGES, preferred=("3.6", "known-spec x/y"))
    assert choice.version == "3.6" and "beyond" not in choice.reason
    # Without an image of the pins' era the spec's Python stays first.
    assert choose_python(PINNED_2016, ["3.9", "3.11"], preferred=("3.9", "s")).version == "3.9"


def test_unsatisfiable_requires_python_still_gives_the_closest() -> None:
    choice = choose_python(Detection(requires_python=">=3.13"), ["3.9", "3.11"])
    assert choice.version == "3.11"
    assert "closest" in choice.reason


def test_forced_python() -> None:
    assert (
        choose_python(Detection(requires_python=">=3.10"), ["3.9", "3.11"], forced="3.9").version
        == "3.9"
    )


def test_no_images_is_an_error() -> None:
    with pytest.raises(NoBaseImage):
        make_plan(Detection(), {})


def test_forced_python_without_image_is_an_error() -> None:
    with pytest.raises(NoBaseImage) as info:
        make_plan(Detection(), IMAGES, python="3.7")
    assert "3.9" in (info.value.hint or "")


def test_plan_for_an_installable_project(tmp_path: Path) -> None:
    plan = make_plan(_detect("pep621_hatch", tmp_path), IMAGES, today=TODAY)
    assert plan.python == "3.11" and plan.base_image == "swe-agent/python:3.11"
    kinds = [step.kind for step in plan.steps]
    assert kinds == [
        StepKind.VENV,
        StepKind.TOOLING,
        StepKind.PROJECT,
        StepKind.TEST_TOOLS,
        StepKind.TEST_TOOLS,
        StepKind.DEPENDENCIES,  # hatchling kept for an offline rebuild
    ]
    assert "-e '.[test]'" in plan.steps[2].command
    assert plan.steps[3].command.endswith("install pytest pytest-cov")
    assert plan.steps[4].optional  # extra test requirements never block the setup
    assert plan.test_command == "/opt/swe-venv/bin/python -m pytest tests"
    assert all(step.why for step in plan.steps)


def test_plan_for_requirements_only(tmp_path: Path) -> None:
    plan = make_plan(_detect("requirements", tmp_path), IMAGES, today=TODAY)
    commands = [step.command for step in plan.steps]
    assert any(c.endswith("install -r requirements-test.txt") for c in commands)
    project = next(step for step in plan.steps if step.kind is StepKind.PROJECT)
    assert "_swe_agent_repo.pth" in project.command  # no packaging: the checkout goes on sys.path


def test_plan_for_pipfile_installs_its_packages(tmp_path: Path) -> None:
    plan = make_plan(_detect("pipfile", tmp_path), IMAGES, today=TODAY)
    deps = next(step for step in plan.steps if step.kind is StepKind.DEPENDENCIES)
    assert deps.command.endswith("install requests flask==2.0.1")
    assert plan.python == "3.9"


def test_old_commit_resolves_as_of_a_date_with_wheels() -> None:
    old = Detection(commit_date="2017-03-01T00:00:00+00:00", installable=True)
    plan = make_plan(old, IMAGES, today=TODAY)
    assert plan.python == "3.9"
    # Not 2017: Python 3.9 had no wheels then. Eight months after its release instead.
    assert plan.uploaded_prior_to == "2021-06-02T00:00:00Z"
    assert "--uploaded-prior-to=2021-06-02T00:00:00Z" in plan.steps[2].command


def test_cutoff_includes_the_commit_day() -> None:
    # pylint pinned astroid==2.6.0 in a commit of the day astroid 2.6.0 came out.
    day = Detection(commit_date="2021-06-22T09:00:00+00:00", installable=True)
    assert make_plan(day, IMAGES, today=TODAY).uploaded_prior_to == "2021-06-23T00:00:00Z"


def test_recent_commit_uses_latest_releases() -> None:
    plan = make_plan(Detection(commit_date="2026-06-01", installable=True), IMAGES, today=TODAY)
    assert plan.uploaded_prior_to is None
    assert make_plan(Detection(installable=True), IMAGES, as_of=False).uploaded_prior_to is None


@pytest.mark.parametrize(
    ("detection", "python", "command"),
    [
        (
            Detection(test_runner=TestRunner.PYTEST, test_paths=("tests",)),
            "3.11",
            "/opt/swe-venv/bin/python -m pytest tests",
        ),
        (
            Detection(test_runner=TestRunner.UNITTEST, test_paths=("tests",)),
            "3.11",
            "/opt/swe-venv/bin/python -m unittest discover -s tests -t .",
        ),
        (Detection(test_runner=TestRunner.NOSE), "3.9", "/opt/swe-venv/bin/nosetests"),
        (Detection(test_runner=TestRunner.NOSE), "3.11", "/opt/swe-venv/bin/python -m pytest"),
        (Detection(test_runner=TestRunner.TOX), "3.11", "/opt/swe-venv/bin/python -m pytest"),
        (
            Detection(test_runner=TestRunner.MAKE, make_test_target="check"),
            "3.11",
            "PATH=/opt/swe-venv/bin:$PATH make check",
        ),
        (
            Detection(test_runner=TestRunner.SCRIPT, test_command_hint="python runtests.py"),
            "3.11",
            "PATH=/opt/swe-venv/bin:$PATH python runtests.py",
        ),
        (Detection(), "3.11", "/opt/swe-venv/bin/python -m pytest"),
    ],
)
def test_test_command_choice(detection: Detection, python: str, command: str) -> None:
    assert make_plan(detection, IMAGES, python=python).test_command == command


def test_nose_on_old_python_installs_nose() -> None:
    plan = make_plan(Detection(test_runner=TestRunner.NOSE), IMAGES, python="3.9")
    assert any(step.command.endswith("pytest nose") for step in plan.steps)


def test_tooling_layer_holds_the_leading_venv_and_pip_steps() -> None:
    from env_setup.layers import reused_results, split_tooling

    plan = make_plan(Detection(installable=True), IMAGES, python="3.9")
    tooling, rest = split_tooling(plan)
    assert [s.kind for s in tooling] == [StepKind.VENV, StepKind.TOOLING]
    assert rest[0].kind is StepKind.PROJECT
    logged = reused_results(tooling, "swe-agent/env-base:x")
    assert all(r.ok and r.seconds == 0 for r in logged)
    assert [r.command for r in logged] == [s.command for s in tooling]  # replays keep them


def test_isolated_tooling_builds_in_isolation_with_the_tooling_folder() -> None:
    old = Detection(
        commit_date="2019-05-01",
        installable=True,
        build_requires=("setuptools>=40", "wheel", "cython"),
    )
    steps = make_plan(old, IMAGES, python="3.9", today=TODAY).steps
    tooling, project = steps[1], steps[2]
    # The layer keeps setuptools and wheel in a folder pip reads for every install (pip.conf):
    # local files are exempt from the cutoff, so isolated builds take them over the date's.
    assert "download" in tooling.command and "/opt/swe-tooling" in tooling.command
    assert "find-links = /opt/swe-tooling" in tooling.command
    assert project.kind is StepKind.PROJECT
    assert project.command.endswith("-e . --config-settings editable_mode=compat")


def test_setuptools_editable_installs_put_the_checkout_on_sys_path() -> None:
    """As ``setup.py develop`` did (the harness's pip): a flat layout's editable wheel would
    install an import hook instead, and pylint's checkers, found through sys.path, go missing."""
    flat = Detection(installable=True, packaging=(Packaging.SETUP_PY, Packaging.SETUP_CFG))
    hatch = Detection(installable=True, packaging=(Packaging.PEP621, Packaging.HATCH))

    def project(detection: Detection, python: str) -> str:
        images = {**IMAGES, "3.6": "swe-agent/python:3.6"}
        steps = make_plan(detection, images, python=python, today=TODAY).steps
        return next(s.command for s in steps if s.kind is StepKind.PROJECT)

    assert project(flat, "3.9").endswith("-e . --config-settings editable_mode=compat")
    assert "--config-settings" not in project(hatch, "3.9")  # other backends: nothing to change
    assert "--config-settings" not in project(flat, "3.6")  # Python 3.6's last pip lacks it


def test_a_build_helper_is_installed_in_the_venv_which_then_builds() -> None:
    old = Detection(
        commit_date="2019-05-01",
        installable=True,
        build_requires=("setuptools>=40", "wheel", "setuptools_scm[toml]>=3.4"),
    )
    steps = make_plan(old, IMAGES, python="3.9", today=TODAY).steps
    helper, project = steps[2], steps[3]
    assert helper.optional and helper.command.endswith(
        "--uploaded-prior-to=2021-06-02T00:00:00Z 'setuptools_scm[toml]>=3.4'"
    )
    assert project.kind is StepKind.PROJECT
    # in the venv only when it holds the helper (and the tooling folder's pair)
    assert "all(n in have for n in ['setuptools-scm'])" in project.command
    assert "'--no-build-' + 'isolation' if ok" in project.command


def test_a_pair_pinned_within_the_tooling_range_is_installed_in_the_venv() -> None:
    old = Detection(
        commit_date="2023-07-29",
        installable=True,
        build_requires=("setuptools~=66.1", "wheel~=0.37.1"),
    )
    steps = make_plan(old, IMAGES, python="3.9", today=TODAY).steps
    helper, project = steps[2], steps[3]
    assert helper.optional and helper.command.endswith("'setuptools~=66.1' 'wheel~=0.37.1'")
    assert "'--no-build-' + 'isolation' if ok" in project.command
    # The folder's own release meets a range: nothing is installed for the build.
    loose = replace(old, build_requires=("setuptools>=61", "wheel"))
    steps = make_plan(loose, IMAGES, python="3.9", today=TODAY).steps
    assert steps[2].kind is StepKind.PROJECT


@pytest.mark.parametrize(
    ("build_requires", "python", "in_venv"),
    [
        ((), "3.9", True),  # setup.py only: setuptools and wheel
        (("setuptools>=40.8", "wheel"), "3.9", True),
        (("setuptools>=70",), "3.9", False),  # newer than the tooling folder's
        (("setuptools", "cython"), "3.9", False),  # more than the tooling
        (("setuptools", "setuptools-scm>=6"), "3.9", True),  # a helper the venv holds too
        # pylint 3.0's pair: older than the folder's, within its range: the venv takes it
        (("setuptools~=66.1", "wheel~=0.37.1"), "3.9", True),
        (("setuptools~=62.6",), "3.9", False),  # before the range (pylint 2.15's)
        (("wheel<0.30",), "3.9", False),
        ((), "3.6", False),  # the check reads importlib.metadata
    ],
)
def test_isolation_is_skipped_only_when_the_venv_holds_what_it_would(
    build_requires: tuple[str, ...], python: str, in_venv: bool
) -> None:
    old = Detection(commit_date="2019-05-01", installable=True, build_requires=build_requires)
    images = {**IMAGES, "3.6": "swe-agent/python:3.6"}
    plan = make_plan(old, images, python=python, today=TODAY, as_of="2019-05-02T00:00:00Z")
    project = next(s for s in plan.steps if s.kind is StepKind.PROJECT)
    # decided in the sandbox: only when the dependencies left the venv's setuptools and wheel
    assert ("'--no-build-' + 'isolation' if ok" in project.command) is in_venv
    assert "--no-build-isolation" not in project.command  # repairs may still add it


def test_python_36_gets_its_last_tooling_and_names_the_index() -> None:
    images = {**IMAGES, "3.6": "swe-agent/python:3.6"}
    for tooling in Tooling:
        plan = make_plan(Detection(installable=True), images, python="3.6", tooling=tooling)
        step = plan.steps[1]
        # bionic's pip 9 looks for the index at an address that may be unreachable
        assert "pip install --index-url https://pypi.org/simple --upgrade pip" in step.command
    isolated = make_plan(Detection(installable=True), images, python="3.6").steps[1].command
    assert "'setuptools<60' 'wheel<0.38'" in isolated and "setuptools>=64" not in isolated
    # Newer interpreters keep their commands, and so their tooling layers and cache keys.
    newer = make_plan(Detection(installable=True), images, python="3.9").steps[1].command
    assert "--index-url" not in newer and "'setuptools>=64,<70' 'wheel<0.44'" in newer


def test_dated_tooling_builds_with_the_venvs_tools_of_the_date() -> None:
    old = Detection(
        commit_date="2019-05-01",
        installable=True,
        build_requires=("setuptools>=40", "wheel", "setuptools_scm>=3.4"),
    )
    steps = make_plan(old, IMAGES, python="3.9", today=TODAY, tooling=Tooling.DATED).steps
    tools, build, project = steps[2], steps[3], steps[4]
    assert tools.source == "era tooling"
    assert tools.command.endswith(
        "--uploaded-prior-to=2021-06-02T00:00:00Z --force-reinstall --no-deps "
        "setuptools wheel packaging"
    )
    assert build.kind is StepKind.DEPENDENCIES
    assert build.command.endswith(
        "install --uploaded-prior-to=2021-06-02T00:00:00Z 'setuptools_scm>=3.4'"
    )
    assert project.kind is StepKind.PROJECT
    assert project.command.endswith("editable_mode=compat --no-build-isolation")


def test_build_requires_are_detected(tmp_path: Path) -> None:
    assert _detect("pep621_hatch", tmp_path).build_requires == ("hatchling",)


def test_an_isolated_build_keeps_its_requirements_for_an_offline_rebuild() -> None:
    old = Detection(
        commit_date="2019-05-01",
        installable=True,
        build_requires=("setuptools>=40", "wheel", "setuptools_scm>=3.4"),
    )
    steps = make_plan(old, IMAGES, python="3.9", today=TODAY).steps
    kept = steps[-1]  # last: no install of the set-up sees the files
    assert kept.optional and kept.kind is StepKind.DEPENDENCIES
    assert "pip download -q --uploaded-prior-to=2021-06-02T00:00:00Z --dest /opt/swe-tooling" in (
        kept.command
    )
    # Constrained to the folder's own setuptools and wheel, which isolated builds must keep.
    assert kept.command.startswith("printf 'setuptools>=64,<70\\nwheel<0.44\\n' > ")
    assert kept.command.endswith("-c /tmp/swe-build-constraints.txt 'setuptools_scm>=3.4'")
    plain = Detection(installable=True, build_requires=("setuptools>=40", "wheel"))
    last = make_plan(plain, IMAGES, python="3.9").steps[-1]
    assert "--dest /opt/swe-tooling -c" not in last.command
    dated = make_plan(old, IMAGES, python="3.9", today=TODAY, tooling=Tooling.DATED).steps
    assert not [s for s in dated if "--dest /opt/swe-tooling -c" in s.command]  # in the venv


def test_setup_requires_are_build_requirements(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='old', setup_requires=['setuptools_scm>=1.15'], use_scm_version=True)\n"
    )
    (tmp_path / "setup.cfg").write_text("[options]\nsetup_requires =\n    cython>=0.29\n")
    found = detect(tmp_path)
    assert set(found.build_requires) == {"setuptools_scm>=1.15", "cython>=0.29"}
    assert found.uses_scm
