"""Which container engine answers on the Docker API socket, and what it needs told.

Podman serves the Docker API (`podman system service`, `DOCKER_HOST=unix:///run/podman/
podman.sock`); the Docker backend works against it with these differences:

* Podman run as root raises a container's RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 unless
  told otherwise (Docker leaves the daemon's). Where the host withholds CAP_SYS_RESOURCE
  (nested containers, some VMs) runc cannot raise a hard limit and the start fails with
  "error setting rlimit type 7: operation not permitted". So on Podman every container is
  given explicit limits, low enough to be under any host's hard limit.
* Podman's tmpfs mounts take no ``uid=``/``gid=`` options ("unknown mount option"); its
  ``U`` option gives the mount to the container's user instead.
* Podman names an image imported as ``swe-agent/python:3.9`` ``localhost/swe-agent/python:3.9``;
  lookups by the short name find it.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sandbox.errors import DockerUnavailable, SandboxError

PODMAN_NOFILE = 8192
"""Open files per process in a container on Podman (soft and hard)."""
PODMAN_NPROC = 8192
"""RLIMIT_NPROC on Podman: counted per user over the whole host, so far above ``Limits.pids``
(the container's own process cap, which stays the bound that matters)."""


class EngineKind(StrEnum):
    """The engines the Docker backend has been run against."""

    DOCKER = "docker"
    PODMAN = "podman"


@dataclass(frozen=True)
class Engine:
    """What the daemon said about itself (``GET /version``)."""

    kind: EngineKind
    version: str
    api_version: str

    @property
    def label(self) -> str:
        """Its name for people: ``Podman 4.3.1 (Docker API 1.41)``."""
        name = "Podman" if self.kind is EngineKind.PODMAN else "Docker"
        return f"{name} {self.version} (Docker API {self.api_version})"


def engine_of(version: dict[str, Any]) -> Engine:
    """The engine a ``/version`` answer comes from (Podman names itself in its components)."""
    names = [str(c.get("Name", "")) for c in version.get("Components") or () if isinstance(c, dict)]
    platform = version.get("Platform") or {}
    names.append(str(platform.get("Name", "")) if isinstance(platform, dict) else "")
    podman = any("podman" in name.lower() for name in names)
    return Engine(
        kind=EngineKind.PODMAN if podman else EngineKind.DOCKER,
        version=str(version.get("Version") or "?"),
        api_version=str(version.get("ApiVersion") or "?"),
    )


def engine_of_ping(headers: Mapping[str, str]) -> Engine:
    """The engine a ``/_ping`` answer comes from: Podman sends ``Libpod-Api-Version`` and
    ``Server: Libpod/4.3.1 (linux)``, Docker ``Server: Docker/20.10.24+dfsg1 (linux)``."""
    server = str(headers.get("Server") or "")
    name, _, rest = server.partition("/")
    podman = "Libpod-Api-Version" in headers or name.lower() == "libpod"
    version = headers.get("Libpod-Api-Version") if podman else None
    return Engine(
        kind=EngineKind.PODMAN if podman else EngineKind.DOCKER,
        version=str(version or rest.split(" ")[0] or "?"),
        api_version=str(headers.get("Api-Version") or "?"),
    )


_SEEN: weakref.WeakKeyDictionary[Any, Engine] = weakref.WeakKeyDictionary()


def remember_ping(client: Any, headers: Mapping[str, str]) -> None:
    """Keep what the ping that made ``client`` said of the engine."""
    _SEEN[client] = engine_of_ping(headers)


def client_engine(client: Any) -> Engine:
    """The engine behind a docker-py client (pinged once per client)."""
    if client not in _SEEN:
        response = client.api.get(client.api.base_url + "/_ping")
        remember_ping(client, response.headers)
    return _SEEN[client]


def create_options(engine: Engine, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``options`` for docker-py's ``containers.create`` with what the engine needs added (see
    the module docstring); rlimits already there (``fsize``) are kept."""
    merged = dict(options or {})
    if engine.kind is not EngineKind.PODMAN:
        return merged
    import docker

    if isinstance(merged.get("tmpfs"), dict):
        merged["tmpfs"] = {path: _podman_tmpfs(opts) for path, opts in merged["tmpfs"].items()}
    given = list(merged.get("ulimits") or [])
    named = {u["Name"] for u in given}
    merged["ulimits"] = given + [
        docker.types.Ulimit(name=name, soft=limit, hard=limit)
        for name, limit in (("nofile", PODMAN_NOFILE), ("nproc", PODMAN_NPROC))
        if name not in named
    ]
    return merged


def _podman_tmpfs(options: str) -> str:
    """Podman's tmpfs options know no uid=/gid= ("unknown mount option"); ``U`` gives the
    mount to the container's user, which is the owner they name."""
    kept = [o for o in options.split(",") if not o.startswith(("uid=", "gid="))]
    return ",".join([*kept, "U"]) if len(kept) < len(options.split(",")) else options


def engine_refused(what: str, exc: Any) -> SandboxError:
    """A daemon's refusal to create or start a container, said plainly (no traceback)."""
    reason = str(getattr(exc, "explanation", None) or exc).strip()[:500]
    return SandboxError(
        f"the container engine could not {what} the sandbox container: {reason}",
        hint="`swe-agent sandbox doctor` checks the engine; see the README on Podman",
    )


PROBE_API = "1.24"  # only to build the client that pings; /_ping itself is not versioned
DOCKER_HINT = (
    "start the daemon (`sudo systemctl start docker`, or `sudo dockerd &`) or install it "
    "(`sudo apt-get install docker.io`); or run without isolation with `--sandbox local` "
    "(or `--allow-unsandboxed`)"
)


def connect(timeout: float = 30.0) -> Any:
    """A docker-py client whose daemon answered a ping, or DockerUnavailable naming the fix."""
    import docker
    import requests

    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        # The API version comes from /_ping's headers, not from /version ("auto"), which
        # Podman answers by running its helpers (8.3 s at load 38 here, against 0.07 s).
        probe = docker.from_env(timeout=int(timeout), version=PROBE_API)  # sends nothing
        ping = probe.api.get(probe.api.base_url + "/_ping")
        ping.raise_for_status()
        api = ping.headers.get("Api-Version") or "auto"
        client = docker.from_env(timeout=int(timeout), version=api)
        remember_ping(client, ping.headers)
    except (docker.errors.DockerException, requests.RequestException, OSError) as exc:
        reason = str(exc).splitlines()[0][:300]
        raise DockerUnavailable(
            f"no Docker daemon answers at {where} ({reason})", hint=DOCKER_HINT
        ) from None
    return client


def remove_forced(container: Any) -> None:
    """Remove a container, forced; one already gone or being removed (another remover got
    there first: HTTP 404 or 409) is what was asked for."""
    import docker

    try:
        container.remove(force=True)
    except docker.errors.APIError as exc:
        if exc.status_code not in (404, 409):
            raise
