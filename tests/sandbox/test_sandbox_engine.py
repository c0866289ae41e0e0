"""The engine behind the Docker API socket, told from its /version answer."""

from __future__ import annotations

import docker

from sandbox.engine import EngineKind, create_options, engine_of, engine_of_ping

# /version as Docker 20.10 and Podman 4.3 (`podman system service`) answer it here, trimmed
DOCKER = {
    "Platform": {"Name": ""},
    "Components": [{"Name": "Engine", "Version": "20.10.24+dfsg1"}, {"Name": "containerd"}],
    "Version": "20.10.24+dfsg1",
    "ApiVersion": "1.41",
}
PODMAN = {
    "Platform": {"Name": "linux/amd64/debian-12"},
    "Components": [{"Name": "Podman Engine", "Version": "4.3.1"}, {"Name": "Conmon"}],
    "Version": "4.3.1",
    "ApiVersion": "1.41",
}


def test_docker_and_podman_are_told_apart() -> None:
    assert engine_of(DOCKER).kind is EngineKind.DOCKER
    podman = engine_of(PODMAN)
    assert podman.kind is EngineKind.PODMAN
    assert podman.label == "Podman 4.3.1 (Docker API 1.41)"
    assert engine_of({}).label == "Docker ? (Docker API ?)"


def test_the_ping_tells_them_apart_too() -> None:
    # /_ping's headers as the two answer here (Podman's /version takes seconds under load)
    podman = {"Api-Version": "1.41", "Libpod-Api-Version": "4.3.1"}
    podman["Server"] = "Libpod/4.3.1 (linux)"
    docker_ = {"Api-Version": "1.41", "Server": "Docker/20.10.24+dfsg1 (linux)"}
    assert engine_of_ping(podman) == engine_of(PODMAN)
    assert engine_of_ping(docker_) == engine_of(DOCKER)


def test_podman_containers_get_rlimits_docker_ones_keep_the_daemons() -> None:
    assert create_options(engine_of(DOCKER)) == {}
    limits = {
        u["Name"]: (u["Soft"], u["Hard"]) for u in create_options(engine_of(PODMAN))["ulimits"]
    }
    assert limits == {"nofile": (8192, 8192), "nproc": (8192, 8192)}
    assert all(
        isinstance(u, docker.types.Ulimit) for u in create_options(engine_of(PODMAN))["ulimits"]
    )


def test_podmans_rlimits_join_those_given() -> None:
    fsize = docker.types.Ulimit(name="fsize", soft=1, hard=1)
    merged = create_options(engine_of(PODMAN), {"ulimits": [fsize], "read_only": True})
    assert merged["read_only"] is True
    assert [u["Name"] for u in merged["ulimits"]] == ["fsize", "nofile", "nproc"]
    assert create_options(engine_of(DOCKER), {"ulimits": [fsize]}) == {"ulimits": [fsize]}


def test_podmans_tmpfs_mounts_are_given_to_the_user_with_its_own_option() -> None:
    tmpfs = {"/workspace": "rw,size=10,uid=1000,gid=1000,mode=755", "/x": "rw,mode=1777"}
    merged = create_options(engine_of(PODMAN), {"tmpfs": tmpfs})
    assert merged["tmpfs"] == {"/workspace": "rw,size=10,mode=755,U", "/x": "rw,mode=1777"}
    assert create_options(engine_of(DOCKER), {"tmpfs": tmpfs})["tmpfs"] == tmpfs
