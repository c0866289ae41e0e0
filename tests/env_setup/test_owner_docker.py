"""Handing files to the sandbox user before an image is saved: only what it does not own yet.

A chown in a container copies the file up from the image layer below into the container's own,
whole, even when the owner stays the same (Docker's diff does not list such a file, its size
counts it); the set-up's layers hand the venv over before they
are saved, so the set-up's last step changes only what it added.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.docker]
PYTHON = "3.9"


@pytest.fixture
def base_image(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A workspace repository and the base image; skips without a daemon or the image."""
    from env_setup.cache import available_images, docker_client

    client = docker_client()
    if client is None:
        pytest.skip("no Docker daemon")
    images = available_images(client)
    if PYTHON not in images:
        pytest.skip(f"no base image for Python {PYTHON}: run `swe-agent sandbox bootstrap`")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], check=True)
    yield root, images[PYTHON]


def test_the_hand_over_leaves_what_the_user_owns_in_the_layer_below(
    base_image: tuple[Path, str],
) -> None:
    from env_setup.layers import own_command
    from sandbox import SETUP_LIMITS, start_sandbox

    root, image = base_image
    layer = f"swe-agent/test-owner:{uuid.uuid4().hex[:12]}"
    make = (
        "mkdir -p /opt/t/mine /opt/t/root && head -c 8M /dev/zero > /opt/t/mine/f "
        "&& echo b > /opt/t/root/f && ln -s /etc/hostname /opt/t/mine/link "
        "&& chown -R 1000:1000 /opt/t/mine"
    )
    try:
        with start_sandbox(root, image=image, limits=SETUP_LIMITS, python=PYTHON) as box:
            assert box.run(make, timeout=60).exit_code == 0
            box.commit(layer)
        with start_sandbox(root, image=layer, limits=SETUP_LIMITS, python=PYTHON) as box:
            assert box.run(own_command("/opt/t"), timeout=60).exit_code == 0
            stat = "stat -c '%u:%g %n' /opt/t /opt/t/root/f /opt/t/mine/f"
            owners = box.run(f"{stat}; stat -L -c %u /etc/hostname", timeout=60).stdout.split()
            container = box.container  # type: ignore[attr-defined]
            listed = container.client.api.containers(filters={"id": container.id}, size=True)
            written = listed[0]["SizeRw"]
    finally:
        subprocess.run(["docker", "rmi", "-f", layer], capture_output=True, check=False)
    assert owners[:6] == ["1000:1000", "/opt/t", "1000:1000", "/opt/t/root/f"] + [
        "1000:1000",
        "/opt/t/mine/f",
    ]
    assert owners[6] == "0"  # the link was changed itself, its target not
    assert written < 4_000_000  # the 8 MB the user owned stayed in the layer below
