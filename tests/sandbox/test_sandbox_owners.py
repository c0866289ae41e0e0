"""Owners of sandbox containers: labels, telling a live owner from a gone one, reaping only the
orphans, and a container that stops itself once its owner is killed (even with SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from sandbox.owners import (
    LABEL,
    OWNER_LABEL,
    OWNER_START_LABEL,
    RUN_LABEL,
    owner_gone,
    owner_labels,
    process_start,
    reap,
)

HOST = os.uname().nodename


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_labels_name_this_process_its_start_time_and_the_run() -> None:
    labels = owner_labels("20990101-000000-beef")
    assert labels[LABEL] == "1" and labels[RUN_LABEL] == "20990101-000000-beef"
    assert labels[OWNER_LABEL] == f"{HOST}:{os.getpid()}"
    assert labels[OWNER_START_LABEL] == process_start(os.getpid())
    assert not owner_gone(labels)


def test_an_owner_is_gone_only_when_that_process_has_verifiably_ended() -> None:
    me = owner_labels()
    dead = {**me, OWNER_LABEL: f"{HOST}:{_dead_pid()}"}
    assert owner_gone(dead)
    recycled = {**me, OWNER_START_LABEL: "1"}  # this pid, but a process started at boot
    assert owner_gone(recycled)
    assert not owner_gone({**dead, OWNER_LABEL: f"another-host:{_dead_pid()}"})
    assert not owner_gone({k: v for k, v in dead.items() if k != LABEL})  # not our container
    assert not owner_gone({LABEL: "1", OWNER_LABEL: "garbage"})
    old_style = {LABEL: "1", OWNER_LABEL: f"{HOST}:{os.getpid()}"}  # no start time: may be it
    assert not owner_gone(old_style)


# A program that owns a sandbox running a long command; the test kills it with SIGKILL.
OWNER = """
import sys
from sandbox import Limits, start_sandbox
box = start_sandbox(sys.argv[1], image=sys.argv[2], limits=Limits(idle_s=5), run_id="owned")
print(box.container.id, flush=True)
box.run("sleep 600", timeout=900)
"""


def _state(container: Any) -> str:
    import docker

    try:
        container.reload()
    except docker.errors.NotFound:
        return "removed"
    return str(container.status)


@pytest.mark.docker
def test_a_sandbox_whose_owner_was_killed_stops_itself_and_is_reaped(
    docker_image: str, tmp_path: Path
) -> None:
    from sandbox.docker_backend import connect

    root = Path(__file__).resolve().parents[2]
    argv = [sys.executable, "-c", OWNER, str(tmp_path), docker_image]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, cwd=root, start_new_session=True)
    assert proc.stdout is not None
    container = connect().containers.get(proc.stdout.readline().decode().strip())
    deadline = time.monotonic() + 60
    while "sleep 600" not in str(container.top()) and time.monotonic() < deadline:
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # the owner and its docker clients, with no clean-up
    proc.wait()
    deadline = time.monotonic() + 60
    while _state(container) == "running" and time.monotonic() < deadline:
        time.sleep(1)
    # The runner saw its host go; the container followed. Any sandbox start on this host may
    # have reaped it already (its owner is dead), so "removed" is as good as "exited".
    assert _state(container) in ("exited", "removed")
    reap(connect())
    assert _state(container) == "removed"


@pytest.mark.docker
def test_reaping_leaves_unlabelled_and_live_owners_containers_alone(docker_image: str) -> None:
    from sandbox.docker_backend import connect

    client = connect()
    tag = uuid.uuid4().hex[:8]
    mine = owner_labels()
    made = {
        "unlabelled": client.containers.create(docker_image, ["sleep", "60"], name=f"t-{tag}-u"),
        "live": client.containers.create(docker_image, ["sleep", "60"], labels=mine),
        "orphan": client.containers.create(
            docker_image, ["sleep", "60"], labels={**mine, OWNER_LABEL: f"{HOST}:{_dead_pid()}"}
        ),
    }
    try:
        removed = reap(client)
        assert made["unlabelled"].short_id not in removed
        assert made["live"].short_id not in removed
        assert _state(made["unlabelled"]) == "created" and _state(made["live"]) == "created"
        assert made["orphan"].short_id in removed or _state(made["orphan"]) == "removed"
    finally:
        for container in made.values():
            if _state(container) != "removed":
                container.remove(force=True)
