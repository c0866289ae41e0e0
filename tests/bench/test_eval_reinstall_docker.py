"""The offline re-install before the tests runs on this host (real Docker, pip, setuptools_scm).

A project versioned by setuptools_scm imports the version file its build writes into the
workspace. The environment image's workspace is emptied when it is saved, so the tests pass
only if evaluation built the project again, with no network, from the build requirements
set-up kept: where the sandbox's root is read-only (a host without disk quotas), into a
prefix beside the venv.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench_world import FILES, GOLD, make_world, pred, write_preds

from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1200)]
ID = "octo__tinycalc-1"
PYPROJECT = """\
[build-system]
requires = ["setuptools>=64", "setuptools_scm>=7"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
dynamic = ["version"]
requires-python = ">=3.8"

[project.optional-dependencies]
test = ["pytest"]

[tool.setuptools]
packages = ["tinycalc"]

[tool.setuptools_scm]
write_to = "tinycalc/_version.py"
fallback_version = "0.1.0"

[tool.pytest.ini_options]
testpaths = ["tests"]
"""


@pytest.fixture()
def scm_files(tmp_path: Path) -> Iterator[dict[str, str]]:
    """tinycalc versioned by setuptools_scm, named apart: a fresh image, removed afterwards."""
    import docker

    name = f"tinycalc{uuid.uuid4().hex[:8]}"
    yield {
        "pyproject.toml": PYPROJECT.format(name=name),
        "tinycalc/__init__.py": "from tinycalc._version import version\n",
        ".gitignore": "tinycalc/_version.py\n",
    }
    client = docker.from_env()
    for path in (tmp_path / "cache" / "env-records").glob("*.json"):
        image = json.loads(path.read_text()).get("image")
        if image:
            client.images.remove(image, force=True)
    client.close()


def test_the_version_file_is_built_again_offline_before_the_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scm_files: dict[str, str]
) -> None:
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))  # the workers inherit it
    assert "tinycalc/__init__.py" in FILES  # replaced: it now imports the build's version file
    world = make_world(tmp_path / "w", (ID,), files=scm_files)
    preds = write_preds(tmp_path / "preds.jsonl", [pred(ID, GOLD)])
    options = EvalOptions(out=tmp_path / "gold", mirrors=world.mirrors, workers=1)
    summary = evaluate(load_instances(world.dataset), str(preds), options)
    row = json.loads((tmp_path / "gold" / ID / "eval.json").read_text())
    assert summary["resolved"] == [ID], row
    assert not [n for n in row["notes"] if "install" in n], row["notes"]
    record = json.loads(next((tmp_path / "cache" / "env-records").glob("*.json")).read_text())
    kept = [c for c in record["commands"] if "--dest /opt/swe-tooling -c" in c["command"]]
    assert kept and kept[-1]["ok"] and "setuptools_scm>=7" in kept[-1]["command"], kept
