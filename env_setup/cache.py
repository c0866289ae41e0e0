"""The environment cache: images keyed by the dependency files, the Python and the plan."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

from common import run_git
from env_setup.model import Detection, Plan
from sandbox import remove_forced

CACHE_REPOSITORY = "swe-agent/env"
RECORD_IN_IMAGE = "/opt/swe-env.json"
# Bump when the install procedure changes in a way that makes old images wrong.
_SALT = "env_setup/3"
_CUTOFF = re.compile(r"--uploaded-prior-to=(\d{4})-(\d{2})-\d{2}\S*")
_PRETEND = re.compile(r"SETUPTOOLS_SCM_PRETEND_VERSION=\S+ |git tag -f \S+ >/dev/null 2>&1; ")


def cache_key(repo: Path, detection: Detection, plan: Plan, *, commit: str | None = None) -> str:
    """A short hash of the dependency files (at `commit`), the Python version and the plan.

    Not of the commit: commits whose dependency files match share one image, whatever their
    code (the workspace is copied in at sandbox start, and the editable install points at it).
    """
    digest = hashlib.sha256(_SALT.encode())
    for name in sorted(detection.dependency_files):
        digest.update(name.encode() + b"\0" + _file_bytes(repo, name, commit) + b"\0")
    planned = {
        "python": plan.python,
        "base_image": plan.base_image,
        "steps": [keyed_command(step.command) for step in plan.steps],
        "test_command": plan.test_command,
    }
    if plan.dated_index:  # the commands are the same undated: the index's date tells them apart
        planned["dated_index"] = keyed_command(f"--uploaded-prior-to={plan.dated_index}")
    digest.update(json.dumps(planned, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def keyed_command(command: str) -> str:
    """A step as the key sees it: the date cutoff by quarter, no tag-derived version.

    Both follow the commit, not the dependency files: neighbouring commits with the same files
    would otherwise never share an image. The image keeps the first builder's exact cutoff.
    """
    command = _PRETEND.sub("", command)
    return _CUTOFF.sub(lambda m: f"--uploaded-prior-to={m[1]}Q{(int(m[2]) - 1) // 3 + 1}", command)


def cache_tag(key: str) -> str:
    """The image tag of a cache key."""
    return f"{CACHE_REPOSITORY}:{key}"


def _file_bytes(repo: Path, name: str, commit: str | None) -> bytes:
    if commit is None:
        path = repo / name
        return path.read_bytes() if path.is_file() else b""
    shown = run_git("show", f"{commit}:{name}", cwd=repo, timeout=60)
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
    """The env.json stored inside a cached image (None when absent or unreadable).

    Read with `get_archive` from a created, never started container: reading the output of a
    `containers.run` came back empty now and then under threads, and the image got rebuilt.
    """
    import docker

    try:
        container = client.containers.create(tag, ["true"], network_disabled=True)
    except docker.errors.DockerException:
        return None
    try:
        stream, _stat = container.get_archive(RECORD_IN_IMAGE)
        raw = _only_file(b"".join(stream))
        data = json.loads(raw) if raw is not None else None
    except (docker.errors.DockerException, json.JSONDecodeError, tarfile.TarError):
        return None
    finally:
        remove_forced(container)
    return data if isinstance(data, dict) else None


def _only_file(archive: bytes) -> bytes | None:
    """The content of the single regular file in a tar archive."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                handle = tar.extractfile(member)
                return handle.read() if handle else None
    return None


def available_images(client: Any) -> dict[str, str]:
    """Local base images by Python version: python:X.Y-slim before swe-agent/python:X.Y."""
    found: dict[str, str] = {}
    # One listing call: `client.images.list()` inspects every image, ~25 ms each on a busy
    # daemon, so a machine with a hundred cached environments spent 2.4 s on a cache hit here.
    tags = [tag for image in client.api.images() for tag in image.get("RepoTags") or ()]
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
