"""Repairs for failures of another era: a plugin, a build's own advice, a submodule of a package.

- A package pinned long before the interpreter came out fails inside its own code (coverage
  4.0's opcodes): the newest release as of the plan's cutoff replaces it.
- A pytest plugin whose own code fails at collection (``pytest_astropy_header`` importing an
  ``astropy.tests`` module this astropy does not have) belongs to another era than the project:
  it is pinned to the known spec's version, else to the newest release before the commit, else
  its newest release (a plugin older than the project fails the same way).
- A build that says ``pip install X`` gets X as of the date, in the venv, and is built without
  isolation so it sees it (astropy's ``ah_bootstrap`` when the astropy_helpers submodule is
  absent).
- ``No module named 'wheel.wheelfile'``: the distribution is there, in a version without that
  module; installing it again as of the same date changes nothing, so the newest one goes in.
- The project's own package fails to import inside its editable build: its setup.py imports it
  (for the version) and it insists on compiled parts unless that setup.py runs as the main
  script, as astropy's of 2014-2019 did (``cannot import name '_compiler' from
  'astropy.utils'``). The build backend runs setup.py from its own main script, which pip did
  not before PEP 517/660: the project is installed the way of its time, ``setup.py develop``.
"""

from __future__ import annotations

import re
import shlex

from env_setup.diagnose import Diagnosis, Problem, distribution_for
from env_setup.model import Plan, Step, StepKind
from env_setup.plan import pip_install
from env_setup.pyversion import dating_pip

_MISSING_MODULE = re.compile(r"No module named '?([\w.]+)'?")
_EDITABLE_EXTRAS = re.compile(r"-e '?\.\[([^\]]+)\]")
_REQS = "/tmp/swe-develop-requirements.txt"
_OWN_MODULE_WHY = (
    "the project's own package fails to import in its build, which runs setup.py from another "
    "main script: its requirements, then setup.py develop, as pip did before PEP 517"
)
# pip's editable install of the workspace itself (``-e .``, ``-e '.[test]'``)
_EDITABLE_SELF = re.compile(r"pip install .*\s-e '?\.(?:\[[^\]]*\])?'?(?:\s|$)")
# The project's requirements (egg_info's requires.txt: the base section and the chosen extras,
# markers kept) as of the date, then the editable install of its time.
LEGACY_DEVELOP = (
    "rm -rf /tmp/swe-egg && mkdir -p /tmp/swe-egg && {python} - {extras} <<'PY'\n"
    "import pathlib, subprocess, sys\n"
    "subprocess.run([sys.executable, 'setup.py', '-q', 'egg_info', '--egg-base', '/tmp/swe-egg'],"
    " check=True)\n"
    "info = next(pathlib.Path('/tmp/swe-egg').glob('*.egg-info'))\n"
    "requires = info / 'requires.txt'\n"
    "lines = requires.read_text().splitlines() if requires.exists() else []\n"
    "reqs, section = [], ''\n"
    "for line in (x.strip() for x in lines):\n"
    "    if line.startswith('['):\n"
    "        section = line[1:-1]\n"
    "    elif line:\n"
    "        extra, _, marker = section.partition(':')\n"
    "        if not extra or extra in sys.argv[1:]:\n"
    "            reqs.append(line + ('; ' + marker if marker else ''))\n"
    f"pathlib.Path('{_REQS}').write_text('\\n'.join(reqs) + '\\n')\n"
    "PY\n"
    "{install} && {python} setup.py develop --no-deps"
)


def era_candidates(
    found: Diagnosis, failed: Step | None, plan: Plan, output: str
) -> list[list[Step]] | None:
    """The repairs of this module for ``found``; None when they do not apply."""
    if found.problem is Problem.PLUGIN_ERA:
        return plugin_era(found, failed, plan, output) or None
    if found.problem is Problem.BUILD_NEEDS:
        return build_needs(found, failed, plan)
    if found.problem is Problem.STALE_PACKAGE:
        return stale_package(found, failed, plan)
    if found.problem is Problem.NO_EDITABLE_HOOK and failed is not None:
        return no_editable_hook(failed, plan)
    if failed is not None and _own_module_in_build(found, failed, plan):
        return [[legacy_develop(failed, plan, _OWN_MODULE_WHY)]]
    return None


def _own_module_in_build(found: Diagnosis, failed: Step, plan: Plan) -> bool:
    """The project's own module missing while pip builds the project in editable mode."""
    if found.problem not in (Problem.API_DRIFT, Problem.MISSING_MODULE):
        return False
    own = found.name.split(".")[0] in plan.top_level_packages
    return own and bool(_EDITABLE_SELF.search(failed.command))


def no_editable_hook(step: Step, plan: Plan) -> list[list[Step]]:
    """A backend without PEP 660: the venv's setuptools, else ``setup.py develop`` (old ones)."""
    if "--no-build-isolation" not in step.command:
        # The isolated build got a setuptools of the date, too old for PEP 660; the venv's
        # (the tooling layer's) has the hook.
        why = "the isolated build's backend cannot install in editable mode; use the venv's"
        return [[Step(f"{step.command} --no-build-isolation", why, StepKind.REPAIR)]]
    why = "setuptools of the date predates editable wheels: its requirements, then setup.py develop"
    return [[legacy_develop(step, plan, why)]]


def legacy_develop(step: Step, plan: Plan, why: str) -> Step:
    """The editable install of ``step`` the way of its time: requirements, ``setup.py develop``."""
    extras = _EDITABLE_EXTRAS.search(step.command)
    chosen = extras[1].split(",") if extras else []
    script = LEGACY_DEVELOP.format(
        python=plan.python_bin,
        extras=" ".join(shlex.quote(e) for e in chosen),
        install=pip_install(["-r", _REQS], as_of=plan.uploaded_prior_to),
    )
    return Step(script, why, StepKind.REPAIR)


def plugin_era(found: Diagnosis, failed: Step | None, plan: Plan, output: str) -> list[list[Step]]:
    """Pin the failing plugin to the spec's version, else to the commit's date, else the newest."""
    missing = _MISSING_MODULE.search(output)
    if missing and missing[1].split(".")[0] not in plan.top_level_packages:
        return []  # the plugin lacks a module of its own: the missing-module rule installs it
    plugin = found.name
    out = []
    pinned = [p for p in plan.known_pins if _name(p) == _name(plugin)]
    for pin in pinned:
        why = f"collection fails inside {plugin}; the known spec pins {pin}"
        out.append(_then(Step(pip_install([pin], as_of=None), why, StepKind.REPAIR), failed))
    if plan.commit_date and dating_pip(plan.python):
        day = f"{plan.commit_date[:10]}T00:00:00Z"
        why = f"collection fails inside {plugin}; the release of the commit's time ({day[:10]})"
        args = [f"--uploaded-prior-to={day}", plugin]
        out.append(_then(Step(pip_install(args, as_of=None), why, StepKind.REPAIR), failed))
    why = f"collection fails inside {plugin}; its newest release"
    newest = Step(pip_install(["--upgrade", plugin], as_of=None), why, StepKind.REPAIR)
    return [*out, _then(newest, failed)]


def stale_package(found: Diagnosis, failed: Step | None, plan: Plan) -> list[list[Step]]:
    """A pinned package fails on this interpreter: the newest release as of the cutoff.

    The cutoff is at least the interpreter's release plus the wheels' lag, so that release
    knows the interpreter (coverage 4.0 pinned in 2016 reads opcodes Python 3.8 removed).
    """
    dist = distribution_for(found.name)[0]
    why = f"{dist} fails on Python {plan.python} ({found.detail}); a release that knows it"
    fix = Step(pip_install(["--upgrade", dist], as_of=plan.uploaded_prior_to), why, StepKind.REPAIR)
    return [_then(fix, failed)]


def build_needs(found: Diagnosis, step: Step | None, plan: Plan) -> list[list[Step]]:
    """Install what the build's message names, then build where it can see it."""
    if step is None:
        return []
    why = f"the build says `{found.detail}`; installed as of the date"
    fix = Step(pip_install([found.name], as_of=plan.uploaded_prior_to), why, StepKind.REPAIR)
    if "--no-build-isolation" in step.command:
        return [[fix, step]]
    retry = Step(f"{step.command} --no-build-isolation", step.why, StepKind.REPAIR)
    return [[fix, retry]]


def missing_submodule(found: Diagnosis, failed: Step | None) -> list[list[Step]]:
    """``pkg.sub`` missing while ``pkg`` imports: the newest ``pkg``, never the same date again."""
    dist = distribution_for(found.name)[0]
    why = f"`import {found.name}` failed although {dist} is installed; its newest release has it"
    fix = Step(pip_install(["--upgrade", dist], as_of=None), why, StepKind.REPAIR)
    return [_then(fix, failed)]


def _then(fix: Step, failed: Step | None) -> list[Step]:
    return [fix] if failed is None else [fix, failed]


def _name(requirement: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match[1]).lower() if match else requirement.lower()
