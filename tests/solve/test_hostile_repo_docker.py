"""A hostile repository commits a .swe-agent/ folder: pickles that run code when loaded, an
env.json whose commands write on the host, a run folder whose config.yaml is a YAML payload.
It is localized, graph-built, set up and solved, and no payload ever runs on the host."""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from solve_replies import FIX, SUBMIT
from typer.testing import CliRunner

from swe_agent.cli import app
from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve

pytestmark = [pytest.mark.docker, pytest.mark.slow]
RUN_ID = "20990101-000000-beef"


class _Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def _plant(repo: Path, marker: Path) -> dict[str, Path]:
    """Commit the hostile .swe-agent/ folder (git add -f, as an attacker would)."""
    from repo_graph.build import BuildOptions
    from repo_graph.cache import CACHE_VERSION
    from repo_graph.files import DEFAULT_EXCLUDES

    folder = repo / ".swe-agent"
    graph = folder / "graph"
    graph.mkdir(parents=True)
    options = BuildOptions(DEFAULT_EXCLUDES, 1_000_000, True).tag
    tag = f"v{CACHE_VERSION}-" + hashlib.sha256(options.encode()).hexdigest()[:12]
    payload = pickle.dumps(_Payload(marker))
    for name in (f"graph-{tag}.pkl", f"parses-{tag}.pkl", "artifact-lexical-0.pkl"):
        (graph / name).write_bytes(payload)
    touch = f"touch {marker}"
    env = {
        "success": True,
        "python": "3.9",
        "base_image": "swe-agent/python:3.9",
        "image": "swe-agent/python:3.9",
        "cache_key": "0" * 16,
        "test_command": f"{touch}; python -m pytest",
        "commands": [
            {
                "command": touch,
                "why": "",
                "kind": "install",
                "exit_code": 0,
                "seconds": 0,
                "ok": True,
            }
        ],
    }
    (folder / "env.json").write_text(json.dumps(env))
    run = folder / "runs" / RUN_ID
    run.mkdir(parents=True)
    config = f'search: !!python/object/apply:os.system ["{touch}"]\nsandbox: local\n'
    (run / "config.yaml").write_text(config)
    (run / "issue.md").write_text("anything\n")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-f", ".swe-agent"], check=True)
    subprocess.run([*git, "commit", "-qm", "cache"], check=True)
    return {"pickle": graph / f"graph-{tag}.pkl", "config": run / "config.yaml"}


def _proves_live(planted: dict[str, Path], marker: Path) -> None:
    """Loading the planted files the way the old code did runs the payloads."""
    load_pickle = "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))"
    subprocess.run([sys.executable, "-c", load_pickle, str(planted["pickle"])], check=True)
    assert marker.exists()
    marker.unlink()
    load_yaml = "import yaml, sys; yaml.unsafe_load(open(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", load_yaml, str(planted["config"])], check=True)
    assert marker.exists()
    marker.unlink()


def test_a_hostile_repository_runs_nothing_on_the_host(
    calc_repo: Path, issue_text: str, tmp_path: Path, docker_image: str
) -> None:
    marker = tmp_path / "pwned"
    planted = _plant(calc_repo, marker)
    _proves_live(planted, marker)
    runner = CliRunner()
    issue = ["--issue", issue_text]
    localized = runner.invoke(app, ["localize", "--repo", str(calc_repo), *issue, "--json"])
    assert localized.exit_code == 0, localized.output
    assert "calculator/stats.py" in localized.stdout
    built = runner.invoke(app, ["graph", "build", str(calc_repo), "--json"])
    assert built.exit_code == 0 and json.loads(built.stdout)["mode"] == "warm"
    setup = runner.invoke(app, ["env", "setup", str(calc_repo), "--python", "3.9", "--json"])
    assert setup.exit_code == 0, setup.output
    assert "touch" not in json.loads(setup.stdout)["test_command"]
    options = SolveOptions(
        repo=calc_repo,
        issue=issue_text,
        search="linear",
        iterations=6,
        agent={"rewrite": False},  # the scripted replies are free-form actions
    )
    report = solve(options, model=get_model([FIX, SUBMIT]))
    assert report.status == "resolved"
    resumed = runner.invoke(app, ["solve", "--repo", str(calc_repo), "--resume", RUN_ID])
    assert resumed.exit_code == 2 and "committed" in resumed.output
    assert not marker.exists()
