"""The whole setup: detect -> plan -> (cache hit | install -> verify -> commit) -> env.json."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from env_setup.cache import (
    RECORD_IN_IMAGE,
    available_images,
    cache_key,
    cache_tag,
    docker_client,
)
from env_setup.dated_index import DATED_BY_INDEX, dated_index, runner_environment
from env_setup.errors import EnvSetupError
from env_setup.install import InstallLog, Progress, install, verify_and_repair
from env_setup.layers import Layer, own_command, plan_layers, run_layers, split_tooling
from env_setup.model import Detection, Plan, Tooling
from env_setup.options import SetupOptions
from env_setup.plan import DEFAULT_TOOLING, make_plan
from env_setup.prior import Prior, prior_for, unfit_guess
from env_setup.record import (
    CommandResult,
    EnvRecord,
    Verification,
    write_record,
)
from env_setup.repair import Repairer, RuleRepairer
from env_setup.reuse import (
    check_hit,
    dropped_last_time,
    fingerprint,
    from_cache,
    prefer_recorded_python,
    replay_plan,
)
from env_setup.source import check_repo, detect_at, head_commit
from env_setup.verify import missing_imports, without_own_warnings


@dataclass(frozen=True)
class _Run:
    """What every stage of one setup needs to know."""

    root: Path
    detection: Detection
    options: SetupOptions
    repairers: tuple[Repairer, ...]
    say: Progress
    prior: Prior | None = None
    tooling: Tooling = DEFAULT_TOOLING

    def plan(self, images: dict[str, str], python: str | None) -> Plan:
        """The plan for ``python`` (None: the planner's choice) on these images."""
        return make_plan(
            self.detection, images, python=python, prior=self.prior, tooling=self.tooling
        )


def setup_environment(
    repo: Path,
    options: SetupOptions | None = None,
    *,
    images: dict[str, str] | None = None,
    repairers: Sequence[Repairer] | None = None,
    progress: Progress | None = None,
) -> EnvRecord:
    """Set up (or reuse) the environment of `repo` and write `<repo>/.swe-agent/env.json`."""
    started = time.monotonic()
    options = options or SetupOptions()
    say = progress or (lambda _message: None)
    root = check_repo(repo, options.commit)
    if options.commit is None:
        options = replace(options, commit=head_commit(root))
    say("reading packaging, test and CI files")
    detection = detect_at(root, options.commit)
    client = docker_client()
    if client is None and images is None:
        raise EnvSetupError(
            "no Docker daemon answers", hint="start Docker; `swe-agent sandbox doctor` checks it"
        )
    images = images or available_images(client)
    chain: tuple[Repairer, ...] = tuple(repairers) if repairers is not None else (RuleRepairer(),)
    prior = (
        prior_for(root, options.commit, repo=options.repo, version=options.version)
        if options.known
        else None
    )
    if prior is not None and prior.guessed and dropped_last_time(root, prior.source, options):
        say(f"the {prior.source} (a guessed version) failed here last time (env.json)")
        prior = None
    unfit = unfit_guess(prior, detection)
    if unfit:
        say(unfit)
        prior = None
    if prior is not None:
        say(f"known repository: starting from the {prior.source}")
    tooling = options.tooling or DEFAULT_TOOLING
    run = _Run(root, detection, options, chain, say, prior, tooling)
    plan = run.plan(images, options.python)
    plan = prefer_recorded_python(root, plan, options, lambda python: run.plan(images, python))
    plan = replace(plan, notes=(*plan.notes, unfit)) if unfit else plan
    record = from_cache(root, detection, plan, options, client=client, started=started)
    if record is not None:
        say(f"cache hit: {record.image}")
        record = check_hit(root, plan, record, options, say=say)
        if not record.success:
            # Built at another commit with the same dependency files: this one may need more
            # (a new top-level package the editable install does not know, say).
            say("the cached environment fails here; building it for this commit")
            record = None
    if record is None:
        record = _build(run, plan, images=images)
    record = replace(record, timings={**record.timings, "total_s": _since(started)})
    write_record(root, record)
    return record


def _build(run: _Run, plan: Plan, *, images: dict[str, str]) -> EnvRecord:
    """Replay what env.json recorded when its key matches; else plan, install and repair."""
    replay = replay_plan(run.root, run.detection, plan, run.options)
    if replay is not None:
        run.say("replaying the commands recorded in env.json (its image is gone)")
        key = cache_key(run.root, run.detection, plan, commit=run.options.commit)
        record = build(run, replay, key=key)
        if record.success:
            return record
    return _build_with_fallbacks(run, plan, images=images)


def _build_with_fallbacks(run: _Run, plan: Plan, *, images: dict[str, str]) -> EnvRecord:
    """Build with the chosen Python; when that fails, with the next candidates.

    A known spec chosen from a guessed version goes first when it fails: the plan is made again
    without it (its own Python choice) before another Python is tried with a spec that may be
    another release's; up to max_pythons attempts follow that first one.
    """
    earlier: tuple[CommandResult, ...] = ()  # failed attempts stay in the log
    if run.prior is not None and run.prior.guessed:
        record = build(run, plan)
        if record.success:
            return record
        dropped = run.prior.source.removeprefix("known-spec ")
        run.say(f"the known spec {dropped} (a guessed version) failed; trying without it")
        run = replace(run, prior=None)
        plan = run.plan(images, run.options.python)
        reason = f"{plan.python_reason} (the known spec {dropped}, a guessed version, failed)"
        plan = replace(plan, python_reason=reason)
        earlier = (*record.commands, *_failed_verification(record))
    return _try_pythons(run, plan, images=images, earlier=earlier)


def _try_pythons(
    run: _Run, plan: Plan, *, images: dict[str, str], earlier: tuple[CommandResult, ...]
) -> EnvRecord:
    """The plan's Python, then its next candidates (up to max_pythons), until one works."""
    candidates = [plan.python] if run.options.python else list(plan.python_candidates)
    record: EnvRecord | None = None
    for python in candidates[: max(1, run.options.max_pythons)]:
        if python != plan.python:
            run.say(f"Python {plan.python} failed; trying Python {python}")
            reason = f"the next candidate after Python {plan.python} failed"
            plan = replace(run.plan(images, python), python_reason=reason)
        record = build(run, plan)
        record = replace(record, commands=(*earlier, *record.commands))
        if record.success:
            return record
        earlier = (*record.commands, *_failed_verification(record))
    assert record is not None  # there is always at least one candidate
    return record


def _failed_verification(record: EnvRecord) -> tuple[CommandResult, ...]:
    """A failed verification as a log entry, so the next attempt's record still shows it."""
    checked = record.verify
    if checked is None or checked.ok or not (checked.collect_command or checked.imports):
        return ()  # verified, or never got that far (the install failed: that is logged)
    return (
        CommandResult(
            command=checked.collect_command or "import check",
            why="the verification of this attempt",
            kind="verify",
            exit_code=None,
            seconds=0.0,
            ok=False,
            output_tail=checked.output_tail,  # verify keeps it short, errors first
            python=record.python,
        ),
    )


def build(run: _Run, plan: Plan, *, key: str | None = None) -> EnvRecord:
    """Install and verify in a fresh networked sandbox; commit the image when it works."""
    from sandbox import SETUP_LIMITS, start_sandbox

    key = key or cache_key(run.root, run.detection, plan, commit=run.options.commit)
    timings: dict[str, float] = {}
    started = time.monotonic()
    client = docker_client()
    layers = plan_layers(client, plan)
    image = next((layer.tag for layer in reversed(layers) if layer.ready), plan.base_image)
    run.say(f"starting a sandbox from {image} (Python {plan.python})")
    with (
        dated_index(client, plan.dated_index, say=run.say) as index,
        start_sandbox(
            run.root, image=image, network=True, limits=SETUP_LIMITS, commit=run.options.commit
        ) as box,
    ):
        timings["sandbox_s"] = _since(started)
        record = _install_and_verify(
            box, run, plan, key=key, timings=timings, layers=layers, index=index
        )
        if record.success:
            run.say(f"saving the environment as {record.image}")
            commit_started = time.monotonic()
            timings.update(save_image(box, replace(record, timings=dict(timings))))
            timings["commit_s"] = _since(commit_started)
        closing = time.monotonic()
    timings["close_s"] = _since(closing)
    return replace(record, timings=timings)


def _install_and_verify(
    box: Any,
    run: _Run,
    plan: Plan,
    *,
    key: str,
    timings: dict[str, float],
    layers: tuple[Layer, ...],
    index: str | None,
) -> EnvRecord:
    """The install steps, then the verification, both with repairs; the record of both."""
    log = InstallLog(repairs_left=run.options.max_repairs, agent=run.options.agent)
    started = time.monotonic()
    failed = run_layers(box, plan, layers, repairers=run.repairers, log=log, progress=run.say)
    if failed is None:
        box.execute(_PIP_NO_COMPILE)
        if index and plan.dated_index:  # after the tooling layer, whose folder is not dated
            box.execute(runner_environment(index, plan.dated_index))
        rest = replace(plan, steps=split_tooling(plan)[1])
        failed = install(box, rest, repairers=run.repairers, log=log, progress=run.say)
    timings["install_s"] = _since(started)
    verification = Verification(ok=False, output_tail="not verified: the install failed")
    if failed is None:
        box.execute(_WRITE_BYTECODE)
        verification = verify_and_repair(
            box,
            plan,
            repairers=run.repairers,
            log=log,
            progress=run.say,
            tests=run.options.tests,
            has_tests=run.detection.has_tests,
        )
    timings["verify_s"] = round(_since(started) - timings["install_s"], 2)
    if failed is None and run.options.pyright:
        verification = _pyright(box, run, plan, verification, timings=timings)
    record = _record(
        plan,
        key=key,
        success=failed is None and verification.ok,
        log=log,
        verification=verification,
        commit=run.options.commit,
    )
    if index:
        record = replace(record, dated_by=DATED_BY_INDEX, dated_index=plan.dated_index)
    elif plan.dated_index:
        record = replace(record, notes=(*record.notes, "the dated index did not start: undated"))
    mark = fingerprint(run.root, run.options.commit, run.options.tests) if record.success else None
    return replace(
        record,
        resolved=freeze(box, plan.python_bin) if failed is None else {},
        commands=tuple(replace(c, python=plan.python) for c in log.results),
        verified=(mark,) if mark else (),
    )


def _pyright(
    box: Any, run: _Run, plan: Plan, verification: Verification, *, timings: dict[str, float]
) -> Verification:
    """The verification with pyright's count of unresolved imports (EnvBench's metric)."""
    run.say("counting unresolved imports with pyright")
    started = time.monotonic()
    count, _summary = missing_imports(box, plan, workdir=box.workdir)
    timings["pyright_s"] = _since(started)
    return replace(verification, missing_imports=count)


DATED_BY_PIP = "pip --uploaded-prior-to"

# pip compiles every module it installs, package test folders included: numpy 1.23's wheel took
# 122 s to install against 7 s without (load 13). From the tooling layer on, pip leaves it to
# _COMPILE, once, before the commit: everything but test folders, which no project imports (test
# runs write no bytecode, so a module without its .pyc is compiled again at every run). Set in the
# runner, so not in the image. PIP_COMPILE, as PIP_NO_COMPILE=1 means --compile to pip.
_PIP_NO_COMPILE = "import os; os.environ['PIP_COMPILE'] = 'false'"
# The verification compiles what it imports anyway (the venv has no bytecode yet): written down,
# _COMPILE finds those modules done (seaborn-3069's collection, matplotlib and pandas among them,
# took 30.0 s and the compile 12.9 s). The checkout's own .pyc go with it before the commit.
_WRITE_BYTECODE = "import os; os.environ.pop('PYTHONDONTWRITEBYTECODE', None)"
# Later sandboxes unpack a fresh workspace: the checkout goes, meanwhile (the removal waits on
# the disk, the compile on the CPU: pylint-8898's took 37.2 s and its compile 18.1 s, one after
# the other, at load 12).
_COMPILE = (
    "find {workdir} -mindepth 1 -delete & "
    r"{venv}/bin/python -m compileall -q -j0 -x '[/\\]tests?[/\\]' {venv}/lib >/dev/null 2>&1;"
    " wait"
)

# Later sandboxes run as uid 1000: they must be able to empty the workspace, and to own the
# venv (only what the set-up added needs a chown). Caches would only make the image bigger.
_BEFORE_COMMIT = "rm -rf /tmp/.cache /root/.cache; {own}"


def save_image(box: Any, record: EnvRecord) -> dict[str, float]:
    """Store the record inside the container, tidy it, and commit it as the cache image.

    Returns the seconds of each part (compile_s, with the checkout's removal beside it;
    tidy_s; image_s: where a commit goes).
    """
    box.execute(f"open({RECORD_IN_IMAGE!r}, 'w').write({json.dumps(record.to_json())!r})")
    parts: dict[str, float] = {}
    started = time.monotonic()
    compile_and_empty = _COMPILE.format(workdir=box.workdir, venv=record.venv)
    box.run(compile_and_empty, timeout=1800)  # another era's syntax stays as is
    parts["compile_s"], started = _since(started), time.monotonic()
    box.run(_BEFORE_COMMIT.format(own=own_command(box.workdir, record.venv)), timeout=600)
    parts["tidy_s"], started = _since(started), time.monotonic()
    box.commit(record.image or cache_tag(record.cache_key))
    parts["image_s"] = _since(started)
    return parts


def freeze(box: Any, python_bin: str) -> dict[str, str]:
    """Distribution -> version as installed (`pip freeze`); editable installs map to '-e'."""
    obs = box.run(f"{python_bin} -m pip freeze --all", timeout=300)
    resolved: dict[str, str] = {}
    for line in obs.stdout.splitlines():
        name, sep, version = line.partition("==")
        if sep:
            resolved[name.strip()] = version.strip()
        elif " @ " in line:
            resolved[line.split(" @ ")[0].strip()] = line.split(" @ ", 1)[1].strip()
        elif line.startswith("-e "):
            resolved[line.rsplit("=", 1)[-1]] = "-e"
    return resolved


def _record(
    plan: Plan,
    *,
    key: str,
    success: bool,
    log: InstallLog,
    verification: Verification,
    commit: str | None,
) -> EnvRecord:
    return EnvRecord(
        success=success,
        python=plan.python,
        base_image=plan.base_image,
        image=cache_tag(key) if success else None,
        cache_key=key,
        cache_hit=False,
        test_command=without_own_warnings(plan, verification),
        test_runner=str(plan.test_runner),
        venv=plan.venv,
        commands=tuple(log.results),
        resolved={},
        verify=verification,
        timings={},
        python_reason=plan.python_reason,
        uploaded_prior_to=plan.uploaded_prior_to,
        commit=commit,
        notes=plan.notes,
        created_at=_now(),
        known_spec=plan.known_spec,
        tooling=str(plan.tooling),
        own_test_command=plan.own_test_command,
        dated_by=DATED_BY_PIP if plan.uploaded_prior_to else "",
    )


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
