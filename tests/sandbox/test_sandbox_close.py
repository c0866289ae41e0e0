"""Closing a sandbox when the Docker daemon is slow to answer."""

from __future__ import annotations

import pytest
import requests

from sandbox.docker_backend import DockerSandbox


class _SlowContainer:
    short_id = "abc123"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def remove(self, *, force: bool) -> None:
        raise self.error


def _sandbox(error: Exception) -> DockerSandbox:
    box = DockerSandbox.__new__(DockerSandbox)
    box.container = _SlowContainer(error)  # the daemon's edge: its answer is what is faked
    return box


def test_a_removal_the_daemon_answers_late_does_not_lose_the_work() -> None:
    _sandbox(requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)")).close()


def test_a_removal_the_daemon_refuses_is_still_reported() -> None:
    import docker

    from sandbox.errors import RunnerFailed

    with pytest.raises(RunnerFailed, match="could not remove container abc123"):
        _sandbox(docker.errors.APIError("conflict")).close()
