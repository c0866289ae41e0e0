"""``start_sandbox``: pick a backend and an image, build the workspace, start the runner."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

from sandbox.errors import BadSource, DockerUnavailable
from sandbox.protocol import HostTool, Limits, Sandbox
from sandbox.workspace import WorkspaceSource, write_archive


class Backend(StrEnum):
    """Where the runner runs: a Docker (or Podman) container, or a copy on the host."""

    DOCKER = "docker"  # isolated: no network, resource limits
    LOCAL = "local"  # a temporary copy on the host, not isolated


log = logging.getLogger("sandbox")


def start_sandbox(  # noqa: PLR0913 - the one place where all sandbox options meet
    source: str | Path,
    *,
    image: str | None = None,
    limits: Limits | None = None,
    backend: Backend | str = Backend.DOCKER,
    network: bool = False,
    tools: Mapping[str, HostTool] | None = None,
    env: Mapping[str, str] | None = None,
    commit: str | None = None,
    dirty: bool = False,
    python: str = "3.9",
    allow_unsandboxed: bool = False,
    run_id: str | None = None,
) -> Sandbox:
    """Start a sandbox whose workspace is ``source`` (at ``commit``, default HEAD's tree).

    ``image`` defaults to ``swe-agent/python:X.Y``: bootstrapped, or made once from
    ``python:X.Y-slim`` with git added (see ``sandbox.images.resolve_image``).
    ``network=True`` is for the environment set-up phase (CA bundle and proxies passed in).
    When Docker is missing this raises DockerUnavailable, unless ``allow_unsandboxed``, which
    falls back to the local backend with a warning. ``run_id`` labels the container with the
    run it works for (beside its owner process, which every container names).
    """
    limits = limits or Limits()
    if backend not in tuple(Backend):
        raise BadSource(f"unknown sandbox backend {backend!r}", hint="use 'docker' or 'local'")
    workspace = WorkspaceSource(Path(source), commit=commit, dirty=dirty)
    with tempfile.TemporaryFile() as archive:

        def fill() -> None:
            archive.seek(0)
            archive.truncate()  # a second fill (the local fallback) starts over
            write_archive(workspace, archive)

        if backend == Backend.DOCKER:
            try:
                options = _DockerOptions(image, limits, network, tools, env, python, run_id)
                return _start_docker(archive, fill, options)
            except DockerUnavailable:
                if not allow_unsandboxed:
                    raise
                log.warning("Docker is not available; falling back to the local backend")
        from sandbox.local_backend import LocalSandbox

        fill()
        return LocalSandbox.start(archive, limits=limits, tools=tools, env=env)


@dataclass(frozen=True)
class _DockerOptions:
    """start_sandbox's options that the Docker backend takes."""

    image: str | None
    limits: Limits
    network: bool
    tools: Mapping[str, HostTool] | None
    env: Mapping[str, str] | None
    python: str
    run_id: str | None


def _start_docker(archive: IO[bytes], fill: Callable[[], None], options: _DockerOptions) -> Sandbox:
    from sandbox.docker_backend import DockerSandbox, connect
    from sandbox.images import resolve_image

    client = connect()
    chosen = options.image or resolve_image(client, options.python)
    return DockerSandbox.start(
        archive,
        fill=fill,  # the host writes the workspace archive while the container starts
        image=chosen,
        limits=options.limits,
        network=options.network,
        tools=options.tools,
        env=options.env,
        client=client,
        run_id=options.run_id,
    )
