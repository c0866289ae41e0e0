"""The environment cache: images keyed by the dependency files, the Python and the plan."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from env_setup.model import Detection, Plan

CACHE_REPOSITORY = "swe-agent/env"
RECORD_IN_IMAGE = "/opt/swe-env.json"
# Bump when the install procedure changes in a way that makes old images wrong.
_SALT = "env_setup/1"


def cache_key(repo: Path, detection: Detection, plan: Plan, *, commit: str | None = None) -> str:
    """A short hash of the dependency files (at `commit`), the Python version and the plan."""
    digest = hashlib.sha256(_SALT.encode())
    for name in sorted(detection.dependency_files):
        digest.update(name.encode() + b"\0" + _file_bytes(repo, name, commit) + b"\0")
    planned = {
        "python": plan.python,
        "base_image": plan.base_image,
        "steps": [step.command for step in plan.steps],
        "test_command": plan.test_command,
    }
    digest.update(json.dumps(planned, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def cache_tag(key: str) -> str:
    """The image tag of a cache key."""
    return f"{CACHE_REPOSITORY}:{key}"


def _file_bytes(repo: Path, name: str, commit: str | None) -> bytes:
    if commit is None:
        path = repo / name
        return path.read_bytes() if path.is_file() else b""
    shown = subprocess.run(
        ["git", "-C", str(repo), "show", f"{commit}:{name}"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    return shown.stdout if shown.returncode == 0 else b""


def docker_client() -> Any:
    """A docker-py client, or None when no daemon answers (the cache is then simply empty)."""
    import docker

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except docker.errors.DockerException:
        return None
    return client


def image_exists(client: Any, tag: str) -> bool:
    """True when the image is present locally."""
    import docker

    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def record_in_image(client: Any, tag: str) -> dict[str, Any] | None:
    """The env.json stored inside a cached image (None when absent or unreadable)."""
    import docker

    try:
        out = client.containers.run(
            tag, ["cat", RECORD_IN_IMAGE], remove=True, network_mode="none", user="0:0"
        )
        data = json.loads(out)
    except (docker.errors.DockerException, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def available_images(client: Any) -> dict[str, str]:
    """Local base images by Python version: python:X.Y-slim before swe-agent/python:X.Y."""
    found: dict[str, str] = {}
    tags = [tag for image in client.images.list() for tag in image.tags]
    for tag in sorted(tags):
        repository, _, version = tag.partition(":")
        if repository == "swe-agent/python" and _is_xy(version):
            found.setdefault(version, tag)
    for tag in sorted(tags):
        repository, _, version = tag.partition(":")
        xy = version.removesuffix("-slim")
        if repository == "python" and version.endswith("-slim") and _is_xy(xy):
            found[xy] = tag  # the official image is the better one when a registry gave it
    return found


def _is_xy(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 2 and all(p.isdigit() for p in parts)
