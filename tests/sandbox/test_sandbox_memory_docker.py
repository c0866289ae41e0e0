"""A sandbox that runs out of memory says so: the kernel's kills are told apart from others."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Limits, start_sandbox
from sandbox.docker_backend import DockerSandbox

pytestmark = pytest.mark.docker

HOG = "hog = bytearray(1024 * 1024 * 1024)"  # 1 GB, four times the limit below


@pytest.fixture(scope="module")
def small_box(docker_image: str, module_repo: Path) -> Iterator[DockerSandbox]:
    sandbox = start_sandbox(module_repo, image=docker_image, limits=Limits(memory="256m"))
    assert isinstance(sandbox, DockerSandbox)
    yield sandbox
    sandbox.close()


def test_an_action_over_the_memory_limit_says_out_of_memory(small_box: DockerSandbox) -> None:
    # Before: "RunnerDied: the runner exited during the action and was restarted".
    obs = small_box.execute(f"{HOG}\nlen(hog)", timeout=120)
    assert obs.reset and obs.error is not None
    assert "out of memory" in obs.error and "256m" in obs.error
    assert small_box.execute("1 + 1").value == "2"  # the runner is back


def test_a_command_killed_for_memory_says_so(small_box: DockerSandbox) -> None:
    # Before: exit code 137 and "Killed", nothing about memory.
    obs = small_box.run(f"python3 -c '{HOG}'", timeout=120)
    assert obs.exit_code == 137
    assert "out of memory" in obs.stderr and "256m" in obs.stderr


def test_a_kill_from_elsewhere_is_not_called_memory(small_box: DockerSandbox) -> None:
    pid = small_box.channel.info["pid"]
    code = f"import os; os.kill({pid}, 9)"
    kill = ["docker", "exec", small_box.container.id, "python3", "-c", code]
    subprocess.run(kill, check=True, timeout=30)
    obs = small_box.execute("1")
    if obs.error:
        assert "RunnerDied" in obs.error and "memory" not in obs.error
    killed = small_box.run("kill -9 $$", timeout=30)
    assert killed.exit_code in (137, -9) and "memory" not in killed.stderr
