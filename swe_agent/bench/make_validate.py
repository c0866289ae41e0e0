"""Run a candidate's tests before and after its patch; FAIL_TO_PASS and PASS_TO_PASS.

The environment is set up at the base with the test patch (env_setup, shared per repository
and version as ``bench eval`` shares it); one sandbox runs the tests the test patch touches
with the harness's command for the repository (``testrun.command_for``: sympy's bin/test,
django's runtests.py, pytest ...), then the patch is applied in it and they run again.
FAIL_TO_PASS are the tests that pass after and did not before (failed, erred, or were not
there); PASS_TO_PASS are those that passed both times.

``validate_task`` runs in a worker and never raises: an infrastructure failure is the row's
``error`` (and the candidate is tried again on resume), a verdict is ``kept`` or ``reason``.
No test going from failing to passing while tests failed for want of the network is an error
too (``--network`` where the host has one), not a verdict.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import atomic_write
from swe_agent.bench.repos import DEFAULT_REPO_URL
from swe_agent.bench.testrun import TestCommand

if TYPE_CHECKING:
    from sandbox import Sandbox

STAGE = "/tmp/swe-make"
PASSING = frozenset({"PASSED", "XFAIL"})  # as the grading counts a test that passes


@dataclass(frozen=True)
class MakeTask:
    """One candidate to validate; picklable for a pool process or a Ray task."""

    instance: dict[str, Any]
    mirrors: Path
    out_dir: Path  # OUT/<instance_id>/: the test logs and the verdict
    work_dir: Path  # OUT/repos/<instance_id>/
    lock_dir: Path
    timeout_s: float = 1800.0
    url_template: str | None = DEFAULT_REPO_URL
    blob_sources: tuple[Path, ...] = ()
    network: bool = False  # the tests may reach the network (where the host has one)


@dataclass(frozen=True)
class TestsRun:
    """The statuses of one run of the tests, what broke it, and what it lacked (network)."""

    __test__ = False

    statuses: dict[str, str]
    error: str | None = None
    lacking: str | None = None  # tests failed for want of the network (or files) the run lacked


def changed_tests(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str]]:
    """(FAIL_TO_PASS, PASS_TO_PASS) from the statuses before and after the patch."""
    passing = [t for t, status in after.items() if status in PASSING]
    fail_to_pass = [t for t in passing if before.get(t) not in PASSING]
    pass_to_pass = [t for t in passing if before.get(t) in PASSING]
    return fail_to_pass, pass_to_pass


def validate_task(task: MakeTask) -> dict[str, Any]:
    """The candidate's verdict: ``kept`` with the instance, or ``reason``, or ``error``."""
    started = time.monotonic()
    instance_id = str(task.instance["instance_id"])
    task.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        verdict = _validate(task)
    except Exception as exc:  # a worker reports, it does not die: the batch goes on
        verdict = {"error": f"{type(exc).__name__}: {exc}"[:2000]}
    row = {"instance_id": instance_id, "kept": False, **verdict,
           "seconds": round(time.monotonic() - started, 2)}  # fmt: skip
    atomic_write(task.out_dir / "verdict.json", json.dumps(row, indent=2))
    return row


def _validate(task: MakeTask) -> dict[str, Any]:
    from sandbox import Limits, start_sandbox
    from swe_agent.bench.envs import EnvironmentFailed, resolve_environment
    from swe_agent.bench.testrun import command_for, patched_paths, reinstall
    from swe_agent.bench.workdirs import prepare_workdir

    inst = task.instance
    workdir = prepare_workdir(repo=inst["repo"], commit=inst["base_commit"],
                              test_patch=inst["test_patch"], mirrors=task.mirrors,
                              dest=task.work_dir, url_template=task.url_template,
                              blob_sources=task.blob_sources)  # fmt: skip
    try:
        env = resolve_environment(inst, root=workdir.root, commit=workdir.with_tests,
                                  lock_dir=task.lock_dir)  # fmt: skip
    except EnvironmentFailed as exc:
        return {"error": f"environment: {exc}"}
    # The harness's command for the repository and version, on the test patch's files.
    command = command_for(inst, root=workdir.root, commit=workdir.with_tests, venv=env.venv)
    limits = Limits(max_output=20_000_000, timeout_s=task.timeout_s)
    box = start_sandbox(workdir.root, image=env.image, commit=workdir.with_tests,
                        python=env.python, limits=limits, network=task.network)  # fmt: skip
    try:
        touched = patched_paths(inst["patch"], inst["test_patch"])
        note = reinstall(box, env.install, stage=STAGE, venv=env.venv, touched=touched)
        verdict = _before_and_after(box, task, command)
        return {**verdict, "install_note": note} if note else verdict
    finally:
        box.close()


def _before_and_after(box: Sandbox, task: MakeTask, command: TestCommand) -> dict[str, Any]:
    before = _run_tests(box, task, command, log="before.txt")
    if before.error:
        return {"error": f"tests before the patch: {before.error}"}
    if not _apply(box, task.instance["patch"]):
        return {"reason": "the patch does not apply on the test patch"}
    after = _run_tests(box, task, command, log="after.txt")
    if after.error:
        return {"error": f"tests after the patch: {after.error}"}
    if not after.statuses:
        return {"reason": "the tests the test patch touches reported no result"}
    fail_to_pass, pass_to_pass = changed_tests(before.statuses, after.statuses)
    lacking = after.lacking if any(s not in PASSING for s in after.statuses.values()) else None
    if not fail_to_pass:
        if lacking:  # with the network they need, some might have passed: not a verdict
            return {"error": lacking}
        return {"reason": "no test goes from failing to passing", "PASS_TO_PASS": pass_to_pass}
    instance = {**task.instance, "FAIL_TO_PASS": fail_to_pass, "PASS_TO_PASS": pass_to_pass}
    return {"kept": True, "instance": instance, **({"note": lacking} if lacking else {})}


def _run_tests(box: Sandbox, task: MakeTask, command: TestCommand, *, log: str) -> TestsRun:
    """The tests the test patch touches, run and read as the evaluation runs and reads them."""
    from swe_agent.bench.failures import unjudgeable
    from swe_agent.bench.testrun import run_tests

    result = run_tests(box, command, timeout=task.timeout_s)
    atomic_write(
        task.out_dir / log, f"+ {command.command}\n{result.output}", errors="surrogateescape"
    )
    if result.failure is not None:
        return TestsRun({}, result.failure.text())
    lacking = unjudgeable(result.output, network=task.network, missing_files=())
    return TestsRun(result.statuses, lacking=lacking.text() if lacking else None)


def _apply(box: Sandbox, patch: str) -> bool:
    path = f"{STAGE}/fix.diff"
    box.execute(f"import os; os.makedirs({STAGE!r}, exist_ok=True); "
                f"open({path!r}, 'w').write({patch!r})", timeout=60)  # fmt: skip
    done = box.run(f"git apply --verbose {shlex.quote(path)}", timeout=300)
    return bool(done.exit_code == 0)
