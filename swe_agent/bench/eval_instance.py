"""Evaluate one prediction: environment image, sandbox, patches, tests, report.json.

``evaluate_task`` runs in a worker process (or a Ray task) and never raises: whatever goes
wrong becomes the ``error`` of the instance's row, with its kind (failures.ErrorKind), so the
batch goes on. An empty or absent patch is graded unresolved without running anything.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import atomic_write
from swe_agent.bench.envs import Environment
from swe_agent.bench.failures import ErrorKind, Failure, daemon_failure, unjudgeable
from swe_agent.bench.grading import TestsStatus, grade, instance_report
from swe_agent.bench.repos import DEFAULT_REPO_URL
from swe_agent.bench.testrun import (
    collect_probe,
    command_for,
    missing_module,
    patched_paths,
    reinstall,
    run_tests,
    skipped_for,
)
from swe_agent.bench.workdirs import Workdir, prepare_workdir

if TYPE_CHECKING:
    from sandbox import Sandbox

STAGE = "/tmp/swe-eval"
HARNESS = "7"  # bumped when a change makes earlier reports stale (they are then redone)
INSTANCE_IMAGES = "swe-agent/instance"
# git apply first, then the fallbacks of SWE-bench's harness: --reject, then GNU patch --fuzz
# (run on the host, see fuzz.py: environment images need not have patch).
APPLY_COMMANDS = ("git apply --verbose {file}", "git apply --verbose --reject {file}")


@dataclass(frozen=True)
class EvalTask:
    """Everything one evaluation needs; picklable, so it can go to a process or a Ray task."""

    instance: dict[str, Any]
    model_patch: str | None
    model_name: str
    digest: str
    out_dir: Path  # OUT/<instance_id>/
    mirrors: Path
    work_dir: Path  # OUT/repos/<instance_id>/
    lock_dir: Path
    timeout_s: float = 1800.0  # for the test command, as in SWE-bench's harness
    keep_image: bool = False
    network: bool = False  # the tests may reach the network (where the host has one)
    url_template: str | None = DEFAULT_REPO_URL  # clone from here when no mirror exists
    blob_sources: tuple[Path, ...] = ()  # files that may hold blobs the mirror lacks


@dataclass
class Outcome:
    """What one evaluation found; becomes report.json and a row of the summary."""

    instance_id: str
    applied: bool = False
    apply_command: str | None = None
    status: TestsStatus | None = None
    exit_code: int | None = None
    timed_out: bool = False
    failure: Failure | None = None
    image: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    collection_failed: bool = False  # collection stopped on a module the environment lacks
    skipped_for: tuple[str, ...] = ()  # modules named tests were skipped for want of
    env_shared: bool = False  # the environment of an earlier instance of this repo and version
    notes: list[str] = field(default_factory=list)
    missing_files: tuple[str, ...] = ()  # files of the commit the mirror lacks (and --blobs)

    def reset(self, *, note: str) -> None:
        """Forget the results of an attempt (not its timings) before evaluating again."""
        self.applied, self.apply_command, self.status = False, None, None
        self.exit_code, self.timed_out, self.failure = None, False, None
        self.collection_failed, self.skipped_for = False, ()
        self.notes.append(note)


def evaluate_task(task: EvalTask) -> dict[str, Any]:
    """Evaluate one prediction and write its folder; return the summary row."""
    started = time.monotonic()
    instance_id = str(task.instance["instance_id"])
    outcome = Outcome(instance_id)
    task.out_dir.mkdir(parents=True, exist_ok=True)
    if not (task.model_patch or "").strip():
        outcome.notes.append("empty patch: graded unresolved without running the tests")
    else:
        try:
            _evaluate(task, outcome, started)
        except Exception as exc:  # a worker reports, it does not die: the batch goes on
            outcome.failure = outcome.failure or _failure_of(exc)
    outcome.timings["total_s"] = round(time.monotonic() - started, 2)
    return _write_report(task, outcome)


def _failure_of(exc: Exception) -> Failure:
    """The error kind of an exception that stopped an evaluation."""
    from env_setup import EnvSetupError
    from sandbox import SandboxError, SandboxGone
    from swe_agent.bench.errors import RepoNotAvailable

    message = f"{type(exc).__name__}: {exc}"
    kinds = (
        (SandboxGone, ErrorKind.CONTAINER_GONE),
        (SandboxError, ErrorKind.SANDBOX),
        (RepoNotAvailable, ErrorKind.CHECKOUT),
        (EnvSetupError, ErrorKind.ENVIRONMENT),
    )
    kind = next((kind for cls, kind in kinds if isinstance(exc, cls)), ErrorKind.CRASH)
    daemon = daemon_failure(exc) if kind in (ErrorKind.CRASH, ErrorKind.ENVIRONMENT) else None
    if daemon is not None:  # Docker's API failed under us: the sandbox's, run again on resume
        return Failure(ErrorKind.SANDBOX, f"the Docker daemon did not answer: {daemon}")
    return Failure(kind, message)


def _evaluate(task: EvalTask, outcome: Outcome, started: float) -> None:
    from swe_agent.bench.envs import EnvironmentFailed, resolve_environment

    inst = task.instance
    workdir = prepare_workdir(
        repo=inst["repo"],
        commit=inst["base_commit"],
        test_patch=inst.get("test_patch") or "",
        mirrors=task.mirrors,
        dest=task.work_dir,
        url_template=task.url_template,
        blob_sources=task.blob_sources,
    )
    outcome.timings["workdir_s"] = _since(started)
    outcome.missing_files = workdir.missing
    for reuse in (True, False):
        try:
            env = resolve_environment(inst, root=workdir.root, commit=workdir.with_tests,
                                      lock_dir=task.lock_dir, reuse=reuse)  # fmt: skip
        except EnvironmentFailed as exc:
            outcome.failure = Failure(ErrorKind.ENVIRONMENT, str(exc))
            return
        outcome.image, outcome.env_shared = env.image, env.shared
        outcome.timings["env_s"] = round(_since(started) - outcome.timings["workdir_s"], 2)
        _in_sandbox(task, workdir, env, outcome)
        if outcome.skipped_for:
            _with_skipped_modules(task, workdir, env, outcome)
        if not (env.shared and outcome.collection_failed):
            return
        # The environment of another commit of this version lacks something these tests
        # import: evaluate again in the environment env_setup gives this commit.
        outcome.reset(note=f"tests did not collect in the shared environment {env.image}")


def _with_skipped_modules(
    task: EvalTask, workdir: Workdir, env: Environment, outcome: Outcome
) -> None:
    """Named tests were skipped for want of modules: install them in the image, test again.

    SWE-bench counts a skipped named test as failed; its harness installs a project's extras,
    env_setup installs only what the skip reasons name (bounded; a failed install is a note).
    """
    from swe_agent.bench.envs import add_skipped_modules

    modules = outcome.skipped_for
    mark = time.monotonic()
    ready, notes = add_skipped_modules(
        task.instance,
        env,
        modules,
        root=workdir.root,
        commit=workdir.with_tests,
        lock_dir=task.lock_dir,
    )
    outcome.timings["modules_s"] = _since(mark)
    outcome.notes.extend(notes)
    if ready:
        outcome.reset(note=f"named tests were skipped for want of {', '.join(ready)}: run again")
        _in_sandbox(task, workdir, env, outcome)
        outcome.skipped_for = ()  # once per instance


def _in_sandbox(task: EvalTask, workdir: Workdir, env: Environment, outcome: Outcome) -> None:
    from sandbox import Limits, start_sandbox

    # The whole output is kept: a -rA summary of hundreds of tests must not lose its middle.
    # A kept instance image must hold the patched workspace: on the image's layer, not tmpfs.
    disk = None if task.keep_image else Limits().disk
    limits = Limits(max_output=20_000_000, timeout_s=task.timeout_s, disk=disk)
    mark = time.monotonic()
    box = start_sandbox(
        workdir.root,
        image=env.image,
        commit=workdir.base,
        python=env.python,
        limits=limits,
        network=task.network,
        run_id=f"eval:{outcome.instance_id}",
    )
    try:
        outcome.timings["sandbox_s"] = _since(mark)
        _patch_and_test(box, task, workdir, env, outcome)
    finally:
        # Removing a container takes a second or two (its layer of thousands of files); the
        # report does not wait for it. The thread is not a daemon: the process waits at exit.
        threading.Thread(target=_close, args=(box,), name=f"close-{outcome.instance_id}").start()


def _close(box: Sandbox) -> None:
    """Remove the container; one removed underneath (or being removed) is not an error here."""
    from contextlib import suppress

    from sandbox import SandboxError

    with suppress(SandboxError):  # the evaluation already says what happened to it
        box.close()


def _patch_and_test(
    box: Sandbox, task: EvalTask, workdir: Workdir, env: Environment, outcome: Outcome
) -> None:
    """Model patch, test patch, FAIL_TO_PASS and PASS_TO_PASS, and the instance image if kept."""
    mark = time.monotonic()
    if not _apply_model_patch(box, task, workdir, outcome):
        return
    if not _apply(box, "test.diff", task.instance.get("test_patch") or "", APPLY_COMMANDS[:1]):
        message = "the test patch did not apply on top of the model patch"
        outcome.failure = Failure(ErrorKind.TEST_PATCH, message)
        return
    outcome.timings["patch_s"] = _since(mark)
    _reinstall(box, env, outcome, touched=_touched(task))
    _run_tests(box, task, workdir, env, outcome)
    if task.keep_image:
        box.commit(f"{INSTANCE_IMAGES}:{image_tag(outcome.instance_id)}")


def _reinstall(box: Sandbox, env: Environment, outcome: Outcome, *, touched: list[str]) -> None:
    """The project installed again, offline, before the tests (see ``testrun.reinstall``)."""
    mark = time.monotonic()
    note = reinstall(box, env.install, stage=STAGE, venv=env.venv, touched=touched)
    if env.install is not None:
        outcome.timings["install_s"] = _since(mark)
    if note is not None:
        outcome.notes.append(note)


def _touched(task: EvalTask) -> list[str]:
    """The paths the model and test patches change."""
    return patched_paths(task.model_patch or "", task.instance.get("test_patch") or "")


def _apply_model_patch(box: Sandbox, task: EvalTask, workdir: Workdir, outcome: Outcome) -> bool:
    """Apply the prediction (never empty: an empty one is graded without a sandbox)."""
    patch = task.model_patch or ""
    command = _apply(box, "model.diff", patch, APPLY_COMMANDS)
    log = ""
    if command is None:
        command, log = _fuzz(box, workdir, patch)
    if command is None:
        message = "the model patch did not apply (git apply, --reject, patch --fuzz)"
        outcome.failure = Failure(ErrorKind.PATCH, message)
        (task.out_dir / "apply.log").write_text(_apply_log(box) + log, encoding="utf-8")
        return False
    outcome.applied, outcome.apply_command = True, command
    return True


def _fuzz(box: Sandbox, workdir: Workdir, patch: str) -> tuple[str | None, str]:
    """GNU patch --fuzz on the host, its files written into the sandbox; (command, log)."""
    from swe_agent.bench.fuzz import COMMAND, fuzz_apply, write_into

    result = fuzz_apply(workdir.root, workdir.base, patch)
    log = f"\n+ {COMMAND}\n{result.log}"
    if not result.applied:
        return None, log
    error = write_into(box, result.files)
    return (COMMAND, log) if error is None else (None, f"{log}\n{error}\n")


def _apply(box: Sandbox, name: str, patch: str, commands: tuple[str, ...]) -> str | None:
    """Try each command until one applies ``patch`` cleanly; the one that did, else None."""
    if not patch.strip():
        return "none"
    path = f"{STAGE}/{name}"
    write = (
        f"import os; os.makedirs({STAGE!r}, exist_ok=True); open({path!r}, 'w').write({patch!r})"
    )
    box.execute(write, timeout=60)
    for template in commands:
        command = template.format(file=shlex.quote(path))
        obs = box.run(f"{command} >>{STAGE}/apply.log 2>&1", timeout=300)
        if obs.exit_code == 0:
            return command
        # A partial --reject must not leak into the next attempt (the workspace is at base).
        box.restore(box.base_state)
    return None


def _apply_log(box: Sandbox) -> str:
    return str(box.run(f"cat {STAGE}/apply.log", timeout=30).stdout)


def _run_tests(
    box: Sandbox, task: EvalTask, workdir: Workdir, env: Environment, outcome: Outcome
) -> None:
    """Run the instance's test command, as the harness would, and grade what it printed."""
    inst = task.instance
    f2p, p2p = list(inst.get("FAIL_TO_PASS") or []), list(inst.get("PASS_TO_PASS") or [])
    command = command_for(inst, root=workdir.root, commit=workdir.with_tests, venv=env.venv)
    result = run_tests(box, command, timeout=task.timeout_s)
    atomic_write(
        task.out_dir / "test_output.txt",
        f"+ {command.command}\n{result.output}",
        errors="surrogateescape",
    )
    # Summed over attempts (a re-run after an install): overhead is what is not the tests.
    outcome.timings["tests_s"] = round(outcome.timings.get("tests_s", 0.0) + result.elapsed_s, 2)
    outcome.exit_code = result.exit_code
    outcome.timed_out = result.failure is not None and result.failure.kind is ErrorKind.TIMEOUT
    probe = collect_probe(command)
    if env.shared and probe is not None:
        outcome.collection_failed = missing_module(box, probe, result.output, result.exit_code)
    outcome.status = grade(result.statuses, fail_to_pass=f2p, pass_to_pass=p2p, repo=inst["repo"])
    outcome.skipped_for = skipped_for(result.output, outcome.status, named=[*f2p, *p2p])
    outcome.failure = result.failure or _unjudgeable(result.output, outcome.status, task, outcome)


def _unjudgeable(
    output: str, status: TestsStatus, task: EvalTask, outcome: Outcome
) -> Failure | None:
    """Named tests failed for want of what the run lacked (network, files): not a verdict."""
    if status.resolved or not (status.f2p_failure or status.p2p_failure):
        return None
    return unjudgeable(output, network=task.network, missing_files=outcome.missing_files)


def image_tag(instance_id: str) -> str:
    """A Docker tag for an instance id (lowercase, at most 128 characters)."""
    return re.sub(r"[^a-z0-9_.-]", "_", instance_id.lower())[:128]


def _write_report(task: EvalTask, outcome: Outcome) -> dict[str, Any]:
    report = instance_report(
        outcome.instance_id,
        model_patch=task.model_patch,
        applied=outcome.applied,
        status=outcome.status,
    )
    fields = report[outcome.instance_id]
    # An error is not a verdict: the harness writes no report for it, so nothing is resolved.
    fields["resolved"] = fields["resolved"] and outcome.failure is None
    row = {
        "instance_id": outcome.instance_id,
        "resolved": fields["resolved"],
        "patch_exists": fields["patch_exists"],
        "patch_successfully_applied": outcome.applied,
        "apply_command": outcome.apply_command,
        "exit_code": outcome.exit_code,
        "timed_out": outcome.timed_out,
        "error": outcome.failure.text() if outcome.failure else None,
        "error_kind": str(outcome.failure.kind) if outcome.failure else None,
        "image": outcome.image,
        "env_shared": outcome.env_shared,
        "digest": task.digest,
        "harness": HARNESS,
        "timings": outcome.timings,
        "notes": outcome.notes,
        # A named test that reads one of these fails for that reason (pvlib's data files).
        "missing_files": list(outcome.missing_files[:50]),
    }
    kept = ("apply_command", "exit_code", "timed_out", "error", "error_kind")
    fields.update({k: row[k] for k in kept})
    atomic_write(task.out_dir / "patch.diff", task.model_patch or "", errors="surrogateescape")
    atomic_write(task.out_dir / "report.json", json.dumps(report, indent=2))
    atomic_write(task.out_dir / "eval.json", json.dumps(row, indent=2))
    return row


def _since(mark: float) -> float:
    return round(time.monotonic() - mark, 2)
