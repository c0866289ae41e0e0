"""Base images: python:X.Y-slim gets git added once; no image at all is a clear error."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import docker
import pytest

from sandbox import ImageMissing, start_sandbox
from sandbox.docker_backend import connect
from sandbox.engine import client_engine, create_options
from sandbox.images import resolve_image
from sandbox.slim import add_git

pytestmark = pytest.mark.docker


def test_no_image_for_a_python_is_an_error_naming_both_fixes(docker_image: str) -> None:
    with pytest.raises(ImageMissing) as missing:
        resolve_image(connect(), "3.99")  # no such image here, none to pull anywhere
    hint = missing.value.hint or ""
    assert "python:3.99-slim" in hint and "sandbox bootstrap --python 3.99" in hint


@pytest.mark.slow
def test_an_image_without_git_gets_git_and_the_sandbox_user(
    docker_image: str, tmp_path: Path
) -> None:
    client = connect()
    suffix = uuid.uuid4().hex[:8]
    bare, built = f"swe-agent-test/no-git:{suffix}", f"swe-agent-test/with-git:{suffix}"
    strip = "apt-get remove -y -qq git > /dev/null 2>&1 && ! command -v git"
    container = client.containers.run(
        docker_image,
        ["sh", "-c", strip],
        user="0:0",
        network_mode="none",
        detach=True,
        **create_options(client_engine(client)),  # Podman's rlimits
    )
    try:
        assert container.wait(timeout=300)["StatusCode"] == 0, container.logs()
        container.commit(*bare.split(":"))
        add_git(client, bare, built)
        (tmp_path / "a.py").write_text("a = 1\n")
        with start_sandbox(tmp_path, image=built) as box:
            assert box.run("git --version").ok
            assert box.execute("import os\nos.getuid()").value == "1000"
            assert box.snapshot() == box.base_state
        env = " ".join(client.images.get(built).attrs["Config"]["Env"])
        assert "PROXY" not in env.upper()
        assert client.images.get(built).labels.get("swe-agent.owner") == ""  # names no owner
    finally:
        container.remove(force=True)
        for tag in (built, bare):
            with contextlib.suppress(docker.errors.ImageNotFound):  # Podman: docker.io/TAG
                client.images.remove(tag, force=True)
