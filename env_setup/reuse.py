"""Reuse: a cached image with the same key, or the commands env.json recorded last time."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from common import git_stdout
from env_setup.cache import cache_key, cache_tag, image_exists, record_in_image
from env_setup.install import Progress
from env_setup.model import Detection, Plan, Step, StepKind
from env_setup.options import SetupOptions
from env_setup.record import EnvRecord, read_local_record, record_from_json
from env_setup.verify import verify


def from_cache(
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


def prefer_recorded_python(
    root: Path, plan: Plan, options: SetupOptions, plan_for: Callable[[str], Plan]
) -> Plan:
    """The plan for the Python that worked last time (env.json), when it was not the first choice.

    Without this a fallback Python's image is never looked up: the first choice's key misses,
    and the whole failing attempt runs again before the fallback. Only a fallback: when the
    record shows no failed attempt on this plan's first choice, its Python was an older plan's
    first choice (requests-2931's 3.6, chosen by its requirement file's pins before they
    stopped counting), and the plan stands.
    """
    data = _local_record(root)
    python = data.get("python") if data and data.get("success") else None
    if options.python or not options.use_cache or not isinstance(python, str):
        return plan
    if python == plan.python or python not in plan.python_candidates:
        return plan
    if not _failed_on(data, plan.python):
        return plan
    chosen = plan_for(python)
    rest = tuple(v for v in plan.python_candidates if v != python)
    reason = f"Python {python} worked last time (env.json); {plan.python_reason}"
    return replace(chosen, python_candidates=(python, *rest), python_reason=reason)


def dropped_last_time(root: Path, source: str, options: SetupOptions) -> bool:
    """Whether env.json's working environment of this commit was built without a guessed spec
    that failed there (its commands name it as their ``source``).

    Without this the next setup plans with the spec again, its key misses the image that
    works, and the failing attempt runs again before the spec is dropped (requests at 36453b95:
    136 s on a second call where a cache hit takes seconds).
    """
    data = _local_record(root)
    if options.python or not options.use_cache or not data or not data.get("success"):
        return False
    if data.get("known_spec") is not None or data.get("commit") != options.commit:
        return False
    commands = data.get("commands")
    return isinstance(commands, list) and any(
        isinstance(c, dict) and c.get("source") == source for c in commands
    )


def _failed_on(data: dict[str, Any] | None, python: str) -> bool:
    """Whether a record logs a failed, required step (or verification) run on ``python``."""
    commands = data.get("commands") if data else None
    return isinstance(commands, list) and any(
        isinstance(c, dict)
        and c.get("python") == python
        and not c.get("ok")
        and not c.get("optional")
        for c in commands
    )


def replay_plan(root: Path, detection: Detection, plan: Plan, options: SetupOptions) -> Plan | None:
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
        Step(c.command, c.why, StepKind(c.kind), optional=c.optional, source=c.source)
        for c in record.commands
        if c.ok and c.python in ("", record.python) and c.kind != StepKind.INSPECT
    )
    return replace(plan, steps=steps, notes=(*plan.notes, "replayed from env.json"))


def check_hit(
    root: Path, plan: Plan, record: EnvRecord, options: SetupOptions, *, say: Progress
) -> EnvRecord:
    """A cache hit as it stands, or after collecting the asked-for tests at this commit.

    A tree and test set verified before in this image are trusted (no container); without
    asked-for tests the hit is trusted too: the dependency files are the ones that verified.
    """
    mark = fingerprint(root, options.commit, options.tests)
    if mark is not None and mark in record.verified:
        say("verified before at this tree: trusting the recorded verification")
        return record
    if not options.tests:
        return record
    checked = verify_subset(root, plan, record, options, say=say)
    if checked.success and mark is not None:
        checked = replace(checked, verified=(*record.verified, mark))
    return checked


def fingerprint(root: Path, commit: str | None, tests: tuple[str, ...]) -> str | None:
    """What a verification depends on besides the image: the commit's tree and the targets."""
    if commit is None:
        return None  # files on disk, not a tree: nothing stable to recognise later
    tree = git_stdout("rev-parse", "--verify", "-q", f"{commit}^{{tree}}", cwd=root)
    if not tree:
        return None
    targets = "\n".join(sorted(tests))
    return hashlib.sha256(f"{tree}\0{targets}".encode()).hexdigest()[:16]


def verify_subset(
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
    return read_local_record(root)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
