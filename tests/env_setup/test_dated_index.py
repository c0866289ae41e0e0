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

import pytest

from env_setup import Detection, detect, make_plan
from env_setup.cache import cache_key
from env_setup.dated_index import index_url, runner_environment

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
