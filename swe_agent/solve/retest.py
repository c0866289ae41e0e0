"""Re-running one node's tests after the run: the base's tests, then the node's diff, compared.

The review's `t` key calls this. It needs the run's environment image (report.json's
``environment``); the node's diff (``nodes/<id>.diff``) is applied to the base commit in a
fresh sandbox, so the person's checkout is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from common import git_stdout, run_git
from swe_agent.errors import BadInput, SweAgentError
from swe_agent.runs import RunPaths
from swe_agent.solve.resume import apply_diff, node_diff_path

TestRunner = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class RetestSetup:
    """How the run scored its nodes: image, test command, and the probe's settings."""

    image: str
    command: str
    python: str = "3.9"
    timeout_s: float = 600.0
    strict: bool = False  # the run named its tests: every failing one must pass


def read_test_setup(run: RunPaths) -> RetestSetup | None:
    """The run's test set-up from report.json and config.yaml; None when it had no environment."""
    env = run.read_report().get("environment") or {}
    image, command = env.get("image"), env.get("test_command")
    if not isinstance(image, str) or not isinstance(command, str):
        return None
    config = _run_config(run)
    tests = [str(t) for t in config.get("tests") or []]
    return RetestSetup(
        image=image,
        command=" ".join([command, *tests]),
        python=str(env.get("python") or "3.9"),
        timeout_s=float(config.get("test_timeout_s") or 600.0),
        strict=bool(tests),
    )


def node_test_runner(repo: Path, run: RunPaths) -> TestRunner | None:
    """A function re-running a node's tests; None when the run ended without a usable image.

    A run still going (no report.json yet) gets a runner that looks for the image when called,
    so a live review can re-run tests once the run is done.
    """
    if not run.report.exists():
        return partial(_rerun_when_done, repo, run)
    setup = read_test_setup(run)
    if setup is None or not image_present(setup.image):
        return None
    return partial(rerun_node_tests, repo, run, setup=setup)


def _rerun_when_done(repo: Path, run: RunPaths, node_id: int) -> dict[str, Any]:
    if not run.report.exists():
        raise BadInput(
            f"run {run.run_id} is still going: its environment is known when it ends",
            hint="press t again once the header shows how the run ended",
        )
    setup = read_test_setup(run)
    if setup is None or not image_present(setup.image):
        raise BadInput(
            f"run {run.run_id} has no environment image to re-run tests in",
            hint="swe-agent env setup builds it",
        )
    return rerun_node_tests(repo, run, node_id, setup=setup)


def rerun_node_tests(
    repo: Path, run: RunPaths, node_id: int, *, setup: RetestSetup
) -> dict[str, Any]:
    """The node's tests record (search.value's shape), measured in a fresh sandbox."""
    from sandbox import start_sandbox
    from swe_agent.agent.evidence import TestProbe

    diff = node_diff(run, node_id)
    base = base_commit(repo, run)
    with start_sandbox(repo, image=setup.image, commit=base, python=setup.python) as box:
        probe = TestProbe(box, setup.command, timeout_s=setup.timeout_s, strict=setup.strict)
        probe.record_base()
        if diff.strip():
            applied = apply_diff(box, diff)
            if not applied.ok:
                raise SweAgentError(
                    f"the diff of node #{node_id} does not apply to the base commit "
                    f"{base[:12]}: {(applied.stdout + applied.stderr).strip()}"
                )
        return probe.evidence()


def base_commit(repo: Path, run: RunPaths) -> str:
    """The run's base commit if the repository has it, else the newest one with the base tree."""
    recorded = run.read_report().get("base_commit")
    if isinstance(recorded, str) and _has_commit(repo, recorded):
        return recorded
    # a clone or a rebuilt repository holds the same tree under another commit id
    return commit_with_tree(repo, _root_state(run))


def commit_with_tree(repo: Path, tree_id: str) -> str:
    """The newest commit of the repository whose tree is ``tree_id``."""
    log = git_stdout("log", "--all", "--format=%H %T", cwd=repo) or ""
    for line in log.splitlines():
        commit, _, tree = line.partition(" ")
        if tree == tree_id:
            return commit
    raise BadInput(
        f"no commit of {repo} has the run's base tree {tree_id[:12]}",
        hint="review the run in the repository it was made for (--repo)",
    )


def node_diff(run: RunPaths, node_id: int) -> str:
    """nodes/<id>.diff, or patch.diff for the chosen node of a run that kept no node diffs."""
    path = node_diff_path(run, node_id)
    if not path.is_file() and node_id == _tree(run).get("chosen", {}).get("node"):
        path = run.patch
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def image_present(image: str) -> bool:
    """True when Docker answers and has the image; the review works without either."""
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        docker.from_env(timeout=5).images.get(image)
    except (ImageNotFound, DockerException):
        return False
    return True


def _has_commit(repo: Path, commit: str) -> bool:
    return run_git("cat-file", "-e", f"{commit}^{{commit}}", cwd=repo).returncode == 0


def _root_state(run: RunPaths) -> str:
    """The base state: the git tree id of the search tree's root."""
    try:
        return str(next(n["state"] for n in _tree(run)["nodes"] if n["id"] == 0))
    except (KeyError, TypeError, StopIteration) as exc:
        raise BadInput(f"{run.tree} names no base state: {exc!r}") from None


def _tree(run: RunPaths) -> dict[str, Any]:
    try:
        tree = json.loads(run.tree.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"cannot read {run.tree}: {exc}") from None
    if not isinstance(tree, dict):
        raise BadInput(f"{run.tree} is not a search tree")
    return {**tree, "chosen": tree.get("chosen") or {}}


def _run_config(run: RunPaths) -> dict[str, Any]:
    """config.yaml as a mapping; a run without one (or an unreadable one) takes the defaults."""
    try:
        config = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}
