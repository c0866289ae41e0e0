"""Start-up paths: no daemon, the local fallback, old Pythons for the runner, the CLI."""

from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox import DockerUnavailable, Limits, start_sandbox
from sandbox.base import RUNNER_FILES
from sandbox.local_backend import LocalSandbox
from sandbox.workspace import WorkspaceSource, write_archive
from swe_agent.cli import app

OLD_PYTHONS = [
    Path.home() / ".pyenv" / "versions" / v / "bin" / "python" for v in ("3.6.15", "3.7.16")
]


@pytest.fixture
def no_daemon(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point docker at a socket nobody listens on: the daemon is 'stopped'."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")


def test_a_stopped_daemon_is_an_error_that_names_the_fix(no_daemon: None, repo: Path) -> None:
    with pytest.raises(DockerUnavailable) as raised:
        start_sandbox(repo)
    assert raised.value.exit_code == 1 and "no-daemon.sock" in str(raised.value)
    hint = raised.value.hint or ""
    assert "dockerd" in hint and "docker.io" in hint and "--sandbox local" in hint


def test_allow_unsandboxed_falls_back_to_the_local_backend(
    no_daemon: None, repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with start_sandbox(repo, allow_unsandboxed=True) as sandbox:
        assert isinstance(sandbox, LocalSandbox)
        assert sandbox.execute("2 ** 10").value == "1024"
    assert "NOT isolated" in caplog.text


def test_local_sandbox_cleans_up_its_folder_and_processes(repo: Path) -> None:
    sandbox = start_sandbox(repo, backend="local")
    sandbox.run("sleep 60 > /dev/null 2>&1 &")
    root = Path(sandbox.workdir).parent
    pgid = sandbox.channel.info["pgid"]  # type: ignore[attr-defined]
    sandbox.close()
    assert not root.exists()
    assert subprocess.run(["pgrep", "-g", str(pgid)], check=False).returncode == 1


def test_local_sandbox_runs_under_rlimits(repo: Path) -> None:
    with start_sandbox(repo, backend="local", limits=Limits(memory="2g")) as sandbox:
        code = "import resource\nresource.getrlimit(resource.RLIMIT_AS)"
        assert sandbox.execute(code).value == f"({2 << 30}, {2 << 30})"
        assert sandbox.run("ulimit -v").stdout.strip() == str(2 << 20)  # KiB, in children too


@pytest.mark.serial
def test_a_fork_bomb_on_the_local_backend_is_held_by_a_pids_cgroup(
    repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = start_sandbox(repo, backend="local", limits=Limits(pids=64, grace_s=1.0))
    assert isinstance(sandbox, LocalSandbox)
    if sandbox.cgroup is None:
        sandbox.close()
        assert "NO limit on the number of processes" in caplog.text
        pytest.skip("no writable cgroup with the pids controller on this machine")
    cgroup = sandbox.cgroup
    with sandbox:
        assert "at most 64 processes" in caplog.text
        obs = sandbox.execute("import os\nwhile True:\n    os.fork()", timeout=30)
        assert obs.error is not None and "BlockingIOError" in obs.error
        assert sandbox.execute("6 * 7").value == "42"
        assert len(cgroup.pids()) == 1  # the strays were swept; the runner is left
        assert sandbox.run("echo forks again").stdout == "forks again\n"
        sandbox.run("sleep 60 > /dev/null 2>&1 &")
    assert not cgroup.path.exists()  # removed, with the sleeper killed


@pytest.mark.parametrize("path", RUNNER_FILES, ids=lambda p: p.name)
def test_runner_source_is_python_36_syntax(path: Path) -> None:
    ast.parse(path.read_text(), feature_version=(3, 6))


@pytest.mark.parametrize("python", OLD_PYTHONS, ids=lambda p: p.parts[-3])
def test_the_runner_works_under_old_pythons(python: Path, repo: Path) -> None:
    if not python.exists():
        pytest.skip(f"{python} is not installed")
    archive = io.BytesIO()
    write_archive(WorkspaceSource(repo), archive)
    sandbox = LocalSandbox.start(archive, limits=Limits(grace_s=1.0), python=str(python))
    with sandbox:
        assert sandbox.execute("import sys\nsys.version_info[:2]").value in ("(3, 6)", "(3, 7)")
        assert sandbox.execute("print('ünï')\n1/0").stdout == "ünï\n"
        assert sandbox.execute("while True: pass", timeout=1).timed_out
        assert sandbox.run("exit 4").exit_code == 4
        sandbox.write_file("x.py", "x = 1\n")
        assert "+x = 1" in sandbox.diff(sandbox.base_state)


def test_bootstrap_of_an_unknown_python_is_bad_input() -> None:
    result = CliRunner().invoke(app, ["sandbox", "bootstrap", "--python", "2.7"])
    assert result.exit_code == 2
    assert "3.9" in result.output and "Traceback" not in result.output


def test_doctor_without_a_daemon_says_how_to_fix_it(no_daemon: None) -> None:
    result = CliRunner().invoke(app, ["sandbox", "doctor", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    daemon = next(c for c in report["checks"] if c["name"] == "daemon")
    assert daemon["level"] == "fail" and "dockerd" in daemon["fix"]


@pytest.mark.docker
def test_doctor_reports_daemon_images_and_timings(docker_image: str) -> None:
    result = CliRunner().invoke(app, ["sandbox", "doctor", "--no-pip", "--json"])
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["daemon"]["level"] == "ok" and checks["daemon"]["data"]["api_version"]
    engine = checks["daemon"]["data"]["engine"]  # .ci/run's Podman step says which it expects
    assert engine == os.environ.get("SWE_AGENT_TEST_ENGINE", engine)
    assert engine.capitalize() in checks["daemon"]["detail"]
    assert checks["images"]["level"] == "ok"
    assert checks["start-up"]["data"]["ready_s"] > 0
    disk = checks["disk bound"]
    assert disk["level"] == "ok" and disk["data"]["bytes"] == 2 * 1024**3
    assert disk["data"]["mode"] in ("quota", "tmpfs") and "files at most 2 GiB" in disk["detail"]
    assert result.exit_code == 0, result.output


@pytest.mark.docker
def test_gc_lists_what_it_removed(docker_image: str) -> None:
    result = CliRunner().invoke(app, ["sandbox", "gc", "--json"])
    assert result.exit_code == 0
    assert isinstance(json.loads(result.stdout)["removed"], list)


@pytest.mark.docker
def test_bootstrap_needs_debootstrap_or_a_cached_tarball(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker_image: str
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no debootstrap, no tar: only the cache helps
    if shutil.which("debootstrap"):
        pytest.skip("debootstrap still found")
    result = CliRunner().invoke(
        app, ["sandbox", "bootstrap", "--python", "3.11", "--cache-dir", str(tmp_path)]
    )
    assert result.exit_code == 1 and "debootstrap" in result.output


@pytest.mark.docker
def test_a_second_bootstrap_reuses_the_cached_root_file_system(docker_image: str) -> None:
    from sandbox.images import default_cache_dir, rootfs_name

    tarball = default_cache_dir() / rootfs_name("3.9")
    if not tarball.is_file():
        pytest.skip(f"no cached root file system at {tarball} (run the bootstrap once)")
    result = CliRunner().invoke(app, ["sandbox", "bootstrap", "--python", "3.9", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["from_cache"] and report["tag"] == "swe-agent/python:3.9"
    assert report["image_id"].startswith("sha256:")
