"""Named tests skipped for want of a module: which modules the skip reasons name, and installs.

A project's test suite often skips what needs an optional dependency ("requires ephem",
``pytest.importorskip``). SWE-bench counts a named test that was skipped as failed, and its own
harness installs the extras; here the modules the reasons name are installed one by one,
keeping every installed distribution at its version, and logged so a later setup replays them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from env_setup.diagnose import distribution_for, is_stdlib
from env_setup.model import Step, StepKind
from env_setup.record import CommandResult
from sandbox import Sandbox

MAX_MODULES = 3  # a skip list naming more is a suite of optional back-ends, not a gap
INSTALL_TIMEOUT = 600.0
# Installed distributions pinned while the module's own installs: a test-only module must not
# move numpy under the project (numba's latest release wants a newer one, say).
KEEP = "/tmp/swe-keep.txt"
# `SKIPPED [2] pvlib/tests/test_x.py:45: requires ephem` (pytest -rs / -rA; SKIP before 3.x)
_SKIP_LINE = re.compile(
    r"^SKIP(?:PED)? \[\d+\] (?P<path>[^:\n]+?)(?::\d+)?: (?P<reason>[^\n]*?)\s*$", re.MULTILINE
)
_NAME = r"[`'\"]?(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[`'\"]?"
_VERSION = r"(?:\s*(?:[<>=!~]=?|\(|v?\d)[^\n]*)?"
_REASONS = (
    re.compile(r"could not import '(?P<module>[\w.]+)'"),  # pytest.importorskip
    re.compile(r"No module named '?(?P<module>[\w.]+)'?"),
    re.compile(
        r"^(?:tests? )?requires? (?:the )?(?:optional )?(?:module |package |library )?"
        + _NAME
        + _VERSION
        + r"(?: (?:module|package|library))?(?: (?:to be )?installed)?\.?$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:module |package )?" + _NAME + r" (?:is )?not (?:installed|available|importable)\.?$",
        re.IGNORECASE,
    ),
)
# Words "requires X" names that are not modules on PyPI.
_NOT_MODULES = frozenset(
    [
        "python",
        "python2",
        "python3",
        "pypy",
        "cpython",
        "network",
        "internet",
        "online",
        "connection",
        "web",
        "display",
        "x11",
        "gpu",
        "cuda",
        "root",
        "sudo",
        "windows",
        "win32",
        "linux",
        "darwin",
        "macos",
        "osx",
        "posix",
        "unix",
        "docker",
        "git",
        "hg",
        "svn",
        "bash",
        "java",
        "node",
        "gcc",
        "latex",
        "ffmpeg",
        "graphviz",
        "tty",
        "terminal",
        "symlinks",
        "slow",
        "memory",
        "locale",
        "utf8",
    ]
)


@dataclass(frozen=True)
class Skip:
    """One line of pytest's skip summary: where, why, and the module the reason names."""

    path: str
    reason: str
    module: str | None


def skips(output: str) -> list[Skip]:
    """The skip lines of pytest -rs / -rA output, each with the module its reason names."""
    return [
        Skip(m["path"], m["reason"], reason_module(m["reason"]))
        for m in _SKIP_LINE.finditer(output)
    ]


def reason_module(reason: str) -> str | None:
    """The module a skip reason says is missing, or None ("requires network" names none)."""
    for pattern in _REASONS:
        found = pattern.search(reason.strip())
        if found is None:
            continue
        module = found["module"]
        top = module.split(".")[0]
        if top.lower() in _NOT_MODULES or is_stdlib(top):
            return None
        return module
    return None


def skipped_modules(
    output: str, *, files: Iterable[str] = (), own: Iterable[str] = ()
) -> tuple[str, ...]:
    """Modules named by the skips of ``files`` (or of a conftest), at most MAX_MODULES.

    Skip lines carry a file, not a test id: a skip in a named test's file (or in a conftest,
    which skips whole folders) is taken as the named test's. ``own``: the project's packages.
    """
    wanted = {_file(f) for f in files}
    mine = {p.split(".")[0] for p in own}
    found: list[str] = []
    for skip in skips(output):
        if skip.module is None or skip.module.split(".")[0] in mine:
            continue
        path = skip.path.strip()
        if wanted and path not in wanted and not path.endswith("conftest.py"):
            continue
        if skip.module not in found:
            found.append(skip.module)
    return tuple(found[:MAX_MODULES])


def _file(test: str) -> str:
    return test.split("::", 1)[0].strip()


def install_steps(module: str, *, python_bin: str, as_of: str | None) -> list[Step]:
    """Installs of the module's distribution: as of the date cutoff, then without it."""
    dist = distribution_for(module)[0]
    why = f"named tests are skipped for want of `{module}`; {dist} provides it"
    keep = f"{python_bin} -m pip freeze --exclude-editable | grep '==' > {KEEP}"
    steps = []
    for cutoff in dict.fromkeys([as_of, None]):
        dated = [f"--uploaded-prior-to={cutoff}"] if cutoff else []
        words = [python_bin, "-m", "pip", "install", *dated, "--prefer-binary", "-c", KEEP, dist]
        command = f"{keep}; {' '.join(shlex.quote(w) for w in words)}"
        steps.append(Step(command, why, StepKind.REPAIR))
    return steps


Runner = Callable[[Step, float], CommandResult]


@dataclass(frozen=True)
class Installed:
    """What became of the modules: those the venv now imports, and a note on each."""

    ready: tuple[str, ...]
    notes: tuple[str, ...]


def install_modules(
    box: Sandbox,
    modules: Iterable[str],
    *,
    python_bin: str,
    as_of: str | None,
    run: Runner,
    tried: frozenset[str] = frozenset(),
) -> Installed:
    """Install each module the venv cannot import; a failed install is noted, never raised.

    ``run`` runs and logs a step with a timeout. ``tried`` holds commands run before: one that
    is there is not run again (it failed, or it ran and the module still does not import).
    """
    ready, notes = [], []
    for module in list(modules)[:MAX_MODULES]:
        if importable(box, python_bin, module):
            ready.append(module)
            notes.append(f"`{module}` imports already")
            continue
        steps = install_steps(module, python_bin=python_bin, as_of=as_of)
        if any(s.command in tried for s in steps):
            notes.append(f"`{module}`: its install was tried before; not again")
            continue
        note = _install(box, module, steps, python_bin=python_bin, run=run)
        notes.append(note)
        if note.startswith("installed"):
            ready.append(module)
    return Installed(tuple(ready), tuple(notes))


def _install(box: Sandbox, module: str, steps: list[Step], *, python_bin: str, run: Runner) -> str:
    """Each step until the module imports; a note saying how it went."""
    tail = ""
    for step in steps:
        result = run(step, INSTALL_TIMEOUT)
        if result.ok and importable(box, python_bin, module):
            return f"installed {distribution_for(module)[0]} for `{module}`"
        lines = result.output_tail.strip().splitlines()
        tail = lines[-1][:300] if lines else f"exit code {result.exit_code}"
    return f"could not install `{module}`: {tail}"


def importable(box: Sandbox, python_bin: str, module: str) -> bool:
    """Does the venv import ``module``?"""
    command = f"{python_bin} -c {shlex.quote(f'import {module}')}"
    return box.run(command, timeout=300).exit_code == 0
