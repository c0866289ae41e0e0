"""Repairs: the `Repairer` seam and the rules that fill it before any model does."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from env_setup.diagnose import (
    IMPORT_TO_DIST,
    Diagnosis,
    Problem,
    diagnose,
    distribution_for,
    import_problem,
    nearest_version,
)
from env_setup.model import Plan, Step, StepKind
from env_setup.plan import pip_install
from env_setup.pyversion import dating_pip
from env_setup.repair_era import era_candidates, missing_submodule

if TYPE_CHECKING:
    from env_setup.record import CommandResult

# Rewrites `name==old` to `name<op>new` in the repository's dependency files, in place; the repair
# command restores them with `git checkout` once the install ran, so the workspace stays clean.
REPIN_SCRIPT = """\
import pathlib, re, subprocess, sys
name, old, new = sys.argv[1:4]
files = subprocess.run(["git", "ls-files", "--", "*requirements*", "requirements/*", "*.in",
                        "setup.py", "setup.cfg", "pyproject.toml", "Pipfile"],
                       capture_output=True, text=True).stdout.split()
spelled = "[-_.]".join(re.escape(p) for p in re.split(r"[-_.]", name))
extras = r"(?:\\[[^\\]]*\\])?"
pin = re.compile(r"(?i)(?<![\\w-])(" + spelled + extras + r")\\s*===?\\s*" + re.escape(old)
                 + r"(?![\\w.])")
for f in files:
    path = pathlib.Path(f)
    text = path.read_text(errors="replace")
    changed = pin.sub(lambda m: m[1] + new, text)
    if changed != text:
        path.write_text(changed)
        print("repinned", name, "in", f)
"""
# Deletes the lines that require `name` from the requirements files (restored the same way).
DROP_SCRIPT = """\
import pathlib, re, subprocess, sys
name = sys.argv[1]
files = subprocess.run(["git", "ls-files", "--", "*requirements*", "requirements/*", "*.in"],
                       capture_output=True, text=True).stdout.split()
spelled = "[-_.]".join(re.escape(p) for p in re.split(r"[-_.]", name))
line = re.compile(r"(?im)^[ \\t]*" + spelled + r"(?![\\w.-])[^\\n]*\\n?")
for f in files:
    path = pathlib.Path(f)
    text = path.read_text(errors="replace")
    changed = line.sub("", text)
    if changed != text:
        path.write_text(changed)
        print("dropped", name, "from", f)
"""


@dataclass(frozen=True)
class Failure:
    """A step (or the verification) that failed, with its output."""

    output: str
    step: Step | None = None  # None when the verification failed


class Repairer(Protocol):
    """Proposes commands that repair a failure; the last one re-does what failed.

    Rules come first; a model-driven agent plugs in here later. `tried` holds every command run
    so far, so a repairer never proposes the same thing twice; an empty answer means give up.
    """

    def propose(self, failure: Failure, *, plan: Plan, tried: frozenset[str]) -> list[Step]: ...


@dataclass(frozen=True)
class Attempt:
    """What an agent repairer works with: the failure, the plan and two handles on the sandbox."""

    failure: Failure
    plan: Plan
    run: Callable[[Step], CommandResult]  # runs a command in the sandbox and logs it
    check: Callable[[], tuple[bool, str]]  # re-does what failed; (passed, output tail)


class AgentRepairer(Protocol):
    """Fixes what the rules could not, by running commands itself (a model-driven agent).

    Every command goes through `attempt.run`, so env.json logs it and a later setup replays the
    ones that worked; True means `attempt.check()` passed.
    """

    def repair(self, attempt: Attempt) -> bool: ...


class RuleRepairer:
    """The rules: missing module, missing plugin, impossible pin, failed build, API drift, dates."""

    def propose(self, failure: Failure, *, plan: Plan, tried: frozenset[str]) -> list[Step]:
        """Repair steps for the failure, or [] when no rule applies (or all were tried)."""
        found = diagnose(failure.output)
        rerun = failure.step.command if failure.step else None
        source = f"repair rule: {found.problem}"
        for steps in self._candidates(found, failure, plan):
            fixes = [s.command for s in steps if s.command != rerun]
            if fixes and not any(command in tried for command in fixes):
                return [replace(s, source=source) if s.command != rerun else s for s in steps]
        return []

    def _candidates(self, found: Diagnosis, failure: Failure, plan: Plan) -> list[list[Step]]:
        era = era_candidates(found, failure.step, plan, failure.output)
        if era is not None:
            return era
        if found.problem is Problem.PLUGIN_ERA:  # the plugin lacks a module of its own
            return self._candidates(import_problem(failure.output), failure, plan)
        step = failure.step
        if found.problem is Problem.MISSING_MODULE:
            return _missing_module(found, step, plan)
        if found.problem in (Problem.OLD_PYTEST, Problem.MISSING_PLUGIN):
            return _pytest_tools(found, step, plan)
        if found.problem is Problem.NO_SUCH_VERSION and step is not None:
            return _impossible_pin(found, step, plan)
        if found.problem is Problem.CONFLICT and step is not None:
            # A pinned tool (a linter, say) wants another version of something else we need:
            # the tests rarely need the tool, so the pin goes first, then the date cutoff.
            return [*_drop(step, found.name), *_toggle_date(step, plan, only_remove=True)]
        if found.problem is Problem.NO_DISTRIBUTION and step is not None:
            return [*_toggle_date(step, plan, only_remove=True), *_drop(step, found.name)]
        if found.problem is Problem.NEEDS_COMPILER and step is not None:
            return [[_compiler_step(plan), step]]
        if found.problem is Problem.BUILD_FAILED and step is not None:
            return _build_failed(found, step)
        if found.problem is Problem.API_DRIFT and plan.commit_date and dating_pip(plan.python):
            return _api_drift(found, step, plan)
        if step is not None and "pip" in step.command:
            return _toggle_date(step, plan)
        return []


def _pytest_tools(found: Diagnosis, step: Step | None, plan: Plan) -> list[list[Step]]:
    """A pytest too old for collection, or a plugin the configuration's options need."""
    if found.problem is Problem.OLD_PYTEST:
        why = f"the pinned {found.name} is too old for collection; a newer one works"
        upgrade = pip_install(["--upgrade", found.name], as_of=plan.uploaded_prior_to)
        return [[Step(upgrade, why, StepKind.REPAIR)]]
    if not found.name:
        return []
    why = f"the pytest configuration uses an option of {found.name}"
    fix = Step(pip_install([found.name], as_of=plan.uploaded_prior_to), why, StepKind.REPAIR)
    return [_then(fix, step)]


def _then(fix: Step, failed: Step | None) -> list[Step]:
    """The fix followed by the step that failed (verification failures re-run themselves)."""
    return [fix] if failed is None else [fix, failed]


# Old setup.py files import what current setuptools dropped (dep_util, then pkg_resources in 82);
# 64 is the first release with editable (PEP 660) installs, 69 deprecated dep_util.
OLD_SETUPTOOLS = "setuptools>=64,<69"
_OLD_TOOLING_MODULES = ("setuptools", "pkg_resources")


def _missing_module(found: Diagnosis, step: Step | None, plan: Plan) -> list[list[Step]]:
    module = found.name
    if module.split(".")[0] in plan.top_level_packages:
        return []  # the project's own package: installing something else will not help
    out = []
    top = module.split(".")[0]
    if "." in module and module not in IMPORT_TO_DIST and top not in _OLD_TOOLING_MODULES:
        # The package imports but lacks the submodule: its version is wrong, not its presence,
        # and installing it again as of the same date would change nothing.
        return missing_submodule(found, step)
    dists = distribution_for(module)
    if top in _OLD_TOOLING_MODULES and module != "setuptools":
        # Installing "setuptools" would keep the current one; only an older release has it.
        dists = [OLD_SETUPTOOLS]
    for dist in dists:
        why = f"`import {module}` failed; {dist} provides it"
        as_of = None if dist == OLD_SETUPTOOLS else plan.uploaded_prior_to
        fix = Step(pip_install([dist], as_of=as_of), why, StepKind.REPAIR)
        if step is not None and found.during_build and "--no-build-isolation" not in step.command:
            # The build needed it: pip's isolated build cannot see what we just installed.
            retry = Step(f"{step.command} --no-build-isolation", step.why, StepKind.REPAIR)
            out.append([fix, retry])
        else:
            out.append(_then(fix, step))
    return out


def _impossible_pin(found: Diagnosis, step: Step, plan: Plan) -> list[list[Step]]:
    nearest = nearest_version(found.version, found.available)
    if not nearest:
        return _toggle_date(step, plan)
    why = f"{found.name}=={found.version} does not exist; {nearest} is the nearest release"
    return [
        [
            Step(
                _repinned(step.command, found.name, found.version, f"=={nearest}"),
                why,
                StepKind.REPAIR,
            )
        ]
    ]


def _build_failed(found: Diagnosis, step: Step) -> list[list[Step]]:
    out = []
    if "--prefer-binary" not in step.command:
        why = "a package failed to build; prefer releases that ship a wheel for this Python"
        out.append([Step(f"{step.command} --prefer-binary", why, StepKind.REPAIR)])
    if not found.name:
        return out
    only = f"--only-binary={shlex.quote(found.name)}"
    for spec in _wheel_specs(found.version):
        why = f"{found.name} {found.version or ''} failed to build; nearest release with a wheel"
        command = f"{step.command} {only}"
        if spec and found.version:
            command = _repinned(command, found.name, found.version, spec)
        out.append([Step(command.strip(), why, StepKind.REPAIR)])
    return out


# Ubuntu bionic's Python 3.6 compiles with -specs=/usr/share/dpkg/no-pie-compile.specs, a file of
# dpkg-dev: without it every C extension fails ("no-pie-compile.specs: No such file").
_SPECS = (
    "import os, re, sys, sysconfig; flags = ' '.join(str(sysconfig.get_config_var(k) or '') "
    "for k in ('CFLAGS', 'LDSHARED')); "
    "sys.exit(any(not os.path.exists(f) for f in re.findall(r'-specs=(\\S+)', flags)))"
)


def _compiler_step(plan: Plan) -> Step:
    """Install a C toolchain with apt (set-up runs as root), and what the Python build lacks.

    Its headers, and the compiler specs files its build flags name (dpkg-dev's, on bionic).
    """
    apt = "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends"
    header = "os.path.join(sysconfig.get_paths()['include'], 'Python.h')"
    check = f"import os, sys, sysconfig; sys.exit(not os.path.exists({header}))"
    has_headers = f"{plan.python_bin} -c {shlex.quote(check)}"
    has_specs = f"{plan.python_bin} -c {shlex.quote(_SPECS)}"
    command = (
        f"apt-get update -qq && {apt} gcc g++ libc6-dev make && "
        f"({has_headers} || {apt} python{plan.python}-dev) && ({has_specs} || {apt} dpkg-dev)"
    )
    why = "a package compiles C code and the image has no compiler (or no Python headers)"
    return Step(command, why, StepKind.REPAIR)


def _wheel_specs(version: str) -> list[str]:
    """Ever wider ranges from a pinned version: same minor series, same major, anything newer."""
    numbers = [int(n) for n in re.findall(r"\d+", version)[:2]]
    if len(numbers) < 2:
        return [""]
    major, minor = numbers
    return [f">={version},<{major}.{minor + 1}", f">={version},<{major + 1}", f">={version}"]


def _api_drift(found: Diagnosis, step: Step | None, plan: Plan) -> list[list[Step]]:
    module = found.name.split(".")[0]
    if module in plan.top_level_packages or not plan.commit_date:
        return []
    date = plan.commit_date[:10]
    out = []
    for dist in distribution_for(module)[:1]:
        why = f"a name went missing from {module}; install {dist} as it was on {date}"
        args = [f"--uploaded-prior-to={date}T00:00:00Z", dist]
        out.append(_then(Step(pip_install(args, as_of=None), why, StepKind.REPAIR), step))
    return out


def _drop(step: Step, name: str) -> list[list[Step]]:
    """Dropping `name`, unless `step` dropped it already (wrapping it again would loop)."""
    return [] if _drop_prefix(name) in step.command else [[_dropped(step, name)]]


def _drop_prefix(name: str) -> str:
    return f"python3 - {shlex.quote(name)} <<'PY'\n{DROP_SCRIPT}"


def _dropped(step: Step, name: str) -> Step:
    """`step` re-run without the requirement that no index has (files restored afterwards)."""
    command = step.command
    if "\n" not in command:
        command = _rewrite_words(
            command, lambda w: "" if re.split(r"[\[<>=!~;@ ]", w)[0] == name else None
        )
    script = f"{_drop_prefix(name)}PY\n"
    why = f"no release of {name} can be installed; go on without it"
    return Step(f"{script}{command}; rc=$?; git checkout -q -- .; exit $rc", why, StepKind.REPAIR)


def _toggle_date(step: Step, plan: Plan, *, only_remove: bool = False) -> list[list[Step]]:
    """Resolve as of the commit date when the latest releases fail, and the reverse."""
    if "--uploaded-prior-to" in step.command:
        command = re.sub(r"\s--uploaded-prior-to=\S+", "", step.command)
        return [
            [
                Step(
                    command,
                    "resolving as of a date failed; try the latest releases",
                    StepKind.REPAIR,
                )
            ]
        ]
    dating = dating_pip(plan.python)
    if plan.commit_date and dating and " install " in step.command and not only_remove:
        date = f"{plan.commit_date[:10]}T00:00:00Z"
        command = step.command.replace(" install ", f" install --uploaded-prior-to={date} ", 1)
        return [
            [
                Step(
                    command,
                    f"the latest releases failed; resolve as of {date[:10]}",
                    StepKind.REPAIR,
                )
            ]
        ]
    return []


# A shell word: quoted runs and plain characters up to unquoted blank space.
_SHELL_WORD = re.compile(r"""(?:'[^']*'|"(?:[^"\\]|\\.)*"|[^\s'"])+""")


def _rewrite_words(command: str, change: Callable[[str], str | None]) -> str:
    """`command` with each word ``change`` answers for replaced (its text unquoted to decide).

    The rest stays as written, so shell syntax (``$(...)``, ``;``, redirections) survives:
    splitting the whole line and quoting it back would turn it into literal arguments.
    """

    def one(match: re.Match[str]) -> str:
        try:
            words = shlex.split(match[0])
        except ValueError:
            return match[0]
        new = change(words[0]) if len(words) == 1 else None
        return match[0] if new is None else new

    return _SHELL_WORD.sub(one, command)


def _repinned(command: str, name: str, old: str, new_spec: str) -> str:
    """`command` after rewriting `name==old` in the files and in the command line itself."""
    spelled = "[-_.]".join(re.escape(p) for p in re.split(r"[-_.]", name))
    pin = re.compile(rf"(?i)^({spelled}(?:\[[^\]]*\])?)\s*===?\s*{re.escape(old)}$")
    rewritten = command
    if "\n" not in command:
        rewritten = _rewrite_words(
            command,
            lambda w: shlex.quote(pin.sub(lambda m: m[1] + new_spec, w)) if pin.match(w) else None,
        )
    args = " ".join(shlex.quote(a) for a in (name, old, new_spec))
    return (
        f"python3 - {args} <<'PY'\n{REPIN_SCRIPT}PY\n"
        f"{rewritten}; rc=$?; git checkout -q -- .; exit $rc"
    )
