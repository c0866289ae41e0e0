"""`t` in `swe-agent review`: a node's tests re-run in a fresh sandbox of the run's environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tui_testlib import CHOSEN, FAILING, git, head

from swe_agent.errors import BadInput
from swe_agent.runs import RunPaths
from swe_agent.solve import node_test_runner
from swe_agent.solve.retest import base_commit, commit_with_tree, node_diff, read_test_setup

EVEN, ODD = "tests/test_stats.py::test_median_even", "tests/test_stats.py::test_median_odd"


def _edit_report(run_dir: Path, **changes: object) -> None:
    report = json.loads((run_dir / "report.json").read_text())
    (run_dir / "report.json").write_text(json.dumps({**report, **changes}))


def test_the_base_commit_is_found_by_the_root_tree(repo: Path, run_dir: Path) -> None:
    root = json.loads((run_dir / "tree.json").read_text())["nodes"][0]["state"]
    base = head(repo)
    (repo / "later.txt").write_text("later\n")
    git(repo, "add", "later.txt")
    git(repo, "commit", "-qm", "later work")
    assert commit_with_tree(repo, root) == base
    # the recorded base commit is the recording machine's: this repository lacks it
    assert base_commit(repo, RunPaths(run_dir)) == base
    _edit_report(run_dir, base_commit=head(repo))  # a commit it has is taken as it is
    assert base_commit(repo, RunPaths(run_dir)) == head(repo)
    with pytest.raises(BadInput, match="no commit of"):
        commit_with_tree(repo, "0" * 40)


def test_the_test_setup_comes_from_the_report_and_the_config(run_dir: Path) -> None:
    setup = read_test_setup(RunPaths(run_dir))
    assert setup is not None
    assert setup.image.startswith("swe-agent/env:") and setup.python == "3.11"
    assert setup.command == "/opt/swe-venv/bin/python -m pytest tests"
    assert (setup.timeout_s, setup.strict) == (600.0, False)
    config = run_dir / "config.yaml"
    config.write_text(config.read_text().replace("tests: []", "tests: [tests/test_stats.py]"))
    named = read_test_setup(RunPaths(run_dir))
    assert named is not None and named.strict
    assert named.command.endswith("pytest tests tests/test_stats.py")


def test_node_diffs_fall_back_to_the_patch_for_the_chosen_node(run_dir: Path) -> None:
    run = RunPaths(run_dir)
    (run_dir / "nodes" / f"{CHOSEN}.diff").unlink()
    assert node_diff(run, CHOSEN) == run.patch.read_text()
    assert node_diff(run, 0) == ""


def test_no_runner_without_an_environment_image(repo: Path, run_dir: Path) -> None:
    _edit_report(run_dir, environment={"image": "swe-agent/env:gone", "test_command": "pytest"})
    assert node_test_runner(repo, RunPaths(run_dir)) is None  # no such image here
    _edit_report(run_dir, environment=None)
    assert read_test_setup(RunPaths(run_dir)) is None
    assert node_test_runner(repo, RunPaths(run_dir)) is None


@pytest.mark.docker
@pytest.mark.slow
def test_nodes_rerun_in_the_environment_image(repo: Path, run_dir: Path, docker_image: str) -> None:
    from env_setup import SetupOptions, setup_environment

    record = setup_environment(repo, SetupOptions())  # an image cache hit after the first time
    assert record.success, record
    environment = {
        "image": record.image,
        "test_command": record.test_command,
        "python": record.python,
    }
    _edit_report(run_dir, environment=environment)
    rerun = node_test_runner(repo, RunPaths(run_dir))
    assert rerun is not None

    chosen = rerun(CHOSEN)  # as recorded in tree.json
    assert chosen["reproduction"] is True and chosen["fixed"] == [EVEN]
    assert chosen["regression"] == {"passed": 6, "failed": 0, "flaky": 0}
    failing = rerun(FAILING)
    assert failing["fixed"] == [EVEN] and failing["broken"] == [ODD]
    assert git(repo, "status", "--porcelain") == ""  # the person's checkout is never touched


def test_a_run_still_going_gets_a_runner_that_says_when_it_can_run(
    repo: Path, run_dir: Path
) -> None:
    report = (run_dir / "report.json").read_text()
    (run_dir / "report.json").unlink()  # as while solve runs
    rerun = node_test_runner(repo, RunPaths(run_dir))
    assert rerun is not None
    with pytest.raises(BadInput, match="is still going"):
        rerun(CHOSEN)
    (run_dir / "report.json").write_text(report)  # the run ended, its image is gone
    _edit_report(run_dir, environment={"image": "swe-agent/env:gone", "test_command": "pytest"})
    with pytest.raises(BadInput, match="no environment image"):
        rerun(CHOSEN)
