"""Run an instance's tests in a sandbox the way the SWE-bench harness runs them, and read them.

The command and the log family come from env_setup (the harness's per-repository specs, or
the generic pytest command for repositories it does not know); the log becomes per-test
statuses (``{test id: "PASSED" | "FAILED" | ...}``), which ``grading.grade`` judges. A run the
infrastructure broke says so in ``failure`` (timed out, runner died); a container that vanished
raises ``sandbox.SandboxGone``.

    command = command_for(instance, root=workdir.root, commit=workdir.with_tests, venv=venv)
    result = run_tests(box, command, timeout=1800)
    result.statuses, result.failure
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from env_setup import (
    TestCommand,
    describe_at,
    harness_test_command,
    parse_test_log,
    read_at,
    version_at,
)
from swe_agent.bench.failures import ErrorKind, Failure
from swe_agent.bench.grading import TestsStatus

if TYPE_CHECKING:
    from sandbox import Observation, Sandbox

__all__ = [
    "TestCommand",
    "TestResult",
    "collect_probe",
    "command_for",
    "missing_module",
    "patched_paths",
    "reinstall",
    "reinstall_needed",
    "run_tests",
    "scratch_install",
    "skipped_for",
    "version_of",
]
# pytest's last line when an import fails at collection; exit code 4: a conftest did not load.
_COLLECTION_FAILED = re.compile(r"Interrupted: \d+ errors? during collection")


@dataclass(frozen=True)
class TestResult:
    """One run of an instance's test command."""

    __test__ = False

    command: TestCommand
    output: str  # stdout, then stderr
    exit_code: int | None
    elapsed_s: float
    statuses: dict[str, str] = field(default_factory=dict)
    failure: Failure | None = None  # the infrastructure broke the run; statuses are partial


def version_of(instance: Mapping[str, Any], *, root: Path | None, commit: str | None) -> str:
    """The instance's version: the dataset's own, else the checkout's, read the harness's way."""
    given = str(instance.get("version") or "")
    if given or root is None:
        return given
    read = read_at(root, commit)
    describe = describe_at(root, commit) if commit else None
    return version_at(str(instance["repo"]), read, describe=describe) or ""


def command_for(
    instance: Mapping[str, Any],
    *,
    root: Path | None = None,
    commit: str | None = None,
    venv: str = "/opt/swe-venv",
) -> TestCommand:
    """The test command of ``instance`` (repo, version, test_patch, FAIL_TO_PASS, PASS_TO_PASS).

    ``root`` and ``commit``: the repository at the tested commit, read for the version when the
    instance has none and for tox.ini.
    """
    named = [*(instance.get("FAIL_TO_PASS") or ()), *(instance.get("PASS_TO_PASS") or ())]
    return harness_test_command(
        str(instance["repo"]),
        version_of(instance, root=root, commit=commit) or None,
        test_patch=str(instance.get("test_patch") or ""),
        named=named,
        read=read_at(root, commit) if root is not None else None,
        venv=venv,
    )


def run_tests(box: Sandbox, command: TestCommand, *, timeout: float) -> TestResult:
    """Run ``command`` in the sandbox's workspace under ``timeout``; parse what it printed.

    Its stderr goes into its stdout, as in the harness's log: django's runner reports on stderr
    what the tests print on stdout, and a test's output may split its result line.
    """
    obs = box.run(f"( {command.command}\n) 2>&1", timeout=timeout)
    output = f"{obs.stdout}\n{obs.stderr}" if obs.stderr else obs.stdout
    return TestResult(
        command=command,
        output=output,
        exit_code=obs.exit_code,
        elapsed_s=obs.elapsed_s,
        statuses=parse_test_log(command.parser, output),
        failure=_failure(obs, timeout),
    )


def _failure(obs: Observation, timeout: float) -> Failure | None:
    if obs.timed_out:
        return Failure(
            ErrorKind.TIMEOUT, f"the tests ran longer than {timeout:.0f} s and were killed"
        )
    if obs.error:
        # The runner exited (or stopped answering) under the test command and was restarted.
        return Failure(ErrorKind.RUNNER_DIED, str(obs.error)[:500])
    return None


def collect_probe(command: TestCommand) -> str | None:
    """pytest's collection of the command's files, which shows import errors (pytest only)."""
    if "pytest" not in command.command or not command.directives:
        return None
    path = command.command.split(";", 1)[0]  # the venv first on PATH
    args = " ".join(command.directives)
    return f"{path}; python -m pytest --collect-only -q --tb=short -p no:cacheprovider {args}"


def missing_module(box: Sandbox, probe: str, output: str, exit_code: int | None) -> bool:
    """Did collection stop on a module the environment lacks (not on the code's own errors)?

    A name missing from the project (the test of a function an empty patch does not add) or a
    syntax error is the code's; ModuleNotFoundError is what another commit's environment gives.
    With --tb=no pytest may not print the error, so ``probe`` (collection only) shows it.
    """
    if not (_COLLECTION_FAILED.search(output) or exit_code == 4):
        return False
    shown = box.run(probe, timeout=600)
    return "ModuleNotFoundError" in output + shown.stdout + shown.stderr


def skipped_for(output: str, status: TestsStatus, *, named: list[str]) -> tuple[str, ...]:
    """Modules the skip reasons name, when a named test was skipped (or is missing)."""
    from env_setup import skipped_modules

    if not any(status.outcomes.get(test, "SKIPPED") == "SKIPPED" for test in named):
        return ()
    return skipped_modules(output, files=named)


def reinstall(
    box: Sandbox, install: str | None, *, stage: str, venv: str, touched: Sequence[str] = ()
) -> str | None:
    """Install the project again, offline, before its tests, as the harness's eval script does.

    An environment image's workspace was emptied when it was saved, and with it what the
    editable install wrote there (pytest's _version.py from setuptools_scm: "No module named
    '_pytest._version'", "requires pytest-2.0, actual pytest-unknown"; compiled extensions).
    The install runs only when it would change something (``reinstall_needed``): it took
    5-8 min under load where it rewrote only the venv's identical metadata. A sandbox whose
    root is read-only (a host without disk quotas: the root is then read-only, the workspace
    and the stage size-bounded in memory) cannot write the venv: the install then goes to a
    prefix in the stage (``scratch_install``). Either way the build writes its files into the
    workspace, which the venv's editable install already points at. A note when the install
    failed (the tests then run as they can), else None.
    """
    if install is None or reinstall_needed(box, venv=venv, touched=touched) is None:
        return None
    if box.run(f"test -w {venv}", timeout=60).exit_code != 0:
        install = scratch_install(install, prefix=f"{stage}/reinstall", venv=venv)
    done = box.run(f"mkdir -p {stage} && {{ {install}\n}} >{stage}/install.log 2>&1", timeout=1800)
    if done.exit_code == 0:
        return None
    tail = box.run(f"tail -c 300 {stage}/install.log", timeout=30).stdout.strip()
    return f"the project's install did not run again offline: {tail}"


BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
# What a build writes into the source tree: a version file (setuptools_scm's write_to or
# version_file, hatch-vcs's and versioningit's version-file) or compiled extensions.
_GENERATES = (
    r"write_to|version_file|version-file|ext_modules|Extension\(|cythonize|cffi_modules|"
    r"get_extensions|build_ext|setuptools_rust|meson|cmake"
)
# Run by the venv's Python (3.6 and up) in the workspace; prints why the install must run again.
_PROBE = f"""\
import glob, os, re, sysconfig
why = []
site = sysconfig.get_paths()["purelib"]
for link in glob.glob(os.path.join(site, "*.egg-link")):
    if os.path.realpath(open(link).readline().strip()) == os.path.realpath("."):
        why.append("a setup.py develop install keeps its metadata in the workspace (.egg-info)")
for name in {BUILD_FILES!r}:
    try:
        text = open(name, encoding="utf-8", errors="replace").read()
    except OSError:
        continue
    found = re.search({_GENERATES!r}, text)
    if found:
        why.append(name + " writes files into the tree (" + found.group(0) + ")")
print("; ".join(why))
"""


def patched_paths(*patches: str) -> list[str]:
    """The paths these patches change (one that does not parse counts as changing setup.py)."""
    from patches import PatchError, parse_patch

    paths: list[str] = []
    for text in patches:
        try:
            paths.extend(parse_patch(text).paths)
        except PatchError:
            paths.append("setup.py")  # it applied, so git read it: re-install to be safe
    return paths


def reinstall_needed(box: Sandbox, *, venv: str, touched: Sequence[str] = ()) -> str | None:
    """Why the project's install must run again before the tests, or None when it changes nothing.

    A fresh workspace lacks only what the build wrote into it at set-up: the metadata of a
    ``setup.py develop`` install (its .egg-info), a version file, compiled extensions; an
    editable install whose metadata is in the venv and whose build writes nothing into the
    tree would rewrite the same files. A patch (``touched``: the paths the model and test
    patches change) that edits a build file makes the venv's metadata stale: it runs then too.
    """
    edited = [path for path in touched if path.rsplit("/", 1)[-1] in BUILD_FILES]
    if edited:
        return f"the patches edit {', '.join(edited[:3])}"
    shown = box.run(f"{venv}/bin/python -c {shlex.quote(_PROBE)}", timeout=120)
    if shown.exit_code != 0:  # a venv that cannot say: install, as the harness always does
        return f"the probe failed: {(shown.stdout + shown.stderr).strip()[-200:]}"
    return shown.stdout.strip() or None


def scratch_install(install: str, *, prefix: str, venv: str) -> str:
    """``install`` into ``prefix`` beside a read-only venv, which keeps its own install.

    ``--ignore-installed``: pip would otherwise uninstall the venv's copy first. The prefix's
    site folder is on PYTHONPATH because an old pip's ``setup.py develop`` refuses a folder
    that is not (its .pth files must be read); the tests never see the prefix.
    """
    site = (
        f"$({venv}/bin/python -c 'import sysconfig; "
        f'print(sysconfig.get_path("purelib", vars={{"base": "{prefix}"}}))\')'
    )
    return (
        f'site={site} && mkdir -p "$site" && PYTHONPATH="$site" '
        f"{install} --prefix {prefix} --ignore-installed"
    )
