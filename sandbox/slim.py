"""A base image from ``python:X.Y-slim`` where a registry answers: the slim image plus git.

The official slim images have no git, and workspace states are git trees; so the first start
on such a machine pulls the slim image once, adds git, ca-certificates, procps and the user
1000 with apt, and tags the result as the bootstrapped image would be tagged.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from typing import Any

from sandbox.engine import remove_forced
from sandbox.errors import BootstrapFailed

log = logging.getLogger("sandbox")
REGISTRY_URL = "https://registry-1.docker.io/v2/"
ADD_GIT = (
    "set -e; export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; "
    "apt-get install -y -qq --no-install-recommends git ca-certificates procps > /dev/null; "
    "id -u 1000 > /dev/null 2>&1 || useradd --create-home --uid 1000 --shell /bin/bash sandbox; "
    "apt-get clean; rm -rf /var/lib/apt/lists/*"
)


def slim_tag(python: str) -> str:
    """The official image for Python X.Y."""
    return f"python:{python}-slim"


def registry_error(timeout: float = 3.0) -> str | None:
    """None when Docker Hub's registry answers (any HTTP status), else why it does not."""
    try:
        with urllib.request.urlopen(REGISTRY_URL, timeout=timeout):
            pass
    except urllib.error.HTTPError:
        return None  # 401 without credentials: it answers
    except (urllib.error.URLError, OSError) as exc:
        return f"{REGISTRY_URL} is not reachable ({exc})"
    return None


def present(client: Any, name: str) -> bool:
    """True when the image ``name`` is on this daemon."""
    import docker

    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


def ensure_slim(client: Any, name: str) -> bool:
    """True when ``name`` is present, after pulling it if a registry answers."""
    import docker

    if present(client, name):
        return True
    reason = registry_error()
    if reason is not None:
        log.info("not pulling %s: %s", name, reason)
        return False
    log.warning("pulling %s (once)", name)
    try:
        client.images.pull(name)
    except docker.errors.APIError as exc:
        log.warning("could not pull %s: %s", name, str(exc).splitlines()[0])
        return False
    return True


def add_git(client: Any, base: str, tag: str) -> str:
    """Build ``tag`` from ``base`` plus git, ca-certificates, procps and the user 1000."""
    from sandbox.docker_backend import PROXY_VARS
    from sandbox.engine import client_engine, create_options
    from sandbox.owners import IMAGE_LABELS, owner_labels

    log.warning("building %s from %s: adding git with apt (once, needs the network)", tag, base)
    container = client.containers.create(
        base,
        command=["sleep", "infinity"],
        user="0:0",
        network_mode="bridge",
        labels=owner_labels(),
        **create_options(client_engine(client)),
    )
    try:
        container.start()
        # proxies go to the exec only: the container's own config is what the image keeps
        proxies = {k: os.environ[k] for k in PROXY_VARS if k in os.environ}
        code, output = container.exec_run(["sh", "-c", ADD_GIT], user="0:0", environment=proxies)
        if code != 0:
            tail = output.decode("utf-8", "replace").strip()[-500:]
            raise BootstrapFailed(
                f"adding git to {base} failed (exit {code}): {tail}",
                hint="containers need the network for apt: `swe-agent sandbox doctor` checks it; "
                "without it, `swe-agent sandbox bootstrap --python X.Y` builds a base image",
            )
        repository, _, version = tag.rpartition(":")
        changes = ['CMD ["/bin/bash"]', f"LABEL swe-agent.base={base}", IMAGE_LABELS]
        image = container.commit(repository=repository, tag=version, changes=changes)
    finally:
        remove_forced(container)
    return str(image.id)
