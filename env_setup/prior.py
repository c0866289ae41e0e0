"""A known repository's spec as a prior for the plan: its Python, pins, pre-install and runner.

The specs (env_setup.known) target the SWE-bench harness's conda environments; here they map
onto pip in a Debian venv:

- ``python`` is the preferred interpreter (the nearest available one when there is no image);
- ``pip_packages`` are pip pins as they are, installed without the date cutoff (they are exact
  versions the harness chose, often newer than the commit);
- ``packages`` is a conda package list: each word becomes a pip requirement (``name=1.2`` ->
  ``name==1.2``; conda-only names such as ``python`` or compilers are left out), or it names the
  requirements files / environment.yml that detection reads anyway;
- ``pre_install`` lines run as optional steps (a line that only sets shell variables joins the
  lines that use them);
- the extras of ``install`` (``.[test]``) replace the detected test extras, except that an
  aggregate (``.[dev]``, ``.[all]``) yields to what it gathers less the docs and lint tools when
  the project declares a test extra: by convention dev is tests plus linters, docs builders and
  tox (marshmallow's is exactly that), all is every extra (pvlib's: test, optional, doc); the
  tests need the test and optional runtime extras, never the docs or lint tools, and installing
  those can take longer than the rest of the set-up;
- ``test_cmd`` names the repository's own runner when it is not pytest (sympy's ``bin/test``).

Every step it adds says so in ``Step.source``; env.json keeps it per command. A version read
from the checkout (no dataset gave one) is a guess: the harness's own version keys do not always
follow the version file (astropy's 2018 checkouts say 3.1.dev where the harness's key is 1.3), so
a spec chosen so is ``guessed`` and the set-up drops it when its build fails.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from common import git_stdout
from env_setup.facts import (
    AGGREGATE_EXTRA_NAMES,
    DEV_EXTRA_NAMES,
    TEST_EXTRA_NAMES,
    TOOLING_EXTRA_NAMES,
)
from env_setup.known import KnownSpec, describe_at, read_at, spec_for, version_at
from env_setup.model import Detection
from env_setup.pyversion import compiled_beyond_era

# conda names with no pip distribution of use in a venv (the interpreter, compilers, tools).
_CONDA_ONLY = frozenset(
    {"python", "pip", "gxx_linux-64", "gcc_linux-64", "cxx-compiler", "c-compiler", "make"}
)
_CONDA_TO_PIP = {"pytorch": "torch", "matplotlib-base": "matplotlib"}
_FILE_WORDS = ("requirements.txt", "environment.yml")
_EXTRAS = re.compile(r"\.\[([\w,\- ]+)\]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=\S*$")
_REMOTE_REPO = re.compile(r"(?:[:/])([\w.\-]+)/([\w.\-]+?)(?:\.git)?/?$")
_MIRROR_REPO = re.compile(r"([\w.\-]+)\+([\w.\-]+?)(?:\.git)?(?:/repo)?/?$")


@dataclass(frozen=True)
class Prior:
    """What a known repository's spec contributes to the plan."""

    spec: KnownSpec
    pins: tuple[str, ...]  # pip requirements: pip_packages, then the mapped conda packages
    pre_install: tuple[str, ...]  # shell commands, each one optional step
    extras: tuple[str, ...]  # the extras the spec installs the project with
    test_command: str | None  # the spec's own runner when it is not pytest, else None
    guessed: bool = False  # the version was read from the checkout, not given (a dataset's)

    @property
    def source(self) -> str:
        """How env.json names this prior."""
        return f"known-spec {self.spec.repo} {self.spec.version}"

    @property
    def installs_requirement_files(self) -> bool:
        """Whether the harness installs the repository's requirement files (else its own list).

        When it does not (requests 2.9: ``pip install .`` and pytest), their exact pins are not
        what its tests ran with: they neither date the interpreter nor replace its tools.
        """
        spec = self.spec
        commands = (spec.install or "", *spec.pre_install)
        return (spec.packages or "").strip() in _FILE_WORDS or any(
            re.search(r"(^|\s)(-r|--requirement)\s", c) for c in commands
        )


def prior_for(
    root: Path, commit: str | None, *, repo: str | None = None, version: str | None = None
) -> Prior | None:
    """The prior of the repository at ``root`` (its name from ``repo`` or its origin remote)."""
    name = repo or repo_name(root)
    if name is None:
        return None
    guessed = version is None
    if version is None:
        version = version_at(
            name, read_at(root, commit), describe=describe_at(root, commit or "HEAD")
        )
    spec = spec_for(name, version)
    return None if spec is None else replace(prior_of(spec), guessed=guessed)


def unfit_guess(prior: Prior | None, detection: Detection) -> str | None:
    """Why a spec of a guessed version is not used here (None when it is, or is no guess).

    Its Python would build the commit's compiled code with packages years past the commit (a
    guess can name a later release line: astropy's 2018 checkout says 3.1.dev, the harness's
    key is 1.3, on Python 3.6); a version the dataset gives is the harness's own and is kept.
    """
    if prior is None or not prior.guessed:
        return None
    if not compiled_beyond_era(detection, prior.spec.python):
        return None
    return (
        f"the {prior.source} (a guessed version) asks for Python {prior.spec.python}, whose"
        " packages are years newer than this commit's compiled code: not used"
    )


def prior_of(spec: KnownSpec) -> Prior:
    """The spec mapped onto pip in a venv (see the module docstring)."""
    return Prior(
        spec=spec,
        pins=tuple(dict.fromkeys([*spec.pip_packages, *conda_to_pip(spec.packages)])),
        pre_install=pre_install_blocks(spec.pre_install),
        extras=_extras(spec.install),
        test_command=_own_runner(spec.test_cmd),
    )


def project_extras(
    prior: Prior, detected: tuple[str, ...], declared: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The extras to install the project with: the spec's, unless it names only aggregates.

    An aggregate (dev, all) gathers the project's other extras; when the project declares a
    test extra, what the tests need is its declared extras less the aggregates and the docs and
    lint tools (pvlib's all = test + optional + doc: test and optional).
    """
    if not prior.extras or not all(e.lower() in AGGREGATE_EXTRA_NAMES for e in prior.extras):
        return prior.extras or detected
    if any(e.lower() in DEV_EXTRA_NAMES for e in detected):
        return prior.extras  # detection itself needed dev: the test extra lacks the runner
    keep = tuple(
        e
        for e in dict.fromkeys([*detected, *declared])
        if e.lower() not in AGGREGATE_EXTRA_NAMES and e.lower() not in TOOLING_EXTRA_NAMES
    )
    return keep if any(e.lower() in TEST_EXTRA_NAMES for e in keep) else prior.extras


def conda_to_pip(packages: str | None) -> tuple[str, ...]:
    """A conda package list as pip requirements (files it names are read by detection)."""
    if not packages or packages.strip() in _FILE_WORDS:
        return ()
    out = []
    for word in shlex.split(packages):
        name = re.split(r"[<>=!~ ]", word, maxsplit=1)[0].lower()
        if not name or name in _CONDA_ONLY:
            continue
        rest = word[len(name) :]
        if re.match(r"^=[^=]", rest):  # conda's single "=" is a version prefix
            rest = f"=={rest[1:]}" if rest.count(".") >= 2 else f"~={rest[1:]}.0"
        out.append(_CONDA_TO_PIP.get(name, name) + rest)
    return tuple(out)


def pre_install_blocks(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Pre-install lines as commands; variable assignments are kept with the lines after them."""
    blocks: list[str] = []
    pending: list[str] = []
    for line in lines:
        if _ASSIGNMENT.match(line.strip()):
            pending.append(line.strip())
            continue
        if pending and "$" in line:
            blocks.append(" && ".join([*pending, line]))
            continue
        blocks.append(line)
    return tuple(blocks)


def repo_name(root: Path) -> str | None:
    """OWNER/NAME from the origin remote (a forge URL or a mirror folder OWNER+NAME)."""
    url = git_stdout("remote", "get-url", "origin", cwd=root)
    if not url:
        return None
    for pattern in (_MIRROR_REPO, _REMOTE_REPO):
        found = pattern.search(url)
        if found:
            return f"{found[1]}/{found[2]}"
    return None


def _extras(install: str | None) -> tuple[str, ...]:
    found = _EXTRAS.search(install or "")
    return tuple(e.strip() for e in found[1].split(",") if e.strip()) if found else ()


def _own_runner(test_cmd: str | None) -> str | None:
    """The spec's test command when it runs the repository's own script, not pytest or tox."""
    if not test_cmd:
        return None
    words = [w for w in shlex.split(test_cmd) if "=" not in w.split("/")[0]]
    first = words[0] if words else ""
    return None if first in ("pytest", "tox", "python") else test_cmd
