"""The whole setup: detect -> plan -> (cache hit | install -> verify -> commit) -> env.json."""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
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
    image_exists,
    record_in_image,
)
from env_setup.detect import commit_date_of, detect
from env_setup.errors import BadRepository, EnvSetupError
from env_setup.install import InstallLog, Progress, install, verify_and_repair
from env_setup.layers import layer_tag, reused_results, split_tooling
from env_setup.model import Detection, Plan, Step, StepKind
from env_setup.plan import make_plan
from env_setup.record import (
    CommandResult,
    EnvRecord,
    Verification,
    record_from_json,
    record_path,
    write_record,
)
from env_setup.repair import Repairer, RuleRepairer
from env_setup.verify import verify


@dataclass(frozen=True)
class SetupOptions:
    """What a caller can ask of one setup."""

    commit: str | None = None  # a git revision; None is the checkout as it is (HEAD's tree)
    python: str | None = None  # force "X.Y"
    tests: tuple[str, ...] = ()  # verify collection of this subset only
    use_cache: bool = True
    max_pythons: int = 2  # how many Python candidates to try before giving up
    max_repairs: int = 10


@dataclass(frozen=True)
class _Run:
    """What every stage of one setup needs to know."""

    root: Path
    detection: Detection
    options: SetupOptions
    repairers: tuple[Repairer, ...]
    say: Progress


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
    root = _check_repo(repo, options.commit)
    say("reading packaging, test and CI files")
    detection = _detect_at(root, options.commit)
    client = docker_client()
    if client is None and images is None:
        raise EnvSetupError(
            "no Docker daemon answers", hint="start Docker; `swe-agent sandbox doctor` checks it"
        )
    plan = make_plan(detection, images or available_images(client), python=options.python)
    reused = _from_cache(root, detection, plan, options, client=client, started=started)
    if reused is not None:
        say(f"cache hit: {reused.image}")
        if options.tests:
            reused = _verify_subset(root, plan, reused, options, say=say)
            reused = replace(reused, timings={**reused.timings, "total_s": _since(started)})
        write_record(root, reused)
        return reused
    chain: tuple[Repairer, ...] = tuple(repairers) if repairers is not None else (RuleRepairer(),)
    run = _Run(root, detection, options, chain, say)
    replay = _replay_plan(root, detection, plan, options)
    if replay is not None:
        say("replaying the commands recorded in env.json (its image is gone)")
        record = build(run, replay, key=cache_key(root, detection, plan, commit=options.commit))
    if replay is None or not record.success:
        record = _build_with_fallbacks(run, plan, images=images or available_images(client))
    record = replace(record, timings={**record.timings, "total_s": _since(started)})
    write_record(root, record)
    return record


def _check_repo(repo: Path, commit: str | None) -> Path:
    root = repo.expanduser().resolve()
    if not root.is_dir():
        raise BadRepository(f"{repo} is not a directory", hint="pass the path of a repository")
    if commit is None:
        return root
    probe = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "-q", f"{commit}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        raise BadRepository(
            f"{commit} is not a commit of {root}",
            hint="pass a commit id, branch or tag that `git rev-parse` knows",
        )
    return root


def _detect_at(root: Path, commit: str | None) -> Detection:
    """Detect on the files as they are at `commit` (an exported copy), or on the checkout."""
    if commit is None:
        return detect(root)
    with tempfile.TemporaryDirectory(prefix="swe-env-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", "--format=tar", commit],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=_bytes_io(archive)) as tar:
            tar.extractall(tmp, filter=_safe_member)
        return detect(Path(tmp), commit_date=commit_date_of(root, commit))


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, skipping (not failing on) links that point outside."""
    try:
        return tarfile.data_filter(member, dest)
    except tarfile.FilterError:
        return None


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _from_cache(
    root: Path,
    detection: Detection,
    plan: Plan,
    options: SetupOptions,
    *,
    client: Any,
    started: float,
) -> EnvRecord | None:
    """The recorded environment when an image with this cache key exists already."""
    if not options.use_cache or client is None:
        return None
    key = cache_key(root, detection, plan, commit=options.commit)
    tag = cache_tag(key)
    if not image_exists(client, tag):
        return None
    data = _local_record(root)
    if not data or data.get("cache_key") != key:
        data = record_in_image(client, tag)
    if not data or not data.get("success"):
        return None
    record = record_from_json(data)
    return replace(
        record,
        cache_hit=True,
        image=tag,
        commit=options.commit,
        timings={**record.timings, "total_s": _since(started)},
        created_at=_now(),
    )


def _replay_plan(
    root: Path, detection: Detection, plan: Plan, options: SetupOptions
) -> Plan | None:
    """The plan made of the commands that worked last time, when env.json has the same key.

    Repairs (by rules, later by a model) are in that list, so a replay needs none of them.
    """
    data = _local_record(root)
    if not options.use_cache or not data or not data.get("success"):
        return None
    if data.get("cache_key") != cache_key(root, detection, plan, commit=options.commit):
        return None
    record = record_from_json(data)
    steps = tuple(
        Step(c.command, c.why, StepKind(c.kind), optional=c.optional)
        for c in record.commands
        if c.ok and c.python in ("", record.python)
    )
    return replace(plan, steps=steps, notes=(*plan.notes, "replayed from env.json"))


def _verify_subset(
    root: Path, plan: Plan, record: EnvRecord, options: SetupOptions, *, say: Progress
) -> EnvRecord:
    """Check the asked-for tests collect in a sandbox from the cached image (no network)."""
    from sandbox import start_sandbox

    say(f"verifying {len(options.tests)} test targets in the cached environment")
    started = time.monotonic()
    with start_sandbox(root, image=record.image, commit=options.commit) as box:
        verification = verify(box, plan, tests=options.tests)
    timings = {**record.timings, "verify_s": _since(started)}
    return replace(record, success=verification.ok, verify=verification, timings=timings)


def _local_record(root: Path) -> dict[str, Any] | None:
    path = record_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _build_with_fallbacks(run: _Run, plan: Plan, *, images: dict[str, str]) -> EnvRecord:
    """Build with the chosen Python; when that fails, with the next candidates."""
    candidates = [plan.python] if run.options.python else list(plan.python_candidates)
    record: EnvRecord | None = None
    earlier: tuple[CommandResult, ...] = ()  # failed attempts stay in the log
    for python in candidates[: max(1, run.options.max_pythons)]:
        if python != plan.python:
            run.say(f"Python {plan.python} failed; trying Python {python}")
            reason = f"the next candidate after Python {plan.python} failed"
            plan = replace(make_plan(run.detection, images, python=python), python_reason=reason)
        record = build(run, plan)
        record = replace(record, commands=(*earlier, *record.commands))
        if record.success:
            return record
        earlier = record.commands
    assert record is not None  # there is always at least one candidate
    return record


def build(run: _Run, plan: Plan, *, key: str | None = None) -> EnvRecord:
    """Install and verify in a fresh networked sandbox; commit the image when it works."""
    from sandbox import SETUP_LIMITS, start_sandbox

    key = key or cache_key(run.root, run.detection, plan, commit=run.options.commit)
    timings: dict[str, float] = {}
    started = time.monotonic()
    client = docker_client()
    layer = layer_tag(client, plan)
    layer_ready = bool(layer and image_exists(client, layer))
    image = layer if layer and layer_ready else plan.base_image
    run.say(f"starting a sandbox from {image} (Python {plan.python})")
    with start_sandbox(
        run.root, image=image, network=True, limits=SETUP_LIMITS, commit=run.options.commit
    ) as box:
        timings["sandbox_s"] = _since(started)
        record = _install_and_verify(
            box, run, plan, key=key, timings=timings, layer=(layer, layer_ready)
        )
        if record.success:
            run.say(f"saving the environment as {record.image}")
            commit_started = time.monotonic()
            _save_image(box, plan, replace(record, timings=dict(timings)))
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
    layer: tuple[str | None, bool],
) -> EnvRecord:
    """The install steps, then the verification, both with repairs; the record of both."""
    log = InstallLog(repairs_left=run.options.max_repairs)
    started = time.monotonic()
    failed = _tooling(box, run, plan, log=log, layer=layer)
    if failed is None:
        rest = replace(plan, steps=split_tooling(plan)[1])
        failed = install(box, rest, repairers=run.repairers, log=log, progress=run.say)
    timings["install_s"] = _since(started)
    verification = Verification(ok=False, output_tail="not verified: the install failed")
    if failed is None:
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
    record = _record(
        plan,
        key=key,
        success=failed is None and verification.ok,
        log=log,
        verification=verification,
        commit=run.options.commit,
    )
    return replace(
        record,
        resolved=_freeze(box, plan) if failed is None else {},
        commands=tuple(replace(c, python=plan.python) for c in log.results),
    )


def _tooling(
    box: Any, run: _Run, plan: Plan, *, log: InstallLog, layer: tuple[str | None, bool]
) -> CommandResult | None:
    """The venv and tooling steps: already in the layer, or run now and saved as the layer."""
    tag, ready = layer
    tooling, _ = split_tooling(plan)
    if tag and ready:
        log.results.extend(reused_results(tooling, tag))
        return None
    failed = install(
        box, replace(plan, steps=tooling), repairers=run.repairers, log=log, progress=run.say
    )
    if failed is None and tag:
        run.say(f"saving the tooling layer {tag}")
        box.commit(tag)
    return failed


# Later sandboxes run as uid 1000 and unpack a fresh workspace: they must be able to empty it,
# and to own the venv. Caches would only make the image bigger.
_BEFORE_COMMIT = (
    "find {workdir} -mindepth 1 -delete; rm -rf /tmp/.cache /root/.cache; "
    "chown -R 1000:1000 {workdir} {venv}"
)


def _save_image(box: Any, plan: Plan, record: EnvRecord) -> None:
    """Store the record inside the container, tidy it, and commit it as the cache image."""
    box.execute(f"open({RECORD_IN_IMAGE!r}, 'w').write({json.dumps(record.to_json())!r})")
    box.run(_BEFORE_COMMIT.format(workdir=box.workdir, venv=plan.venv), timeout=600)
    box.commit(record.image or cache_tag(record.cache_key))


def _freeze(box: Any, plan: Plan) -> dict[str, str]:
    """Distribution -> version as installed (`pip freeze`); editable installs map to '-e'."""
    obs = box.run(f"{plan.python_bin} -m pip freeze --all", timeout=300)
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
        test_command=plan.test_command,
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
    )


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
