"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


FULL_TESTS = os.environ.get("SWE_AGENT_FULL_TESTS", "") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``full`` (the longest Docker, Ray and real-model tests, each repeating
    what a shorter test covers in part) run only with SWE_AGENT_FULL_TESTS=1."""
    if FULL_TESTS:
        return
    skip = pytest.mark.skip(reason="a full-run test: set SWE_AGENT_FULL_TESTS=1 to run it")
    for item in items:
        if item.get_closest_marker("full") is not None:
            item.add_marker(skip)


def docker_unavailable(reason: str) -> None:
    """Skip a Docker test outside CI; in CI a missing daemon or image is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}: Docker tests must run in CI", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def graph_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The graph caches of the tests go to a folder of the session, not the user's cache."""
    folder = tmp_path_factory.mktemp("graph-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SWE_AGENT_GRAPH_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def user_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test reads the user's own config file or SWE_AGENT_MODEL: XDG_CONFIG_HOME is a
    folder of the session (tests that write a user file there remove it)."""
    folder = tmp_path_factory.mktemp("xdg-config")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(folder))
        patch.delenv("SWE_AGENT_MODEL", raising=False)
        yield folder


@pytest.fixture(scope="session")
def docker_image() -> str:
    """The base image Docker tests use (skips outside CI, fails in CI, when none is usable)."""
    from sandbox.docker_backend import connect
    from sandbox.errors import SandboxError
    from sandbox.images import resolve_image

    try:
        client = connect(timeout=10)
    except SandboxError as exc:
        docker_unavailable(f"no Docker daemon answers ({exc})")
    try:
        return os.environ.get("SWE_AGENT_TEST_IMAGE") or resolve_image(client, "3.9")
    except SandboxError:
        docker_unavailable("no sandbox image; run `swe-agent sandbox bootstrap --python 3.9`")
    raise AssertionError("unreachable")


@pytest.fixture
def model_tests(request: pytest.FixtureRequest) -> None:
    """The real-model tests' opt-in: they run under ``-m model`` or with SWE_AGENT_MODEL_TESTS=1
    (CI sets it), and skip otherwise."""
    if "model" not in (request.config.getoption("-m") or "") and not os.environ.get(
        "SWE_AGENT_MODEL_TESTS"
    ):
        pytest.skip("opt-in: pass -m model or set SWE_AGENT_MODEL_TESTS=1")


@pytest.fixture
def embedded_model(model_tests: None) -> None:
    """``model_tests``, with the default embedded model ready: asked for explicitly, a missing
    model is a failure, not a skip."""
    from swe_agent.models import CATALOG, DEFAULT_LOCAL_MODEL, default_models_dir

    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pytest.fail("needs llama-cpp-python (make local-model) and `swe-agent models pull`")
    if not (default_models_dir() / CATALOG[DEFAULT_LOCAL_MODEL].filename).is_file():
        pytest.fail("needs the default model: `swe-agent models pull`")
