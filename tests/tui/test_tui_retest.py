"""`t` in `swe-agent review`: a node's tests re-run in a fresh sandbox of the run's environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tui_testlib import git, head

from swe_agent.cli.review import base_commit, node_test_runner
from swe_agent.errors import BadInput
from swe_agent.runs import RunPaths

EVEN = "tests/test_stats.py::test_median_even"


def test_the_base_commit_is_found_by_the_root_tree(repo: Path, run_dir: Path) -> None:
    root = json.loads((run_dir / "tree.json").read_text())["nodes"][0]["state"]
    base = head(repo)
    (repo / "later.txt").write_text("later\n")
    git(repo, "add", "later.txt")
    git(repo, "commit", "-qm", "later work")
    assert base_commit(repo, root) == base
    with pytest.raises(BadInput, match="no commit of"):
        base_commit(repo, "0" * 40)


def test_no_runner_without_an_environment_image(repo: Path, run_dir: Path) -> None:
    assert node_test_runner(repo, RunPaths(run_dir)) is None  # the fixture's image is not here
    report = json.loads((run_dir / "report.json").read_text())
    report["environment"] = None
    (run_dir / "report.json").write_text(json.dumps(report))
    assert node_test_runner(repo, RunPaths(run_dir)) is None


@pytest.mark.docker
@pytest.mark.slow
def test_nodes_rerun_in_the_environment_image(repo: Path, run_dir: Path, docker_image: str) -> None:
    from env_setup import SetupOptions, setup_environment

    record = setup_environment(repo, SetupOptions())  # an image cache hit after the first time
    assert record.success, record
    report = json.loads((run_dir / "report.json").read_text())
    report["environment"] = {
        "image": record.image,
        "test_command": record.test_command,
        "python": record.python,
    }
    (run_dir / "report.json").write_text(json.dumps(report))
    rerun = node_test_runner(repo, RunPaths(run_dir))
    assert rerun is not None

    chosen = rerun(5)
    assert chosen["reproduction"] is True and chosen["fixed"] == [EVEN]
    assert chosen["new_passed"] == ["tests/test_stats.py::test_median_even_floats"]
    failing = rerun(2)
    assert failing["reproduction"] is False and failing["still_failing"] == [EVEN]
    assert failing["broken"] == ["tests/test_stats.py::test_median_odd"]
    assert git(repo, "status", "--porcelain") == ""  # the person's checkout is never touched
