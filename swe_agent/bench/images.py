"""Disk: instance images are pruned (oldest first); environment images are shared and kept."""

from __future__ import annotations

import re
from typing import Any

from swe_agent.errors import BadInput

INSTANCE_REPOSITORY = "swe-agent/instance"
ENV_REPOSITORY = "swe-agent/env"
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(text: str) -> int:
    """Bytes of a size such as ``500M``, ``20G``, ``1.5T`` or ``1048576``."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text.lower())
    if not match:
        raise BadInput(f"{text!r} is not a size", hint="write it like 500M, 20G or 1.5T")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


def _images(client: Any, repository: str) -> list[Any]:
    """Images of a repository, newest first."""
    found = client.images.list(name=repository)
    return sorted(found, key=lambda image: image.attrs.get("Created", ""), reverse=True)


def prune_instance_images(
    *, keep: int | None = None, budget_bytes: int | None = None, client: Any = None
) -> list[str]:
    """Remove instance images past the newest ``keep``, then while the image store exceeds the
    budget (oldest first). Environment images count toward it but are never removed.
    """
    import docker

    client = client or docker.from_env(timeout=60)
    instance = _images(client, INSTANCE_REPOSITORY)
    doomed = instance[keep:] if keep is not None else []
    survivors = instance[: len(instance) - len(doomed)]
    if budget_bytes is not None:
        usage = client.df()
        # Layers shared with the environment image stay on disk; only the unique part is freed.
        unique = {i["Id"]: i["Size"] - max(i.get("SharedSize", 0), 0) for i in usage["Images"]}
        used = usage["LayersSize"] - sum(unique.get(i.id, 0) for i in doomed)
        while survivors and used > budget_bytes:
            oldest = survivors.pop()
            used -= unique.get(oldest.id, 0)
            doomed.append(oldest)
    return _remove(client, doomed)


def _remove(client: Any, images: list[Any]) -> list[str]:
    import docker

    removed = []
    for image in images:
        for tag in image.tags or [image.id]:
            try:
                client.images.remove(tag, noprune=False)
            except docker.errors.NotFound:
                continue  # pruned meanwhile by another worker
            except docker.errors.APIError as exc:
                if "conflict" not in str(exc).lower():  # still used by a running container
                    raise
                continue
            removed.append(tag)
    return removed
