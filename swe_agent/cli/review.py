"""`swe-agent review`: open a run in the review TUI (tree, trajectory, hunks, apply, undo)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from swe_agent.cli._common import handles_errors
from swe_agent.errors import BadInput, SweAgentError
from swe_agent.runs import RunPaths


@handles_errors
def review_command(
    run: Annotated[
        str | None,
        typer.Argument(help="Run id (or a unique prefix), or its folder. Default: the latest."),
    ] = None,
    repo: Annotated[
        Path, typer.Option(help="The repository whose .swe-agent/runs/ holds the run.")
    ] = Path("."),
    theme: Annotated[
        str | None, typer.Option(help="dark, light, or any Textual theme name.")
    ] = None,
    branch: Annotated[
        str,
        typer.Option(help="Where p commits: current branch, or new branch swe-agent/RUN_ID."),
    ] = "current",
    follow: Annotated[
        bool, typer.Option(help="Re-read the run folder every second (a run still going).")
    ] = False,
) -> None:
    """Review a run: browse its search tree, accept hunks, apply them as one commit, undo.

    Keys: space toggles the hunk under the cursor, a accepts all hunks of the node, p applies
    the accepted hunks as one commit (refused when a touched file has uncommitted changes), u
    undoes that commit, e exports the accepted hunks to a patch file in the run folder, t
    re-runs the node's tests (when the run's environment image still exists), ? shows every
    key, q quits.

    Examples:

      swe-agent review

      swe-agent review 20250101-120000-ab12 --repo ../project --theme light

      swe-agent review --follow      (while swe-agent solve runs in another terminal)
    """
    from swe_agent.runs import find_run
    from tui import ReviewSettings, make_app

    found = find_run(repo, run)
    settings = ReviewSettings(
        repo=repo,
        theme=theme,
        branch=branch,
        run_tests=node_test_runner(repo, found),
        refresh_s=1.0 if follow else None,
    )
    make_app(found, settings).run()


def node_test_runner(repo: Path, run: RunPaths) -> Callable[[int], dict[str, Any]] | None:
    """Re-runs a node's tests in a fresh sandbox of the run's environment image, if it exists."""
    env = run.read_report().get("environment") or {}
    image, command = env.get("image"), env.get("test_command")
    if not isinstance(image, str) or not isinstance(command, str) or not _image_present(image):
        return None
    python = str(env.get("python") or "3.9")

    def rerun(node_id: int) -> dict[str, Any]:
        return rerun_node_tests(repo, run, node_id, image=image, command=command, python=python)

    return rerun


def rerun_node_tests(
    repo: Path, run: RunPaths, node_id: int, *, image: str, command: str, python: str
) -> dict[str, Any]:
    """The node's tests record: the base's tests, then the node's diff applied, compared."""
    from sandbox import start_sandbox
    from swe_agent.agent.evidence import TestProbe
    from swe_agent.solve.resume import apply_diff

    root_state, chosen = _tree_facts(run)
    diff = _node_diff(run, node_id, chosen=chosen)
    base = run.read_report().get("base_commit") or base_commit(repo, root_state)
    with start_sandbox(repo, image=image, commit=base, python=python) as box:
        probe = TestProbe(box, command)
        probe.record_base()
        if diff.strip():
            applied = apply_diff(box, diff)
            if not applied.ok:
                raise SweAgentError(
                    f"the diff of node #{node_id} does not apply to the base commit "
                    f"{base[:12]}: {(applied.stdout + applied.stderr).strip()}"
                )
        return probe.evidence()


def base_commit(repo: Path, tree_id: str) -> str:
    """The newest commit of the repository whose tree is the run's base state."""
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--all", "--format=%H %T"],
        capture_output=True,
        text=True,
    )
    for line in log.stdout.splitlines():
        commit, _, tree = line.partition(" ")
        if tree == tree_id:
            return commit
    raise BadInput(
        f"no commit of {repo} has the run's base tree {tree_id[:12]}",
        hint="review the run in the repository it was made for (--repo)",
    )


def _tree_facts(run: RunPaths) -> tuple[str, int | None]:
    """The base state (the root's git tree id) and the chosen node of the run's tree.json."""
    try:
        tree = json.loads(run.tree.read_text(encoding="utf-8"))
        root = next(n["state"] for n in tree["nodes"] if n["id"] == 0)
        chosen = (tree.get("chosen") or {}).get("node")
    except (OSError, ValueError, KeyError, StopIteration, AttributeError) as exc:
        raise BadInput(f"{run.tree} names no base state: {exc}") from None
    return str(root), chosen if isinstance(chosen, int) else None


def _node_diff(run: RunPaths, node_id: int, *, chosen: int | None) -> str:
    """nodes/<id>.diff, or patch.diff for the chosen node of a run that kept no node diffs."""
    path = run.root / "nodes" / f"{node_id}.diff"
    if not path.is_file() and node_id == chosen:
        path = run.patch
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _image_present(image: str) -> bool:
    """True when Docker answers and has the image; the review works without either."""
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        docker.from_env(timeout=5).images.get(image)
    except (ImageNotFound, DockerException):
        return False
    return True
