"""Planning: turn a `Detection` and the available base images into an ordered, explained `Plan`."""

from __future__ import annotations

import re
import shlex
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from env_setup.errors import NoBaseImage
from env_setup.model import Detection, Plan, Step, StepKind, TestRunner, Tooling
from env_setup.prior import Prior, project_extras
from env_setup.pyversion import DATED_PIP_FROM, RELEASE_DATES, WHEEL_LAG, choose_python
from env_setup.tooling import (
    build_helpers,
    dated_tooling_steps,
    editable_on_sys_path,
    isolation_unneeded,
    kept_build_requirements_step,
    layer_tooling_step,
    no_isolation_when_unchanged,
    pinned_build_tools_step,
)

VENV = "/opt/swe-venv"
VENV_PYTHON = f"{VENV}/bin/python"
WORKDIR = "/workspace"
DEFAULT_TOOLING = Tooling.ISOLATED
_RECENT = timedelta(days=365)
_EXACT_PIN = re.compile(r"===?\s*[\w.+!]+\s*(;.*)?$")


def make_plan(
    detection: Detection,
    images: dict[str, str],
    *,
    python: str | None = None,
    as_of: str | None | bool = True,
    today: date | None = None,
    prior: Prior | None = None,
    tooling: Tooling = DEFAULT_TOOLING,
) -> Plan:
    """Decide the Python version, base image, install steps and test command for a repository.

    `images` maps "X.Y" to an image tag. `as_of=True` resolves dependencies as of the commit
    date when the commit is old; a string forces that date; False or None uses the latest.
    `prior` is a known repository's spec: its Python, pins and runner come first.
    """
    if not images:
        raise NoBaseImage(
            "no base image is available",
            hint="run `swe-agent sandbox bootstrap` to build the local Python images",
        )
    preferred = (prior.spec.python, prior.source) if prior else None
    choice = choose_python(
        _pins_that_count(detection, prior), sorted(images), forced=python, preferred=preferred
    )
    if choice.version not in images:
        raise NoBaseImage(
            f"no base image for Python {choice.version}",
            hint=f"available: {', '.join(sorted(images))}; pass one of them with --python",
        )
    cutoff = _as_of_date(detection, choice.version, as_of, today or date.today())
    index_date = cutoff if cutoff and _key(choice.version) < DATED_PIP_FROM else None
    cutoff = None if index_date else cutoff  # its pip has no --uploaded-prior-to: an index dates
    runner = detection.test_runner or TestRunner.PYTEST
    test_command, runner_note = test_command_for(detection, runner, choice.version)
    steps = install_steps(
        detection,
        python=choice.version,
        workdir=WORKDIR,
        as_of=cutoff,
        prior=prior,
        tooling=tooling,
    )
    return Plan(
        python=choice.version,
        base_image=images[choice.version],
        python_candidates=tuple(v for v in choice.candidates if v in images),
        python_reason=choice.reason,
        steps=tuple(steps),
        test_command=test_command,
        test_runner=runner,
        test_plugins=detection.test_plugins,
        top_level_packages=detection.top_level_packages,
        test_paths=detection.test_paths,
        venv=VENV,
        uploaded_prior_to=cutoff,
        dated_index=index_date,
        commit_date=detection.commit_date,
        notes=tuple(n for n in (runner_note,) if n),
        known_spec=prior.source.removeprefix("known-spec ") if prior else None,
        own_test_command=f"PATH={VENV}/bin:$PATH {prior.test_command}"
        if prior and prior.test_command
        else None,
        tooling=tooling,
        known_pins=prior.pins if prior else (),
    )


def _pins_that_count(detection: Detection, prior: Prior | None) -> Detection:
    """The detection the Python choice reads: without the requirement files' pins when a known
    spec installs its own list instead of them (the harness's tests never ran with them)."""
    if prior is None or prior.installs_requirement_files or not detection.file_requirements:
        return detection
    files = set(detection.file_requirements)
    return replace(
        detection, dependencies=tuple(r for r in detection.dependencies if r not in files)
    )


def _as_of_date(
    detection: Detection, python: str, as_of: str | None | bool, today: date
) -> str | None:
    """The upload cutoff for dependency resolution, or None for the latest releases."""
    if isinstance(as_of, str):
        return as_of
    if not as_of or not detection.commit_date:
        return None
    commit = datetime.fromisoformat(detection.commit_date[:10]).date()
    if today - commit < _RECENT:
        return None
    released = RELEASE_DATES.get(python)
    floor = datetime.fromisoformat(released).date() + WHEEL_LAG if released else commit
    # The end of the commit's day: a release commit often pins what was published that day.
    cutoff = max(commit + timedelta(days=1), floor)
    if today - cutoff < _RECENT:
        return None
    return datetime.combine(cutoff, datetime.min.time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tag_workspace(tag: str) -> str:
    """The shell prefix that gives the sandbox copy the commit's last tag (failing quietly)."""
    return f"git tag -f {shlex.quote(tag)} >/dev/null 2>&1; "


def pip_install(args: list[str], *, as_of: str | None) -> str:
    """A `pip install` command line for the venv, with the date cutoff when there is one."""
    cutoff = [f"--uploaded-prior-to={as_of}"] if as_of else []
    words = [VENV_PYTHON, "-m", "pip", "install", *cutoff, *args]
    return " ".join(shlex.quote(w) for w in words)


def install_steps(
    detection: Detection,
    *,
    python: str,
    workdir: str,
    as_of: str | None,
    prior: Prior | None = None,
    tooling: Tooling = DEFAULT_TOOLING,
) -> list[Step]:
    """The ordered install commands, each with the reason it is there and what decided it."""
    steps = [
        Step(
            f"python{python} -m venv {VENV}",
            "an isolated environment so the image's own packages never interfere",
            StepKind.VENV,
        ),
        layer_tooling_step(tooling, venv=VENV, python=python),
    ]
    if as_of and tooling is Tooling.DATED:
        steps.extend(dated_tooling_steps(python_bin=VENV_PYTHON, as_of=as_of))
    for path in detection.requirement_files:
        steps.append(
            Step(
                pip_install(["-r", path], as_of=as_of),
                f"{path} pins the dependencies the project is tested with",
                StepKind.DEPENDENCIES,
            )
        )
    if prior is not None and detection.requirement_files:
        steps.extend(_spec_tools_again(prior, detection, as_of=as_of))
    if not detection.installable and detection.dependencies and not detection.requirement_files:
        steps.append(
            Step(
                pip_install(list(detection.dependencies), as_of=as_of),
                "dependencies listed by Pipfile / environment.yml (no installable project)",
                StepKind.DEPENDENCIES,
            )
        )
    if prior is not None:  # after the requirement files, as the harness does: its pins hold
        steps.extend(_prior_steps(prior, detection, as_of=as_of))
    extras = (
        project_extras(prior, detection.test_extras, detection.extras)
        if prior
        else detection.test_extras
    )
    detection = replace(detection, test_extras=extras)
    steps.extend(
        _project_steps(detection, workdir=workdir, as_of=as_of, tooling=tooling, python=python)
    )
    steps.extend(_test_tool_steps(detection, python=python, as_of=as_of))
    steps.extend(_kept_build_requirements(steps, detection, python=python, as_of=as_of))
    if prior is not None and prior.extras:
        steps = [_credit(s, prior, extras) if s.kind is StepKind.PROJECT else s for s in steps]
    return steps


def _spec_tools_again(prior: Prior, detection: Detection, *, as_of: str | None) -> list[Step]:
    """The spec's unversioned packages, upgraded past the requirement files' exact pins of
    them, when the spec does not install those files (requests 2.9's requirements.txt pins
    pytest 2.8.1, which prints no pass lines for -rA; the harness installs a pytest of its
    own time). The spec's versioned pins come after the files anyway (``_prior_steps``)."""
    if prior.installs_requirement_files:
        return []
    pinned = {_name(r) for r in detection.file_requirements if _EXACT_PIN.search(r)}
    bare = [p for p in prior.pins if _name(p) in pinned and not any(c in p for c in "<>=!~@")]
    if not bare:
        return []
    what = f"{prior.spec.repo} {prior.spec.version}"
    why = f"the SWE-bench harness installs these for {what} itself, not the files' pins"
    command = pip_install(["--upgrade", *bare], as_of=as_of)
    return [Step(command, why, StepKind.DEPENDENCIES, optional=True, source=prior.source)]


def _credit(step: Step, prior: Prior, extras: tuple[str, ...]) -> Step:
    """The project step names the spec when it follows its extras, and says why when not."""
    if extras == prior.extras:
        return replace(step, source=prior.source)
    spec = ",".join(prior.extras)
    why = f"{step.why} (what the known spec's [{spec}] gathers, less docs and lint tools)"
    return replace(step, why=why)


def _prior_steps(prior: Prior, detection: Detection, *, as_of: str | None) -> list[Step]:
    """The known spec's pins and its pre-install commands.

    A pin with a version is the harness's choice and is installed as it is (no date); a bare
    name chose no version, so it takes the commit's era like any other requirement, and one the
    plan installs anyway (pytest, the configured plugins) or pins already is left out.
    """
    versioned = [p for p in prior.pins if any(c in p for c in "<>=!~@")]
    taken = {_name(p) for p in versioned} | {_name(t) for t in ("pytest", *detection.test_plugins)}
    bare = [p for p in prior.pins if p not in versioned and _name(p) not in taken]
    what = f"{prior.spec.repo} {prior.spec.version}"
    steps = [
        Step(
            pip_install(pins, as_of=date),
            why,
            StepKind.DEPENDENCIES,
            optional=True,
            source=prior.source,
        )
        for pins, date, why in (
            (versioned, None, f"the versions the SWE-bench harness pins for {what}"),
            (bare, as_of, f"what the SWE-bench harness adds for {what}, as of the date"),
        )
        if pins
    ]
    kept = pinned_build_tools_step(versioned, pre_install=prior.pre_install, python_bin=VENV_PYTHON)
    steps += [replace(kept, source=prior.source)] if kept else []
    for command in prior.pre_install:
        why = f"the SWE-bench harness prepares {what} so"
        steps.append(Step(command, why, StepKind.PRE_INSTALL, optional=True, source=prior.source))
    return steps


def _project_steps(
    detection: Detection,
    *,
    workdir: str,
    as_of: str | None,
    tooling: Tooling = DEFAULT_TOOLING,
    python: str = "3.9",
) -> list[Step]:
    """The project install, in the tooling's era under a date cutoff.

    Isolated: pip's build environment takes the tooling folder's setuptools and wheel (local
    files are exempt from the cutoff) and the other build requirements as of the date; when
    those two are all the build asks for and the venv still holds them, it builds in the venv
    (the same tools, without making the build environment again). Dated:
    the venv's own setuptools of the date builds (no isolation), its build requirements first.
    """
    step = _project_step(detection, workdir=workdir, as_of=as_of, python=python)
    if detection.uses_scm and detection.scm_version and detection.installable:
        pretend = f"SETUPTOOLS_SCM_PRETEND_VERSION={shlex.quote(detection.scm_version)}"
        why = f"{step.why}; versioned by git tags, which the sandbox copy lacks"
        step = replace(step, command=f"{pretend} {step.command}", why=why)
    if detection.uses_versioneer and detection.scm_tag and detection.installable:
        why = f"{step.why}; versioneer reads the last tag, which the sandbox copy lacks"
        step = replace(step, command=f"{tag_workspace(detection.scm_tag)}{step.command}", why=why)
    if not (as_of and detection.installable):
        return [step]
    if tooling is Tooling.ISOLATED:
        if not isolation_unneeded(detection.build_requires, python=python):
            return [step]
        helpers = build_helpers(detection.build_requires)
        flag = no_isolation_when_unchanged(VENV, helpers=helpers)
        why = f"{step.why}; built in the venv when it still holds the tooling folder's pair"
        step = replace(step, command=f"{step.command} {flag}", why=why)
        if not helpers:
            return [step]
        why = "the build's helpers, in the venv so that the project builds there"
        helper_step = Step(pip_install(list(helpers), as_of=as_of), why, StepKind.DEPENDENCIES)
        return [replace(helper_step, optional=True), step]
    build = [r for r in detection.build_requires if _name(r) not in ("setuptools", "wheel")]
    steps = []
    if build:
        why = "the build requirements, installed in the venv because the build is not isolated"
        steps.append(Step(pip_install(build, as_of=as_of), why, StepKind.DEPENDENCIES))
    return [*steps, replace(step, command=f"{step.command} --no-build-isolation")]


def _project_step(detection: Detection, *, workdir: str, as_of: str | None, python: str) -> Step:
    if detection.installable:
        extras = f"[{','.join(detection.test_extras)}]" if detection.test_extras else ""
        why = "the project itself, editable so the workspace is what gets imported"
        if extras:
            why += f", with its test extras {extras}"
        args = ["-e", f".{extras}", *editable_on_sys_path(detection.packaging, python=python)]
        return Step(pip_install(args, as_of=as_of), why, StepKind.PROJECT)
    # Nothing to install: a .pth file puts the checkout (and src/) on sys.path instead.
    command = (
        f'{VENV}/bin/python -c "import sysconfig,pathlib; '
        f"pathlib.Path(sysconfig.get_paths()['purelib'], '_swe_agent_repo.pth')"
        f".write_text('{workdir}\\n{workdir}/src\\n')\""
    )
    return Step(command, "no packaging metadata: put the checkout on sys.path", StepKind.PROJECT)


def _kept_build_requirements(
    steps: list[Step], detection: Detection, *, python: str, as_of: str | None
) -> list[Step]:
    """Last, so nothing installed before sees them: the isolated build's requirements as files."""
    isolated = [
        s for s in steps if s.kind is StepKind.PROJECT and "--no-build-isolation" not in s.command
    ]
    if not (isolated and detection.installable):
        return []
    step = kept_build_requirements_step(
        detection.build_requires, python_bin=VENV_PYTHON, python=python, as_of=as_of
    )
    return [step] if step is not None else []


def _test_tool_steps(detection: Detection, *, python: str, as_of: str | None) -> list[Step]:
    tools = ["pytest", *[p for p in detection.test_plugins if p != "pytest"]]
    if detection.test_runner is TestRunner.NOSE and _minor(python) < 10:
        tools.append("nose")
    steps = [
        Step(
            pip_install(tools, as_of=as_of),
            "the test runner and the plugins its configuration needs (verification "
            "collects tests with pytest)",
            StepKind.TEST_TOOLS,
        )
    ]
    names = {_name(t) for t in tools} | {"tox", "nox", "coverage", "codecov", "coveralls"}
    extra = [r for r in detection.test_requirements if _name(r) not in names]
    if extra:
        steps.append(
            Step(
                pip_install(extra, as_of=as_of),
                "test requirements named by tox / nox / dev groups / tests_require",
                StepKind.TEST_TOOLS,
                optional=True,
            )
        )
    return steps


def test_command_for(detection: Detection, runner: TestRunner, python: str) -> tuple[str, str]:
    """The shell command that runs the tests in the venv, and a note when we substituted."""
    py = VENV_PYTHON
    paths = " ".join(shlex.quote(p) for p in detection.test_paths)
    pytest = f"{py} -m pytest {paths}".strip()
    if runner is TestRunner.NOSE:
        if _minor(python) >= 10:
            return pytest, "nose does not run on Python 3.10+; pytest runs nose-style tests"
        return f"{VENV}/bin/nosetests", ""
    if runner is TestRunner.UNITTEST:
        start = f" -s {shlex.quote(detection.test_paths[0])} -t ." if detection.test_paths else ""
        return f"{py} -m unittest discover{start}", ""
    if runner is TestRunner.MAKE and detection.make_test_target:
        return f"PATH={VENV}/bin:$PATH make {detection.make_test_target}", ""
    if runner is TestRunner.SCRIPT and detection.test_command_hint:
        return f"PATH={VENV}/bin:$PATH {detection.test_command_hint}", ""
    if runner is TestRunner.TOX:
        return pytest, "tox would rebuild its own environments; its commands run through pytest"
    return pytest, ""


def _minor(python: str) -> int:
    return int(python.split(".")[1])


def _key(python: str) -> tuple[int, int]:
    major, minor = python.split(".")[:2]
    return int(major), int(minor)


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    import re

    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match[1]).lower() if match else requirement.lower()
