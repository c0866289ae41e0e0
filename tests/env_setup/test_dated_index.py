"""Packages as of a date on a Python whose pip cannot date: the plan, the key, the server."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from env_setup import Detection, detect, make_plan
from env_setup.cache import cache_key
from env_setup.dated_index import bridge_gateway, index_url, runner_environment

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "env"
SERVER = Path(__file__).resolve().parents[2] / "env_setup" / "index_server.py"
IMAGES = {"3.6": "swe-agent/python:3.6", "3.9": "swe-agent/python:3.9"}
OLD = Detection(commit_date="2018-02-07T12:00:00+00:00", installable=True)
TODAY = date(2026, 11, 22)


def test_an_old_python_is_dated_by_the_index_not_by_pip() -> None:
    plan = make_plan(OLD, IMAGES, python="3.6", today=TODAY)
    assert plan.dated_index == "2018-02-08T00:00:00Z" and plan.uploaded_prior_to is None
    assert not any("--uploaded-prior-to" in step.command for step in plan.steps)
    dating = make_plan(OLD, IMAGES, python="3.9", today=TODAY)
    assert dating.dated_index is None and dating.uploaded_prior_to == "2021-06-02T00:00:00Z"
    assert make_plan(OLD, IMAGES, python="3.6", as_of=False).dated_index is None


def test_the_index_date_tells_the_cache_keys_apart(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "setupcfg", root)
    detection = detect(root)
    undated = make_plan(detection, IMAGES, python="3.6", as_of=False)
    dated = replace(undated, dated_index="2018-02-08T00:00:00Z")
    assert cache_key(root, detection, undated) != cache_key(root, detection, dated)
    # By quarter, as the pip cutoff: neighbouring commits share an image.
    same_quarter = replace(undated, dated_index="2018-03-30T00:00:00Z")
    assert cache_key(root, detection, dated) == cache_key(root, detection, same_quarter)


def test_the_runner_environment_points_pip_at_the_dated_index() -> None:
    code = runner_environment("http://172.17.0.1:4321", "2018-02-08T00:00:00Z")
    names = ["PIP_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_DEFAULT_TIMEOUT", "NO_PROXY", "no_proxy"]
    shown = f"import json, os; print(json.dumps({{k: os.environ.get(k) for k in {names!r}}}))"
    env = {"PATH": "/usr/bin:/bin", "NO_PROXY": "localhost"}
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\n{shown}"], env=env, capture_output=True, check=True
    )
    assert json.loads(out.stdout) == {
        "PIP_INDEX_URL": "http://172.17.0.1:4321/snapshot/2018-02-08T00:00:00Z/",
        "PIP_TRUSTED_HOST": "172.17.0.1",
        "PIP_DEFAULT_TIMEOUT": "180",  # the server reads a project's whole history first
        "NO_PROXY": "localhost,172.17.0.1",  # a proxy never reaches the host's own address
        "no_proxy": "172.17.0.1",
    }


@pytest.mark.slow
def test_the_server_leaves_out_what_was_uploaded_after_the_date() -> None:
    # The real server, on the loopback, through the host's network to PyPI.
    server = subprocess.Popen([sys.executable, str(SERVER), "127.0.0.1"], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        url = index_url(f"http://127.0.0.1:{port}", "2018-03-01")
        with urllib.request.urlopen(url + "six/", timeout=120) as page:
            listed = page.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "six-1.11.0-py2.py3-none-any.whl" in listed  # January 2017
    assert "six-1.12.0" not in listed  # December 2018


class _Networks:
    """docker-py's ``client.networks`` for one bridge record (the daemon's reply is the edge)."""

    def __init__(self, attrs: dict[str, Any]) -> None:
        self.attrs = attrs

    def get(self, name: str) -> _Networks:
        assert name == "bridge"
        return self


class _Client:
    def __init__(self, attrs: dict[str, Any]) -> None:
        self.networks = _Networks(attrs)


def test_the_bridge_gateway_is_read_from_the_network_or_else_its_interface() -> None:
    listed = {"IPAM": {"Config": [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]}}
    assert bridge_gateway(_Client(listed)) == "172.17.0.1"
    # Debian's dockerd 20.10, on a new machine, lists the subnet alone: the bridge interface's
    # own address is the gateway (the loopback stands in for docker0 here, a real interface).
    unlisted = {
        "IPAM": {"Config": [{"Subnet": "127.0.0.0/8"}]},
        "Options": {"com.docker.network.bridge.name": "lo"},
    }
    assert bridge_gateway(_Client(unlisted)) == "127.0.0.1"
    missing = {"IPAM": {"Config": [{"Subnet": "172.17.0.0/16"}]},
               "Options": {"com.docker.network.bridge.name": "no-such-if0"}}  # fmt: skip
    assert bridge_gateway(_Client(missing)) is None
    assert bridge_gateway(_Client({"Options": {}})) is None  # not a network record


@pytest.mark.docker
def test_a_sandbox_reaches_the_host_at_the_bridge_gateway() -> None:
    # What the dated index needs: a server bound there is reachable from a container.
    import socket

    from env_setup.cache import available_images, docker_client

    client = docker_client()
    if client is None:
        pytest.skip("no Docker daemon")
    images = available_images(client)
    if "3.9" not in images:
        pytest.skip("no base image for Python 3.9: run `swe-agent sandbox bootstrap`")
    host = bridge_gateway(client)
    assert host is not None
    with socket.create_server((host, 0)) as server:
        port = server.getsockname()[1]
        reach = f"import socket; socket.create_connection(({host!r}, {port}), timeout=20)"
        out = client.containers.run(images["3.9"], ["python3", "-c", reach + "; print('ok')"],
                                    remove=True, environment={"NO_PROXY": host})  # fmt: skip
    assert out.strip() == b"ok"
