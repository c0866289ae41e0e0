"""Faults and limits that only the Docker backend holds: pids, network, escapes, removal."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import BadSource, Limits, SandboxError, SandboxGone, start_sandbox
from sandbox.disk import DiskMode
from sandbox.docker_backend import LABEL, OWNER_LABEL, DockerSandbox, connect, remove_leftovers
from sandbox.engine import PODMAN_NOFILE, PODMAN_NPROC, EngineKind, client_engine

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def box(docker_image: str, module_repo: Path) -> Iterator[DockerSandbox]:
    """One container for the tests that leave it usable."""
    sandbox = start_sandbox(module_repo, image=docker_image, limits=Limits(grace_s=1.0))
    assert isinstance(sandbox, DockerSandbox)
    yield sandbox
    sandbox.close()


def _fresh(docker_image: str, source: Path, **kwargs: Any) -> DockerSandbox:
    sandbox = start_sandbox(source, image=docker_image, **kwargs)
    assert isinstance(sandbox, DockerSandbox)
    return sandbox


def test_container_carries_the_default_limits(box: DockerSandbox) -> None:
    box.container.reload()
    host = box.container.attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["Memory"] == 4 * 1024**3 and host["MemorySwap"] == 4 * 1024**3
    assert host["PidsLimit"] == 512 and host["NanoCpus"] == 2 * 10**9
    assert not host["CapAdd"]  # Docker says CapDrop ["ALL"], Podman lists every capability
    bounding = "open('/proc/self/status').read().split('CapBnd:')[1].split()[0]"
    assert box.execute(bounding).value == "'0000000000000000'"
    # Podman says RLIMIT_FSIZE where Docker says fsize
    ulimits = {u["Name"].lower().removeprefix("rlimit_"): u["Hard"] for u in host["Ulimits"]}
    podman = client_engine(box.client).kind is EngineKind.PODMAN
    extra = {"nofile": PODMAN_NOFILE, "nproc": PODMAN_NPROC} if podman else {}
    assert ulimits == {"fsize": 2 * 1024**3, **extra}
    if box.disk.mode == DiskMode.TMPFS:  # no storage quota: a read-only root, tmpfs folders
        assert host["ReadonlyRootfs"] is True
        ours = {"/workspace", "/tmp", "/var/tmp", "/tmp/swe-agent"}
        # Podman adds /run to a read-only root (its --read-only-tmpfs)
        assert set(host["Tmpfs"]) == ours | ({"/run"} if podman else set())
    else:
        assert host["StorageOpt"] == {"size": str(2 * 1024**3)}
    labels = box.container.labels
    assert labels[OWNER_LABEL] == f"{os.uname().nodename}:{os.getpid()}"
    assert {"swe-agent.owner-start", "swe-agent.started"} <= set(labels)
    assert host["SecurityOpt"] == ["no-new-privileges"] and not host["Privileged"]
    assert box.container.attrs["Config"]["User"] == "1000:1000"
    assert box.container.labels[LABEL] == "1"
    assert box.execute("import os\nos.getuid()").value == "1000"


def test_host_environment_is_not_passed_in(
    docker_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWE_AGENT_SECRET", "hunter2")
    monkeypatch.setenv("LANG", "C.UTF-8")
    with _fresh(docker_image, tmp_path, env={"EXTRA": "1"}) as sandbox:
        env = sandbox.execute("import os\ndict(os.environ)").value or ""
    assert "hunter2" not in env and "'EXTRA': '1'" in env and "'LANG': 'C.UTF-8'" in env


@pytest.mark.serial
def test_a_fork_bomb_is_held_by_the_pids_limit(box: DockerSandbox) -> None:
    obs = box.execute("import os\nwhile True:\n    os.fork()", timeout=30)
    # The runner fails to fork, or (on a busy machine) hangs under its forks and is restarted.
    assert obs.error is not None
    assert any(name in obs.error for name in ("BlockingIOError", "OSError", "TimeoutError"))
    assert box.execute("6 * 7").value == "42"
    count = (  # live processes; zombies only wait for init to collect them
        "import os\n"
        "sum(open('/proc/%s/stat' % p).read().split()[2] != 'Z'\n"
        "    for p in os.listdir('/proc') if p.isdigit())"
    )
    assert int(box.execute(count).value or "999") < 12  # the strays were swept
    assert box.run("echo forks again").stdout == "forks again\n"


def test_a_sweep_leaves_only_init_and_the_watchdog_and_the_next_runner_starts(
    docker_image: str, tmp_path: Path
) -> None:
    """What a runner's kill falls back on when no process can start in the container."""
    with _fresh(docker_image, tmp_path) as sandbox:
        assert len(sandbox.container.top()["Processes"]) > 2  # init, the watchdog, the runner
        sandbox.sweep()
        assert len(sandbox.container.top()["Processes"]) == 2
        sandbox.execute("1")  # may say the runner died and was restarted
        assert sandbox.execute("6 * 7").value == "42"
        assert sandbox.run("echo after").stdout == "after\n"


def test_a_write_outside_the_workspace_stays_in_the_container(box: DockerSandbox) -> None:
    name = f"/tmp/swe-agent-escape-{uuid.uuid4().hex}"
    obs = box.execute(f"open({name!r}, 'w').write('x')\nopen({name!r}).read()")
    assert obs.value == "'x'"
    assert not Path(name).exists()
    denied = box.execute("open('/etc/passwd', 'a').write('evil')")
    assert denied.error is not None and "PermissionError" in denied.error


def test_network_calls_fail_while_the_network_is_off(box: DockerSandbox) -> None:
    code = "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=3)"
    obs = box.execute(code, timeout=20)
    assert obs.error is not None and ("OSError" in obs.error or "unreachable" in obs.error)
    dns = box.execute("import socket\nsocket.getaddrinfo('pypi.org', 443)", timeout=20)
    assert dns.error is not None and "gaierror" in dns.error


def test_the_runner_killed_from_outside_is_restarted(box: DockerSandbox) -> None:
    box.execute("doomed = 1")
    pid = box.channel.info["pid"]
    kill = ["docker", "exec", box.container.id, "python3", "-c", f"import os; os.kill({pid}, 9)"]
    subprocess.run(kill, check=True, timeout=30)
    obs = box.execute("'doomed' in dir()")
    assert obs.reset
    if obs.error:  # the death was seen only once the request was sent: it did not run
        assert "RunnerDied" in obs.error
        obs = box.execute("'doomed' in dir()")
    assert obs.value == "False"


def test_a_removed_container_is_a_clear_error(
    docker_image: str, tmp_path: Path, no_leftovers: None
) -> None:
    sandbox = _fresh(docker_image, tmp_path)
    sandbox.container.remove(force=True)
    with pytest.raises(SandboxGone) as gone:
        sandbox.execute("1")
    assert "removed" in str(gone.value) and gone.value.hint
    sandbox.close()


def test_a_bad_source_is_bad_input_and_leaves_no_container(
    docker_image: str, module_repo: Path, no_leftovers: None
) -> None:
    with pytest.raises(BadSource) as bad:  # found while the container was starting
        start_sandbox(module_repo, image=docker_image, commit="no-such-commit")
    assert bad.value.exit_code == 2


def test_ctrl_c_inside_the_block_removes_the_container(
    docker_image: str, tmp_path: Path, no_leftovers: None
) -> None:
    with pytest.raises(KeyboardInterrupt), _fresh(docker_image, tmp_path):
        raise KeyboardInterrupt


def test_network_phase_gets_the_ca_bundle_and_proxies(
    docker_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_leftovers: None
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    tag = f"swe-agent-test/online:{uuid.uuid4().hex[:8]}"
    try:
        # Network and a saved image: the set-up phase, whose files are not bounded.
        limits = Limits(disk=None)
        with _fresh(docker_image, tmp_path, network=True, limits=limits) as sandbox:
            host = sandbox.container.attrs["HostConfig"]
            assert host["NetworkMode"] == "bridge"
            code = "import os\nos.environ.get('HTTPS_PROXY'), "
            value = sandbox.execute(code + "os.path.getsize(os.environ['PIP_CERT'])").value or ""
            assert "proxy.invalid" in sandbox.run("echo $HTTPS_PROXY").stdout  # commands too
            sandbox.commit(tag)
        image_env = " ".join(connect().images.get(tag).attrs["Config"]["Env"])
    finally:
        connect().images.remove(tag, force=True)
    assert "proxy.invalid" in value
    if Path("/etc/ssl/certs/ca-certificates.crt").is_file():
        assert str(Path("/etc/ssl/certs/ca-certificates.crt").stat().st_size) in value
    assert "PROXY" not in image_env and "PIP_CERT" not in image_env  # not baked into images


def test_commit_makes_an_image_that_starts(
    docker_image: str, tmp_path: Path, no_leftovers: None
) -> None:
    tag = f"swe-agent-test/committed:{uuid.uuid4().hex[:8]}"
    (tmp_path / "a.txt").write_text("a\n")
    try:
        with _fresh(docker_image, tmp_path) as bounded:
            if bounded.disk.mode == DiskMode.TMPFS:  # an image would lose its tmpfs folders
                with pytest.raises(SandboxError, match="in memory"):
                    bounded.commit(tag)
        with _fresh(docker_image, tmp_path, limits=Limits(disk=None)) as sandbox:
            sandbox.run("mkdir -p ~sandbox/env && echo installed > ~sandbox/env/marker")
            image_id = sandbox.commit(tag)
        assert image_id.startswith("sha256:")
        # The image names no owner: a plain `docker run` of it is no orphan to reap.
        labels = connect().images.get(tag).labels
        assert labels.get(LABEL) == "" and labels.get(OWNER_LABEL) == "", labels
        (tmp_path / "b.txt").write_text("b\n")
        with _fresh(tag, tmp_path) as again:
            assert again.run("cat ~sandbox/env/marker").stdout == "installed\n"
            assert again.run("ls").stdout == "a.txt\nb.txt\n"  # the new workspace replaced the old
            assert again.container.labels[LABEL] == "1"  # a sandbox of it is one, with its owner
            assert again.container.labels[OWNER_LABEL].endswith(f":{os.getpid()}")
    finally:
        connect().images.remove(tag, force=True)


def test_gc_removes_containers_of_ended_owners_only(docker_image: str, box: DockerSandbox) -> None:
    labels = {LABEL: "1", OWNER_LABEL: f"{os.uname().nodename}:999999999"}
    orphan = connect().containers.create(docker_image, ["sleep", "60"], labels=labels)
    removed = remove_leftovers()
    assert orphan.short_id in removed or _gone(orphan)  # or another gc was quicker
    assert box.container.short_id not in removed
    assert box.execute("1 + 1").value == "2"


def _gone(container: Any, wait_s: float = 20.0) -> bool:
    """True once the container no longer exists (a removal in progress may take a moment)."""
    import time

    import docker

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            container.reload()
        except docker.errors.NotFound:
            return True
        time.sleep(0.2)
    return False


# A program started from a background job inherits SIGINT ignored (and Python then leaves it
# ignored); an interactive program has Python's handler, which is what this stands for.
SCRIPT = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from sandbox import start_sandbox
box = start_sandbox(sys.argv[1], image=sys.argv[2])
print(box.container.id, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_the_container_is_removed_when_the_program_is_stopped(
    docker_image: str, tmp_path: Path, signal_name: str
) -> None:
    import signal
    import sys

    root = Path(__file__).resolve().parents[2]
    argv = [sys.executable, "-c", SCRIPT, str(tmp_path), docker_image]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root)
    assert proc.stdout is not None
    container_id = proc.stdout.readline().decode().strip()
    assert container_id, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(getattr(signal, signal_name))
    try:
        proc.wait(timeout=120)  # removal goes through the daemon, slow on a loaded CI machine
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the program did not exit after {signal_name}; stderr:\n{err.decode()}")
    ids = [c.id for c in connect().containers.list(all=True, filters={"label": LABEL})]
    assert container_id not in ids


def test_a_memory_hog_is_killed_and_the_runner_restarts(
    docker_image: str, tmp_path: Path, no_leftovers: None
) -> None:
    with _fresh(docker_image, tmp_path, limits=Limits(memory="256m", grace_s=1.0)) as sandbox:
        sandbox.execute("kept = 1")
        obs = sandbox.execute("hog = bytearray(1 << 30)\nhog[::4096] = b'x' * (1 << 18)")
        assert obs.reset and obs.error is not None and "RunnerDied" in obs.error
        assert sandbox.execute("'kept' in dir()").value == "False"


def test_a_site_path_inside_the_workspace_is_importable(docker_image: str, tmp_path: Path) -> None:
    """An editable install's .pth names the workspace's src/, which is unpacked after the
    runner starts: the runner reads the .pth files again, so actions import the project."""
    import io

    client = connect(timeout=60)
    tag = f"swe-agent/test-pth:{uuid.uuid4().hex[:8]}"
    pth = "import site, os; d = site.getsitepackages()[0]; os.makedirs(d, exist_ok=True); "
    pth += "open(os.path.join(d, 'ws.pth'), 'w').write('/workspace/src\\n')"
    dockerfile = f'FROM {docker_image}\nUSER root\nRUN python3 -c "{pth}"\n'
    client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    (tmp_path / "src" / "tinypkg").mkdir(parents=True)
    (tmp_path / "src" / "tinypkg" / "__init__.py").write_text("ANSWER = 42\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    try:
        with _fresh(docker_image=tag, source=tmp_path, dirty=True) as sandbox:
            obs = sandbox.execute("import tinypkg\ntinypkg.ANSWER")
        assert obs.error is None and obs.value == "42", obs
    finally:
        client.images.remove(tag, force=True)
