"""Install: run a plan's steps in the sandbox, repairing failures; every command is logged."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from env_setup.model import Plan, Step
from env_setup.record import CommandResult, Verification
from env_setup.repair import AgentRepairer, Attempt, Failure, Repairer
from env_setup.satisfied import SATISFIED, already_satisfied
from env_setup.skips import install_modules, skipped_modules
from env_setup.verify import verify
from sandbox import Sandbox

Progress = Callable[[str], None]
_OUTPUT_TAIL = 3000
STEP_TIMEOUT = 1800.0


@dataclass
class InstallLog:
    """The commands run so far, in order, and how many repairs are left."""

    repairs_left: int = 10
    results: list[CommandResult] = field(default_factory=list)
    agent: AgentRepairer | None = None  # takes over when the rules give up

    def tried(self) -> frozenset[str]:
        """Every command already run (repairers never propose one twice)."""
        return frozenset(result.command for result in self.results)


def run_step(
    box: Sandbox,
    step: Step,
    *,
    log: InstallLog,
    progress: Progress,
    timeout: float = STEP_TIMEOUT,
) -> CommandResult:
    """Run one command in the sandbox and log its outcome (a pip install the venv already
    satisfies is answered from the venv's metadata: see ``env_setup.satisfied``)."""
    progress(f"{step.kind}: {_short(step.command)}")
    started = time.monotonic()
    held = already_satisfied(box, step.command)
    if held is not None:
        output = f"{SATISFIED}:\n{held}"
        seconds = time.monotonic() - started
        return _logged(step, log, exit_code=0, ok=True, seconds=seconds, output=output)
    obs = box.run(step.command, timeout=timeout)
    output = (obs.stdout + "\n" + obs.stderr).strip()
    if obs.error:
        output += f"\n{obs.error}"
    return _logged(
        step, log, exit_code=obs.exit_code, ok=obs.ok, seconds=obs.elapsed_s, output=output
    )


def _logged(
    step: Step, log: InstallLog, *, exit_code: int | None, ok: bool, seconds: float, output: str
) -> CommandResult:
    result = CommandResult(
        command=step.command,
        why=step.why,
        kind=str(step.kind),
        exit_code=exit_code,
        seconds=round(seconds, 2),
        ok=ok,
        optional=step.optional,
        output_tail=output[-_OUTPUT_TAIL:],
        source=step.source,
    )
    log.results.append(result)
    return result


def install(
    box: Sandbox,
    plan: Plan,
    *,
    repairers: Sequence[Repairer],
    log: InstallLog,
    progress: Progress,
) -> CommandResult | None:
    """Run every step, repairing failures; return the failure that stopped it, or None."""
    for step in plan.steps:
        result = run_step(box, step, log=log, progress=progress)
        if result.ok:
            continue
        failure = Failure(result.output_tail, step)
        fixed = repair(box, plan, failure, repairers=repairers, log=log, progress=progress)
        if fixed is None and log.agent is not None and not step.optional:
            fixed = _agent_fixes_step(box, plan, failure, log=log, progress=progress)
        if fixed is None and not step.optional:
            return log.results[-1]
    return None


def _agent_fixes_step(
    box: Sandbox,
    plan: Plan,
    failure: Failure,
    *,
    log: InstallLog,
    progress: Progress,
) -> CommandResult | None:
    """Hand a step the rules could not fix to the agent; the passing re-run, or None."""
    assert failure.step is not None and log.agent is not None
    step = failure.step
    progress("no rule fixes this step: the repair agent takes over")

    def check() -> tuple[bool, str]:
        result = run_step(box, step, log=log, progress=progress)
        return result.ok, result.output_tail

    passed = log.agent.repair(Attempt(failure, plan, _runner(box, log, progress), check))
    return log.results[-1] if passed else None


def _runner(box: Sandbox, log: InstallLog, progress: Progress) -> Callable[[Step], CommandResult]:
    return lambda step: run_step(box, step, log=log, progress=progress)


def repair(
    box: Sandbox,
    plan: Plan,
    failure: Failure,
    *,
    repairers: Sequence[Repairer],
    log: InstallLog,
    progress: Progress,
) -> CommandResult | None:
    """Ask the repairers for fixes until the failed step passes; the passing result or None."""
    while log.repairs_left > 0:
        steps = _proposal(failure, plan=plan, repairers=repairers, tried=log.tried())
        if not steps:
            return None
        log.repairs_left -= 1
        result = None
        for index, step in enumerate(steps):
            result = run_step(box, step, log=log, progress=progress)
            if not result.ok:
                # The re-run (or its replacement) failed anew: repair that next, building on it.
                # A fix that failed leaves the original failure standing, for the next candidate.
                if index == len(steps) - 1:
                    failure = Failure(result.output_tail, step)
                break
        if result is not None and result.ok:
            return result
    return None


def _proposal(
    failure: Failure, *, plan: Plan, repairers: Sequence[Repairer], tried: frozenset[str]
) -> list[Step]:
    for repairer in repairers:
        steps = repairer.propose(failure, plan=plan, tried=tried)
        if steps:
            return steps
    return []


def verify_and_repair(
    box: Sandbox,
    plan: Plan,
    *,
    repairers: Sequence[Repairer],
    log: InstallLog,
    progress: Progress,
    tests: tuple[str, ...] = (),
    has_tests: bool = True,
) -> Verification:
    """Verify; while it fails and a repairer has a fix, apply the fix and verify again.

    When no rule has one, the agent (if any) gets the failure once, and verifies itself.
    """
    while True:
        progress("verifying: imports and test collection")
        result = verify(box, plan, tests=tests, has_tests=has_tests)
        if result.ok:
            return _skipped_modules_installed(box, plan, result, tests, log=log, progress=progress)
        failure = Failure(result.output_tail)
        steps = (
            _proposal(failure, plan=plan, repairers=repairers, tried=log.tried())
            if log.repairs_left > 0
            else []
        )
        if not steps and log.agent is not None:
            return _agent_verifies(
                box, plan, result, log=log, progress=progress, tests=tests, has_tests=has_tests
            )
        if not steps:
            return result
        log.repairs_left -= 1
        for step in steps:
            if not run_step(box, step, log=log, progress=progress).ok:
                break


def _skipped_modules_installed(
    box: Sandbox,
    plan: Plan,
    result: Verification,
    tests: tuple[str, ...],
    *,
    log: InstallLog,
    progress: Progress,
) -> Verification:
    """Named tests skipped at collection for want of a module: install it, then verify again."""
    modules = skipped_modules(result.output_tail, files=tests, own=plan.top_level_packages)
    if not tests or not modules:
        return result
    progress(f"named tests are skipped for want of {', '.join(modules)}: installing")
    installed = install_modules(
        box,
        modules,
        python_bin=plan.python_bin,
        as_of=plan.uploaded_prior_to,
        run=lambda step, timeout: run_step(box, step, log=log, progress=progress, timeout=timeout),
        tried=log.tried(),
    )
    for note in installed.notes:
        progress(note)
    return verify(box, plan, tests=tests) if installed.ready else result


def _agent_verifies(
    box: Sandbox,
    plan: Plan,
    failed: Verification,
    *,
    log: InstallLog,
    progress: Progress,
    tests: tuple[str, ...],
    has_tests: bool,
) -> Verification:
    """Hand a failed verification to the agent once; the last verification it ran."""
    assert log.agent is not None
    progress("no rule fixes the verification: the repair agent takes over")
    failure = Failure(failed.output_tail)
    checks = [failed]

    def check() -> tuple[bool, str]:
        checks.append(verify(box, plan, tests=tests, has_tests=has_tests))
        return checks[-1].ok, checks[-1].output_tail

    log.agent.repair(Attempt(failure, plan, _runner(box, log, progress), check))
    return checks[-1]


def _short(command: str) -> str:
    first = command.splitlines()[0] if command else ""
    return first if len(first) <= 120 else first[:117] + "..."
