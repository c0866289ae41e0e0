"""``swe-agent sandbox doctor``: is Docker usable here, and what to do when it is not."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from sandbox.errors import SandboxError

PIP_PROBE = "python3 -m pip download --no-deps --no-cache-dir -q -d /tmp/pip-probe six"


class Level(StrEnum):
    """How a check came out; only FAIL makes the doctor exit non-zero."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, what was seen, and the fix when it is not ok."""

    name: str
    level: Level
    detail: str
    fix: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DoctorReport:
    """All the findings, in the order they were made."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return all(check.level != Level.FAIL for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the report."""
        return {"ok": self.ok, "checks": [asdict(check) for check in self.checks]}


def run_doctor(
    *, python: str = "3.9", pip: bool = True, progress: Callable[[str], None] | None = None
) -> DoctorReport:
    """Check the daemon, the client, images, the registry, start-up and pip through the proxy."""
    say = progress or (lambda _message: None)
    checks: list[Check] = []
    say("daemon")
    daemon = _check_daemon()
    checks.append(daemon)
    checks.append(_check_cli())
    say("registry")
    checks.append(_check_registry())
    if daemon.level != Level.OK:
        rest = ("disk bound", "images", "start-up", "pip in a container")
        checks.extend(Check(name, Level.SKIP, "needs the daemon") for name in rest)
        return DoctorReport(tuple(checks))
    checks.append(_check_disk())
    images = _check_images(python)
    checks.append(images)
    if images.level != Level.OK:
        checks.append(Check("start-up", Level.SKIP, "needs an image"))
        return DoctorReport(tuple(checks))
    say("start-up")
    checks.append(_guarded("start-up", lambda: _check_startup(python)))
    if pip:
        say("pip in a container")
        checks.append(_guarded("pip in a container", lambda: _check_pip(python)))
    return DoctorReport(tuple(checks))


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    """A check that starts a sandbox: a failure to start is its finding, not a crash."""
    try:
        return check()
    except SandboxError as exc:
        return Check(name, Level.FAIL, f"{exc.title}: {exc}", exc.hint)


def _check_daemon() -> Check:
    from sandbox.engine import client_engine, connect

    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        engine = client_engine(connect(timeout=10))
    except SandboxError as exc:
        return Check("daemon", Level.FAIL, str(exc), exc.hint)
    data = {
        "engine": str(engine.kind),
        "version": engine.version,
        "api_version": engine.api_version,
        "host": where,
    }
    return Check("daemon", Level.OK, f"{engine.label} at {where}", data=data)


def _check_disk() -> Check:
    """What bounds a sandbox's disk use on this daemon (see sandbox.disk)."""
    from sandbox.disk import DiskMode, disk_bound, quota_possible
    from sandbox.engine import connect
    from sandbox.protocol import Limits

    info = connect(timeout=10).info()
    backing = dict(info.get("DriverStatus") or []).get("Backing Filesystem", "unknown")
    driver = f"{info.get('Driver')} on {backing}"
    bound = disk_bound(Limits(), quota=quota_possible(info))
    if bound.mode == DiskMode.QUOTA:
        detail = f"{driver}: {bound.describe()} (with pquota; else as without a quota)"
    else:
        detail = f"{driver} has no storage quota: {bound.describe()}"
    detail += "; the set-up phase (root, network) is not bounded"
    data = {"driver": driver, "mode": bound.mode.value, "bytes": bound.size}
    return Check("disk bound", Level.OK, detail, data=data)


def _check_cli() -> Check:
    path = shutil.which("docker")
    if path is None:
        return Check(
            "docker client",
            Level.FAIL,
            "the `docker` command is missing (the runner uses it)",
            "`sudo apt-get install docker.io`",
        )
    return Check("docker client", Level.OK, path)


def _check_registry() -> Check:
    from sandbox.slim import REGISTRY_URL, registry_error

    reason = registry_error()
    if reason is None:
        detail = f"{REGISTRY_URL} answers (python:X.Y-slim can be pulled)"
        return Check("registry", Level.OK, detail)
    fix = "no registry is needed: `swe-agent sandbox bootstrap --python 3.9` builds a base image"
    return Check("registry", Level.WARN, reason, fix)


def _check_images(python: str) -> Check:
    from sandbox.engine import connect
    from sandbox.images import resolve_image
    from sandbox.slim import slim_tag

    client = connect()
    ours = sorted(
        tag
        for image in client.images.list()
        for tag in image.tags
        if tag.removeprefix("localhost/").startswith(("swe-agent/", "python:"))
    )
    try:
        chosen = resolve_image(client, python, build=False)
    except SandboxError as exc:
        if slim_tag(python) in ours:
            detail = f"{slim_tag(python)} is present; git is added to it at the first start"
            fix = "start a sandbox once with the network on (apt installs git)"
            return Check("images", Level.WARN, detail, fix, data={"present": ours})
        return Check("images", Level.FAIL, str(exc), exc.hint, data={"present": ours})
    return Check(
        "images",
        Level.OK,
        f"uses {chosen}; present: {', '.join(ours)}",
        data={"present": ours, "chosen": chosen},
    )


def _check_startup(python: str) -> Check:
    from sandbox.factory import start_sandbox

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as empty, start_sandbox(empty, python=python) as box:
        ready = time.monotonic() - started
        times = []
        for _ in range(20):
            tick = time.perf_counter()
            box.execute("1 + 1")
            times.append(time.perf_counter() - tick)
    action_ms = sorted(times)[len(times) // 2] * 1000
    data = {"ready_s": round(ready, 3), "action_p50_ms": round(action_ms, 2)}
    level = Level.OK if ready <= 3.0 else Level.WARN
    load = os.getloadavg()[0]
    detail = f"ready in {ready:.2f} s, trivial action p50 {action_ms:.2f} ms (load {load:.1f})"
    fix = None if level == Level.OK else "a busy machine or a slow disk: compare with `uptime`"
    return Check("start-up", level, detail, fix, data={**data, "load": load})


def _check_pip(python: str) -> Check:
    from sandbox.factory import start_sandbox

    with (
        tempfile.TemporaryDirectory() as empty,
        start_sandbox(empty, python=python, network=True) as box,
    ):
        obs = box.run(PIP_PROBE, timeout=90)
    if obs.ok:
        return Check("pip in a container", Level.OK, "pip downloaded six from the package index")
    return Check(
        "pip in a container",
        Level.FAIL,
        f"pip could not reach the index: {(obs.error or obs.stderr or obs.stdout).strip()[-300:]}",
        "the host CA bundle (/etc/ssl/certs/ca-certificates.crt) and HTTP(S)_PROXY are passed "
        "in; check that they exist on the host and that containers on the bridge network get out",
    )
