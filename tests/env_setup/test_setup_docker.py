"""The whole setup through the real Docker sandbox: install from PyPI, repair, verify, cache."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from env_setup import SetupOptions, load_record, setup_environment

pytestmark = [pytest.mark.docker, pytest.mark.slow]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "env"
PYTHON = "3.9"


@pytest.fixture(scope="module")
def docker_images() -> Iterator[list[str]]:
    """Skip without a daemon or a base image; remove the images the tests made, afterwards."""
    from env_setup.cache import available_images, docker_client

    client = docker_client()
    if client is None:
        pytest.skip("no Docker daemon")
    if PYTHON not in available_images(client):
        pytest.skip(f"no base image for Python {PYTHON}: run `swe-agent sandbox bootstrap`")
    made: list[str] = []
    yield made
    for tag in set(made):
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)


def _repo(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], check=True)
    return root


def _setup(root: Path, made: list[str], **options: object):  # type: ignore[no-untyped-def]
    record = setup_environment(root, SetupOptions(python=PYTHON, **options))  # type: ignore[arg-type]
    if record.image:
        made.append(record.image)
    return record


def test_simple_package_then_cache_hit(tmp_path: Path, docker_images: list[str]) -> None:
    root = _repo("docker_simple", tmp_path)
    first = _setup(root, docker_images, use_cache=False)
    assert first.success, first.commands[-1].output_tail
    assert first.python == PYTHON and not first.cache_hit
    assert first.verify is not None and first.verify.collected == 1
    assert first.verify.imports == {"simplepkg": None}
    assert first.resolved["pytest"]
    assert load_record(root).cache_key == first.cache_key  # env.json written
    # The commit's parts are timed apart (a slow commit says whether compiling or saving was).
    assert {"compile_s", "tidy_s", "image_s", "commit_s"} <= set(first.timings)

    second = _setup(root, docker_images, tests=("tests/test_add.py",))
    assert second.cache_hit and second.image == first.image
    # Asked for a subset, a cache hit still checks that it collects (in the cached image).
    assert second.verify is not None and second.verify.collect_command.endswith("test_add.py")
    assert second.verify.collected == 1

    # The cached image runs the tests as the sandbox's ordinary user, with no network.
    from sandbox import start_sandbox

    assert first.image is not None
    with start_sandbox(root, image=first.image) as box:
        obs = box.run(f"{first.test_command} -q -p no:cacheprovider", timeout=300)
        # pip installed pytest without bytecode; the venv was compiled before the commit.
        pycs = box.run(f"ls {first.venv}/lib/python{PYTHON}/site-packages/_pytest/__pycache__")
        path = box.run(f"cd /tmp && {first.venv}/bin/python -c 'import sys; print(sys.path)'")
        # The set-up's verification wrote bytecode; later sandboxes still write none.
        quiet = box.run("echo $PYTHONDONTWRITEBYTECODE")
    # The image holds no checkout (removed while the venv compiled), and the user owns the venv.
    tidied = _in_image(first.image, f"ls -A /workspace; stat -c %u /workspace {first.venv}/bin")
    assert obs.exit_code == 0, obs.stdout + obs.stderr
    # The checkout is on sys.path, as `setup.py develop` put it (not an editable import hook).
    assert "'/workspace'" in path.stdout, path.stdout + path.stderr
    assert "1 passed" in obs.stdout
    assert "python.cpython-39.pyc" in pycs.stdout.split(), pycs.stdout + pycs.stderr
    assert quiet.stdout.strip() == "1"
    assert tidied.split() == ["1000", "1000"], tidied


def _in_image(image: str, command: str) -> str:
    """What ``command`` prints in a bare container of ``image`` (no workspace unpacked); its
    labels say it is no sandbox, or a reaper would take the owner the image was saved with
    (its set-up, gone) for a dead owner of this container."""
    done = subprocess.run(
        ["docker", "run", "--rm", "--label", "swe-agent.sandbox=0", "--user", "0"]
        + ["--entrypoint", "sh", image, "-c", command],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def test_cli_setup_and_show_json(tmp_path: Path, docker_images: list[str]) -> None:
    from swe_agent.cli import app

    root = _repo("docker_simple", tmp_path)
    result = CliRunner().invoke(app, ["env", "setup", str(root), "--python", PYTHON, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    docker_images.append(summary["image"])
    assert summary["success"] is True
    assert {"python", "image", "test_command", "verify", "seconds"} <= set(summary)
    shown = CliRunner().invoke(app, ["env", "show", str(root), "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["cache_key"] == summary["cache_key"]


def test_missing_module_is_repaired(tmp_path: Path, docker_images: list[str]) -> None:
    root = _repo("docker_missing_module", tmp_path)
    record = _setup(root, docker_images, use_cache=False)
    assert record.success, record.verify
    repairs = [c.command for c in record.commands if c.kind == "repair"]
    assert any(command.endswith("install PyYAML") for command in repairs)
    assert "PyYAML" in record.resolved or "pyyaml" in record.resolved


def test_impossible_pin_is_repaired(tmp_path: Path, docker_images: list[str]) -> None:
    root = _repo("docker_impossible_pin", tmp_path)
    record = _setup(root, docker_images, use_cache=False)
    assert record.success, record.commands[-1].output_tail
    assert record.resolved.get("six") == "1.16.0"  # the nearest release to 1.16.99
    assert not subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # the host checkout is never touched


def test_repository_without_tests(tmp_path: Path, docker_images: list[str]) -> None:
    root = _repo("docker_notests", tmp_path)
    record = _setup(root, docker_images, use_cache=False)
    assert record.success
    assert record.verify is not None and record.verify.no_tests
    assert record.verify.imports == {"quiet": None}


def test_a_test_file_stopped_by_the_repositorys_own_warning_is_left_out(
    tmp_path: Path, docker_images: list[str]
) -> None:
    from sandbox import start_sandbox

    root = _repo("docker_own_warning", tmp_path)
    record = _setup(root, docker_images, use_cache=False)
    assert record.success, record.verify
    assert record.verify is not None and record.verify.own_warnings == ("tests/test_table.py",)
    assert not [c for c in record.commands if c.kind == "repair"]  # no install could mend it
    assert record.test_command.endswith(" --ignore=tests/test_table.py")
    assert record.image is not None
    with start_sandbox(root, image=record.image) as box:
        obs = box.run(f"{record.test_command} -p no:cacheprovider", timeout=300)
    assert obs.exit_code == 0 and "1 passed" in obs.stdout, obs.stdout + obs.stderr


@pytest.mark.full
def test_install_that_needs_a_compiler(tmp_path: Path, docker_images: list[str]) -> None:
    root = _repo("docker_compiler", tmp_path)
    record = _setup(root, docker_images, use_cache=False)
    assert record.success, record.commands[-1].output_tail
    repairs = [c.command for c in record.commands if c.kind == "repair"]
    assert any("apt-get install" in command and " gcc " in command for command in repairs)
    assert record.verify is not None and record.verify.imports == {"fastsum": None}


@pytest.mark.full
def test_wrong_interpreter_falls_back_to_the_next_python(
    tmp_path: Path, docker_images: list[str]
) -> None:
    from env_setup.cache import available_images, docker_client

    if "3.11" not in available_images(docker_client()):
        pytest.skip("needs the Python 3.11 base image too")
    root = _repo("docker_wrong_python", tmp_path)
    record = setup_environment(root, SetupOptions(use_cache=False))  # no forced Python
    if record.image:
        docker_images.append(record.image)
    assert record.success, record.verify
    assert record.python == "3.11"  # 3.9 came first (classifiers) and could not import tomllib
    venvs = [c for c in record.commands if c.kind == "venv"]
    assert [c.command.split()[0] for c in venvs] == ["python3.9", "python3.11"]


def test_two_commits_with_the_same_dependency_files_share_one_image(
    tmp_path: Path, docker_images: list[str]
) -> None:
    from env_setup.cache import docker_client, record_in_image

    root = _repo("docker_simple", tmp_path)
    first_commit = _head(root)
    first = _setup(root, docker_images, use_cache=False, commit=first_commit)
    assert first.success and first.image
    # A later commit: new code and a new test module, the same dependency files.
    (root / "simplepkg" / "extra.py").write_text("def twice(x):\n    return 2 * x\n")
    (root / "tests" / "test_extra.py").write_text(
        "from simplepkg.extra import twice\n\n\ndef test_twice():\n    assert twice(2) == 4\n"
    )
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "more code"], check=True)
    second_commit = _head(root)
    said: list[str] = []
    tests = ("tests/test_extra.py",)
    second = setup_environment(
        root, SetupOptions(python=PYTHON, commit=second_commit, tests=tests), progress=said.append
    )
    assert second.cache_hit and second.image == first.image  # one image for both commits
    assert second.cache_key == first.cache_key
    # The asked-for tests are collected at the new commit in the shared image (editable install).
    assert second.verify is not None and second.verify.collected == 1
    assert not any("trusting" in message for message in said)

    said.clear()
    again = setup_environment(
        root, SetupOptions(python=PYTHON, commit=second_commit, tests=tests), progress=said.append
    )
    assert again.cache_hit and again.success
    assert any("trusting the recorded verification" in message for message in said)

    # The probe reads the record out of the image reliably from many threads at once.
    from concurrent.futures import ThreadPoolExecutor

    client = docker_client()
    with ThreadPoolExecutor(max_workers=6) as pool:
        found = list(pool.map(lambda _: record_in_image(client, first.image), range(12)))
    assert all(data and data["cache_key"] == first.cache_key for data in found)


def _head(root: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.full
def test_pyright_counts_unresolved_imports(tmp_path: Path, docker_images: list[str]) -> None:
    root = tmp_path / "docker_simple"
    shutil.copytree(FIXTURES / "docker_simple", root)
    (root / "scripts").mkdir()
    # One import nothing provides; the project's own package and pytest resolve.
    (root / "scripts" / "tool.py").write_text("import not_installed_anywhere\nimport simplepkg\n")
    root = _repo_at(root)
    record = _setup(root, docker_images, use_cache=False, pyright=True)
    assert record.success
    assert record.verify is not None and record.verify.missing_imports == 1
    assert record.timings["pyright_s"] > 0


def _repo_at(root: Path) -> Path:
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], check=True)
    return root


def test_apt_installs_are_saved_as_a_layer_that_the_next_setup_reuses(
    tmp_path: Path, docker_images: list[str]
) -> None:
    from dataclasses import replace

    from env_setup.cache import available_images, docker_client
    from env_setup.layers import plan_layers
    from env_setup.model import Step, StepKind
    from env_setup.pipeline import _Run, build
    from env_setup.repair import RuleRepairer
    from env_setup.source import detect_at

    root = _repo("docker_simple", tmp_path)
    client = docker_client()
    run = _Run(root, detect_at(root, None), SetupOptions(python=PYTHON), (RuleRepairer(),), print)
    plan = run.plan(available_images(client), PYTHON)
    apt = Step(
        "apt-get update -qq && apt-get install -y -qq tree", "a test", StepKind.PRE_INSTALL, True
    )
    plan = replace(plan, steps=(*plan.steps[:2], apt, *plan.steps[2:]))
    layers = plan_layers(client, plan)
    assert len(layers) == 2 and layers[1].steps == (apt,)
    docker_images.append(layers[1].tag)  # the tooling layer below it is everyone's: kept
    subprocess.run(["docker", "rmi", "-f", layers[1].tag], capture_output=True, check=False)

    first = build(run, plan)
    assert first.success, first.commands[-1].output_tail
    assert first.image is not None
    docker_images.append(first.image)
    ran = next(c for c in first.commands if c.command == apt.command)
    assert ran.ok and "already in" not in ran.output_tail
    assert [c.kind for c in first.commands[:3]] == ["venv", "tooling", "pre-install"]

    second = build(run, plan)  # another commit of the release line would start here too
    reused = next(c for c in second.commands if c.command == apt.command)
    assert reused.ok and f"already in the tooling layer {layers[1].tag}" in reused.output_tail
    assert second.success and second.image is not None
    from sandbox import start_sandbox

    with start_sandbox(root, image=second.image) as box:
        assert box.run("command -v tree", timeout=60).exit_code == 0
