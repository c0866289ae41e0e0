"""Values that flow through detect -> plan -> install -> verify -> record."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Packaging(StrEnum):
    """The packaging styles detection recognises (a repository can have several)."""

    PEP621 = "pep621"
    POETRY = "poetry"
    HATCH = "hatch"
    FLIT = "flit"
    PDM = "pdm"
    SETUPTOOLS = "setuptools"
    SETUP_PY = "setup.py"
    SETUP_CFG = "setup.cfg"
    REQUIREMENTS = "requirements"
    PIPFILE = "pipfile"
    CONDA = "conda"


class TestRunner(StrEnum):
    """How the project's tests are run."""

    __test__ = False  # keeps pytest from collecting this enum as a test class

    PYTEST = "pytest"
    TOX = "tox"
    UNITTEST = "unittest"
    NOSE = "nose"
    MAKE = "make"
    SCRIPT = "script"


class StepKind(StrEnum):
    """What an install step is for; repairs and replays key on it."""

    VENV = "venv"
    TOOLING = "tooling"
    DEPENDENCIES = "dependencies"
    PROJECT = "project"
    TEST_TOOLS = "test-tools"
    PRE_INSTALL = "pre-install"  # a known spec's preparation (apt packages, pins in setup.py)
    REPAIR = "repair"
    INSPECT = "inspect"  # a look around by a repair agent: logged, never replayed


@dataclass(frozen=True)
class Detection:
    """What the repository's files say about how to install and test it."""

    packaging: tuple[Packaging, ...] = ()
    installable: bool = False  # has a build backend or a setup.py: `pip install -e .` works
    requires_python: str | None = None  # a PEP 440 specifier, e.g. ">=3.8,<4"
    classifier_pythons: tuple[str, ...] = ()
    ci_pythons: tuple[str, ...] = ()
    commit_date: str | None = None  # ISO date of the commit being set up
    dependencies: tuple[str, ...] = ()  # runtime requirements (PEP 508)
    test_extras: tuple[str, ...] = ()  # extras of the project that hold test tools
    extras: tuple[str, ...] = ()  # every extra the project declares (statically readable)
    test_requirements: tuple[str, ...] = ()  # test tools named outside extras (tox, groups, ...)
    requirement_files: tuple[str, ...] = ()  # relative paths, in install order
    constraint_files: tuple[str, ...] = ()
    file_requirements: tuple[str, ...] = ()  # what requirement_files list (also in dependencies)
    dependency_files: tuple[str, ...] = ()  # every file that shapes the install (the cache key)
    build_requires: tuple[str, ...] = ()  # [build-system] requires, setup_requires
    uses_scm: bool = False  # the version comes from git tags (setuptools_scm, hatch-vcs)
    uses_versioneer: bool = False  # versioneer runs `git describe`: no variable overrides it
    scm_version: str | None = None  # the last tag before the commit, for such projects
    scm_tag: str | None = None  # that tag as git spells it (versioneer's prefix and all)
    test_runner: TestRunner | None = None
    test_runner_evidence: str = ""
    test_command_hint: str | None = None  # a concrete command found in CI / tox / Makefile
    test_plugins: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = ()
    top_level_packages: tuple[str, ...] = ()
    has_tests: bool = False
    compiles: bool = False  # C, C++, Cython or Fortran sources outside docs and tests
    make_test_target: str | None = None
    install_snippets: tuple[str, ...] = ()  # install commands seen in CI / README / CONTRIBUTING
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One install command and the reason it is in the plan."""

    command: str
    why: str
    kind: StepKind
    optional: bool = False  # a failure is logged but does not stop the setup
    source: str = "generic"  # what decided it: "generic", "known-spec REPO VERSION", "repair"


class Tooling(StrEnum):
    """Which era the build tooling (setuptools, wheel) belongs to when dependencies are dated."""

    ISOLATED = "isolated"  # builds in pip's isolated env with current tooling; deps dated
    DATED = "dated"  # the venv's setuptools, wheel and packaging as of the date build it


@dataclass(frozen=True)
class Plan:
    """Everything needed to build the environment, decided before anything runs."""

    python: str
    base_image: str
    python_candidates: tuple[str, ...]
    python_reason: str
    steps: tuple[Step, ...]
    test_command: str
    test_runner: TestRunner
    test_plugins: tuple[str, ...]
    top_level_packages: tuple[str, ...]
    test_paths: tuple[str, ...]
    venv: str = "/opt/swe-venv"
    uploaded_prior_to: str | None = None  # set when resolving dependencies as of a date
    dated_index: str | None = None  # the date, when a date-filtering index dates (pip < 3.9)
    commit_date: str | None = None
    notes: tuple[str, ...] = field(default=())
    known_spec: str | None = None  # the known spec the plan starts from ("REPO VERSION")
    own_test_command: str | None = None  # the repository's own runner (sympy's bin/test)
    tooling: Tooling = Tooling.ISOLATED
    known_pins: tuple[str, ...] = ()  # the known spec's pins (a repair may pin a plugin so)

    @property
    def pip(self) -> str:
        """The venv's pip, as a shell word."""
        return f"{self.venv}/bin/python -m pip"

    @property
    def python_bin(self) -> str:
        """The venv's interpreter, as a shell word."""
        return f"{self.venv}/bin/python"
