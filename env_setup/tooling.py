"""The build tooling's era: which setuptools and wheel build a project whose dependencies are dated.

Dependencies resolved as of a commit's date and build tooling of today do not mix (today's
setuptools with the date's ``packaging``, an old ``wheel`` pinned by the requirements under
today's editable build). Two consistent choices:

- isolated (the default): pip builds in its isolated environment, which takes setuptools and
  wheel from a local folder (local files are exempt from ``--uploaded-prior-to``) and every
  other build requirement as of the date. The folder holds the newest pair that still builds
  old ``setup.py`` files: setuptools 64-69 (editable installs, ``pkg_resources``, the ``test``
  command, and its own vendored ``packaging``) and a wheel of the same time. A project that
  asks for a newer setuptools in its ``[build-system]`` still gets it from the index.
- dated: the venv's own setuptools, wheel and packaging are those of the date and build the
  project without isolation; a setuptools older than 64 has no editable hook, so the project is
  then installed the way of its time (``setup.py develop``) after its requirements.

``swe-agent bench env --tooling isolated|dated`` runs either on a dataset, and
``benchmarks/env_setup_runs.py`` compares the runs (success, cold median and p90).
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

from env_setup.model import Packaging, Step, StepKind, Tooling

if TYPE_CHECKING:
    from packaging.requirements import Requirement

TOOLING_DIR = "/opt/swe-tooling"
ISOLATED_TOOLS = ("setuptools>=64,<70", "wheel<0.44")
# Python 3.6's last releases: setuptools 59.6 (no editable hook: pip 21.3 then runs
# ``setup.py develop`` itself) and wheel 0.37.
ISOLATED_TOOLS_36 = ("setuptools<60", "wheel<0.38")
# Ubuntu bionic's pip 9 looks for the index at its old address, which this kind of network may
# not reach; the current one serves every pip.
PYPI_INDEX = "https://pypi.org/simple"
DATED_TOOLS = ("setuptools", "wheel", "packaging")
TOOLING_SOURCE = "era tooling"


def isolated_tools(python: str) -> tuple[str, ...]:
    """The isolated mode's setuptools and wheel for this interpreter."""
    return ISOLATED_TOOLS_36 if _before_37(python) else ISOLATED_TOOLS


def _before_37(python: str) -> bool:
    major, minor = (int(part) for part in python.split(".")[:2])
    return (major, minor) < (3, 7)


def layer_tooling_step(tooling: Tooling, *, venv: str, python: str = "3.9") -> Step:
    """The tooling step of the shared layer: a current pip and the build tooling of the mode."""
    pip = f"{venv}/bin/python -m pip"
    # The first upgrade runs the image's own pip: an old one needs the index named.
    upgrade = f"{pip} install --index-url {PYPI_INDEX}" if _before_37(python) else f"{pip} install"
    if tooling is Tooling.DATED:
        return Step(
            f"{upgrade} --upgrade pip setuptools wheel",
            "a current pip: modern resolver, wheels for this Python, --uploaded-prior-to",
            StepKind.TOOLING,
        )
    tools = " ".join(shlex.quote(t) for t in isolated_tools(python))
    config = shlex.quote(f"[global]\nfind-links = {TOOLING_DIR}\n")
    command = (
        f"{upgrade} --upgrade pip {tools} && "
        f"{pip} download -q --no-deps --dest {TOOLING_DIR} {tools} && "
        f"printf %s {config} > {venv}/pip.conf"
    )
    why = (
        "a current pip, and setuptools and wheel that build old and new projects alike, also "
        f"kept in {TOOLING_DIR} for pip's isolated builds (exempt from the date cutoff)"
    )
    return Step(command, why, StepKind.TOOLING, source=TOOLING_SOURCE)


def dated_tooling_steps(*, python_bin: str, as_of: str) -> list[Step]:
    """The venv's setuptools, wheel and packaging as of the date (the dated mode)."""
    tools = " ".join(DATED_TOOLS)
    command = (
        f"{python_bin} -m pip install --uploaded-prior-to={as_of} --force-reinstall --no-deps "
        f"{tools}"
    )
    why = f"build tooling of the dependencies' date ({as_of[:10]}): one era for the build"
    return [Step(command, why, StepKind.DEPENDENCIES, source=TOOLING_SOURCE)]


def kept_build_requirements_step(
    build_requires: tuple[str, ...], *, python_bin: str, python: str, as_of: str | None
) -> Step | None:
    """The project's build requirements kept as files in the tooling folder, for offline rebuilds.

    An isolated build fetches them into a throwaway environment, so the image lacks them; the
    evaluation installs the project again with no network (a fresh workspace lacks what the
    build generated: setuptools_scm's version file, compiled extensions), and pip's isolated
    build then finds them in the folder pip.conf names. Constrained to the folder's setuptools
    and wheel, which must stay the ones isolated builds take. None when there are no others.
    """
    wanted = [r for r in build_requires if _name(r) not in ("setuptools", "wheel")]
    if not wanted:
        return None
    pip = f"{python_bin} -m pip"
    cutoff = f" --uploaded-prior-to={as_of}" if as_of else ""
    pins = shlex.quote("\\n".join(isolated_tools(python)) + "\\n")  # printf makes the lines
    reqs = " ".join(shlex.quote(r) for r in wanted)
    command = (
        f"printf {pins} > /tmp/swe-build-constraints.txt && {pip} download -q{cutoff} "
        f"--dest {TOOLING_DIR} -c /tmp/swe-build-constraints.txt {reqs}"
    )
    why = (
        "the build requirements kept in the tooling folder, so the project can be installed "
        "again with no network (as the evaluation does before the tests)"
    )
    return Step(command, why, StepKind.DEPENDENCIES, optional=True, source=TOOLING_SOURCE)


def pinned_build_tools_step(
    pins: list[str], *, pre_install: tuple[str, ...], python_bin: str
) -> Step | None:
    """A known spec's exact setuptools or wheel, also kept in the tooling folder.

    The spec pins them with no date and may make the build ask for the same release (astropy
    5.x's pre-install writes ``setuptools==68.0.0`` into pyproject.toml's build requirements);
    the isolated build resolves its requirements under the commit's date cutoff, which can
    predate that release (astropy-14508, a March 2023 commit: "No matching distribution found
    for setuptools==68.0.0"). The folder's files are exempt from the cutoff, as the harness's
    build, which has none, is. Only a pin the pre-install names: the folder's newest release is
    what every other isolated build takes (flask's spec pins setuptools 70 for the venv alone).
    """
    named = " ".join(pre_install)
    tools = [p for p in pins if _name(p) in ("setuptools", "wheel") and "==" in p and p in named]
    if not tools:
        return None
    wanted = " ".join(shlex.quote(t) for t in tools)
    command = f"{python_bin} -m pip download -q --no-deps --dest {TOOLING_DIR} {wanted}"
    why = "the known spec's build tools, where isolated builds find them whatever the date"
    return Step(command, why, StepKind.DEPENDENCIES, optional=True)


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match[1]).lower() if match else requirement.lower()


# What pip puts in the isolated build environment from the tooling folder (fixed releases).
_ISOLATED_VERSIONS = {"setuptools": "69.5.1", "wheel": "0.43.0"}


def isolation_unneeded(build_requires: tuple[str, ...], *, python: str) -> bool:
    """Whether the tooling folder's setuptools and wheel are all the project's build asks for,
    besides build helpers (``build_helpers``) that the venv can hold as well."""
    from packaging.requirements import InvalidRequirement, Requirement

    if _before_38(python):
        return False  # the check below reads importlib.metadata (Python 3.8+)
    for text in build_requires:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return False
        if _name(requirement.name) in BUILD_HELPERS:
            continue
        version = _ISOLATED_VERSIONS.get(requirement.name.lower())
        if version is None:
            return False
        if not requirement.specifier.contains(version) and not _pair_in_range(requirement):
            return False
    return True


def _pair_in_range(requirement: Requirement) -> bool:
    """Whether a setuptools or wheel requirement admits a release of the folder's range."""
    name = requirement.name.lower()
    low, high = _SETUPTOOLS_RANGE if name == "setuptools" else _WHEEL_RANGE
    majors = range(low[0], high[0]) if name == "setuptools" else (0,)
    minors = range(0, 10) if name == "setuptools" else range(low[1], high[1])
    return any(
        requirement.specifier.contains(f"{major}.{minor}.{patch}")
        for major in majors
        for minor in minors
        for patch in range(4)
    )


def build_helpers(build_requires: tuple[str, ...]) -> tuple[str, ...]:
    """The build requirements that only version or package the build (setuptools_scm), which
    the venv holds as harmlessly as the build does: installed there, the build needs no
    isolated environment (pytest-7982's took 61 s against 21 s in the venv, at load 10-190).

    A setuptools or wheel pin of the folder's range that the folder's own release does not meet
    (pylint 3.0's ``setuptools~=66.1``) is one too: the venv takes that release, instead of an
    isolated environment made for it (pylint-8898's editable install: 34.2 s against 8.1 s).
    """
    from packaging.requirements import InvalidRequirement, Requirement

    helpers = []
    for text in build_requires:
        if _name(text) in BUILD_HELPERS:
            helpers.append(text)
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        version = _ISOLATED_VERSIONS.get(requirement.name.lower())
        if version and not requirement.specifier.contains(version):
            helpers.append(text)
    return tuple(helpers)


def no_isolation_when_unchanged(venv: str, *, helpers: tuple[str, ...] = ()) -> str:
    """A shell word: pip's no-isolation flag when the venv's setuptools and wheel are of the era
    (and the build's helpers are there).

    An isolated build installs the folder's setuptools and wheel into a fresh environment on
    every build (about 40 s under load, and without the venv's numpy that an old ``setup.py``
    imports); when the dependencies left the venv's pair within the folder's range (a known
    spec may pin setuptools 68) the build is the same without it. A newer setuptools builds in
    the venv too: only a known spec's exact pin (flask 2.3's setuptools 70.0.0: its isolated
    build took 30.1 s against 4.6 s in the base's venv) or a date past the folder's release
    puts one there, and either is the commit's own era. The flag is spelled in two
    parts so that repairs, which add it when a build needs the venv's packages, still see a
    command without it.
    """
    names = sorted({_name(h) for h in helpers})
    script = (
        "import importlib.metadata as m, re; "
        "have = {re.sub('[-_.]+', '-', d.metadata['Name'].lower()): d.version "
        "for d in m.distributions()}; "
        "v = lambda n: tuple(int(x) for x in (have.get(n) or '0.0').split('.')[:2] "
        "if x.isdigit()); "
        f"ok = {_SETUPTOOLS_RANGE[0]} <= v('setuptools') "
        f"and {_WHEEL_RANGE[0]} <= v('wheel') < {_WHEEL_RANGE[1]}"
        + (f" and all(n in have for n in {names!r})" if names else "")
        + "; print('--no-build-' + 'isolation' if ok else '')"
    )
    return f'$({venv}/bin/python -c "{script}")'


def editable_on_sys_path(packaging: tuple[Packaging, ...], *, python: str) -> tuple[str, ...]:
    """pip's arguments that make a setuptools editable install put the checkout on sys.path.

    ``setup.py develop``, which the harness's pip runs for a project without pyproject.toml (or
    whose build pins a setuptools older than 64), appends the package root to sys.path. An
    editable wheel of setuptools 64+ instead installs an import hook for a flat layout, and code
    that maps files to modules through sys.path breaks: pylint loads its checkers with astroid's
    ``modpath_from_file`` and registers none (pylint-6903's every run stopped at
    UnknownMessageError). setuptools' compat mode is the path entry again. Other backends never
    see the setting; Python 3.6's last pip (21.3) has no ``--config-settings``.
    """
    if _before_37(python) or any(kind in _OTHER_BACKENDS for kind in packaging):
        return ()
    return ("--config-settings", "editable_mode=compat")


_OTHER_BACKENDS = frozenset({Packaging.POETRY, Packaging.HATCH, Packaging.FLIT, Packaging.PDM})
# Build requirements that only version or package the build (normalised names).
BUILD_HELPERS = frozenset({"setuptools-scm", "setuptools-scm-git-archive"})
# The releases the isolated mode builds with (ISOLATED_TOOLS), as (major, minor) bounds;
# wheel 0.32 is the first with the wheelfile module setuptools' editable builds import.
_SETUPTOOLS_RANGE = ((64, 0), (70, 0))
_WHEEL_RANGE = ((0, 32), (0, 44))


def _before_38(python: str) -> bool:
    major, minor = (int(part) for part in python.split(".")[:2])
    return (major, minor) < (3, 8)
