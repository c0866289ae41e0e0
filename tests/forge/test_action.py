"""The GitHub Action: action.yml and the README's workflow pass the schemas GitHub's editors
use (SchemaStore's, as check-jsonschema ships them), and the action's steps, run as the
scripts they are on the example repository, solve its issue and open the pull request."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from action_runner import ActionRun, run_steps, start
from forge_world import ISSUE_URL, TOKEN, add_remote, git, make_calc_repo
from github_server import FakeGitHub

from swe_agent.models.catalog import CATALOG, DEFAULT_LOCAL_MODEL, default_models_dir, stamp_path

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
# The recording is of scripted free-form actions: replay it the same way.
REPLAY_ARGS = (
    "--iterations 6 -c agent.auto_finish=false -c agent.rewrite=false -c run_example=false"
)
KNOWN_ACTIONS = ("actions/setup-python@", "actions/cache@", "actions/upload-artifact@")


def check_schema(path: Path, schema: str) -> None:
    tool = Path(sys.executable).parent / "check-jsonschema"
    done = subprocess.run(
        [str(tool), "--builtin-schema", schema, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_action_metadata_passes_the_schema() -> None:
    check_schema(ACTION, "vendor.github-actions")


def test_readme_workflow_passes_the_schema_and_uses_the_action(tmp_path: Path) -> None:
    workflow = readme_workflow()
    path = tmp_path / "swe-agent.yml"
    path.write_text(workflow)
    check_schema(path, "vendor.github-workflows")
    data = yaml.safe_load(workflow)
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["issues"]["types"] == ["labeled"]
    assert triggers["issue_comment"]["types"] == ["created"]
    job = data["jobs"]["solve"]
    assert "'swe-agent'" in job["if"] and "'/swe-agent'" in job["if"]
    step = next(s for s in job["steps"] if "swe-agent" in str(s.get("uses", "")))
    action = yaml.safe_load(ACTION.read_text())
    assert set(step["with"]) <= set(action["inputs"])
    assert data["permissions"] == {
        "contents": "write",
        "issues": "write",
        "pull-requests": "write",
    }


def test_run_steps_take_inputs_only_through_env() -> None:
    """No `${{ }}` inside a script: an issue title cannot become shell code."""
    action = yaml.safe_load(ACTION.read_text())
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
        else:
            assert step["uses"].startswith(KNOWN_ACTIONS), step["uses"]


def test_the_action_solves_the_example_and_opens_the_pull_request(
    solved_repos: dict[str, Path], github: FakeGitHub, tmp_path: Path
) -> None:
    (recording,) = (solved_repos["resolved"] / ".swe-agent" / "runs").iterdir()
    inputs = {
        "model": f"replay:{recording}",
        "search": "linear",
        "sandbox": "local",
        "extra-args": REPLAY_ARGS,
    }
    run, repo = run_action(github, tmp_path, inputs)
    outputs = run.outputs()
    assert outputs["status"] == "resolved" and outputs["outcome"] == "opened", run.logs
    assert outputs["pull-request-url"] == github.pulls[("o", "r")][0]["html_url"]
    run_dir = repo / ".swe-agent" / "runs" / outputs["run-id"]
    assert json.loads((run_dir / "pull_request.json").read_text())["outcome"] == "opened"
    assert git(tmp_path / "remote.git", "rev-list", "--count", "main..swe-agent/issue-1") == "1"
    assert "| tests fixed | `tests/test_stats.py::test_median_even` |" in run.summary
    assert_skipped_steps(run, repo, model_cache=False)
    # The GitHub token reached the API and nothing on disk.
    assert {r.headers.get("authorization") for r in github.requests} == {f"Bearer {TOKEN}"}
    for path in run_dir.rglob("*"):
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes(), path
    # A second workflow run for the same issue does nothing, and says so.
    again, _ = run_action(github, tmp_path / "again", inputs, repo=repo)
    assert again.outputs() | {"run-id": ""} == {
        "run-id": "",
        "status": "skipped",
        "outcome": "exists",
        "pull-request-url": outputs["pull-request-url"],
    }
    assert "not solving again" in again.summary


def test_a_failed_solve_fails_the_step_with_the_error_in_the_summary(
    github: FakeGitHub, tmp_path: Path
) -> None:
    run, _ = run_action(github, tmp_path, {"issue": "https://github.com/o/r/issues/99"})
    name, code, log = run.logs[-1]
    assert name.startswith("Solve") and code == 2, log
    assert "Not Found" in log and "::error title=swe-agent::" in log
    assert run.outputs()["outcome"] == "error"
    assert "## swe-agent: error" in run.summary


def run_action(
    github: FakeGitHub, tmp_path: Path, inputs: dict[str, str], *, repo: Path | None = None
) -> tuple[ActionRun, Path]:
    """The checkout (the example with a bare remote), then the action's steps on it."""
    if repo is None:
        repo = make_calc_repo(tmp_path / "workspace")
        github.remote = add_remote(repo, tmp_path / "remote.git")
    run = start(
        ACTION,
        workspace=repo,
        temp=tmp_path / "action",
        inputs=inputs,
        github={"token": TOKEN, "event": {"issue": {"html_url": ISSUE_URL}}},
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(tmp_path / "home"),
            "LANG": "C.UTF-8",
            "GITHUB_API_URL": github.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "o/r",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        },
    )
    # What "Restore the installed tool" does on a cache hit: the tool's venv is in place.
    venv = Path(run.context["runner"]["temp"]) / "swe-agent-venv"
    if not venv.exists():
        venv.symlink_to(Path(sys.prefix), target_is_directory=True)
    # What "Restore the embedded model" does on a cache hit: verified weights in place (without
    # it, a run on the default model pulls the 1.1 GB into the test's home each time).
    models = Path(run.env["HOME"]) / ".cache" / "swe-agent" / "models"
    weights = default_models_dir() / CATALOG[DEFAULT_LOCAL_MODEL].filename
    if stamp_path(weights).is_file() and not models.exists():
        models.parent.mkdir(parents=True)
        models.symlink_to(default_models_dir(), target_is_directory=True)
    run_steps(run, cwd=repo)
    return run, repo


def assert_skipped_steps(run: ActionRun, repo: Path, *, model_cache: bool) -> None:
    """What the `uses:` steps would have been given: the run folder exists to upload."""
    upload = next(s for s in run.skipped if s["uses"].startswith("actions/upload-artifact@"))
    from action_runner import evaluate

    path = repo / evaluate(upload["with"]["path"], run.context)
    assert (path / "report.json").is_file() and (path / "trajectory.jsonl").is_file()
    assert evaluate(upload["with"]["name"], run.context).startswith("swe-agent-run-2")
    caches = [s for s in run.skipped if s["uses"].startswith("actions/cache@")]
    assert len(caches) == 3 and model_cache is False


def readme_workflow() -> str:
    """The workflow template: the yaml block of the README's GitHub Action section."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("### The GitHub Action") :]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README's GitHub Action section has no yaml block"
    return match.group(1)


@pytest.mark.docker
@pytest.mark.slow
def test_the_action_sets_up_and_caches_the_environment_image(
    docker_image: str, solved_repos: dict[str, Path], github: FakeGitHub, tmp_path: Path
) -> None:
    (recording,) = (solved_repos["resolved"] / ".swe-agent" / "runs").iterdir()
    inputs = {
        "model": f"replay:{recording}",
        "search": "linear",
        "extra-args": REPLAY_ARGS,
    }
    run, _ = run_action(github, tmp_path, inputs)
    assert run.outputs()["outcome"] == "opened", run.logs
    cache = Path(run.context["runner"]["temp"]) / "swe-agent-env"
    assert (cache / "env.json").is_file() and (cache / "image.tar").stat().st_size > 0
