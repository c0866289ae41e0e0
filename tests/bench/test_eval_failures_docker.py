"""Each infrastructure failure, injected for real in Docker, lands in `errors` with its kind.

The runner is killed by the test it runs, the container is removed by the host while a test
sleeps, a test outlives the time limit, a test reaches for a network the sandbox lacks, a
repository's environment cannot be built, and the Docker daemon leaves a call unanswered past
the client's timeout. None is graded "unresolved"; a second evaluation of the same folder runs
every one of them again and reuses the finished ones.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench_world import instance, make_world

from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(1800)]
TOKEN = f"7{uuid.uuid4().int % 10**8:08d}"  # the sleep that marks the container to remove


def _new_test(name: str, body: str) -> str:
    lines = body.splitlines()
    added = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/tests/{name} b/tests/{name}\nnew file mode 100644\n--- /dev/null\n"
        f"+++ b/tests/{name}\n@@ -0,0 +1,{len(lines)} @@\n{added}"
    )


KILL_RUNNER = """\
import os
import signal


def test_kills_the_runner():
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read()
        except OSError:
            continue
        # the runner itself (python runner.py), not the container's watchdog, which names it
        if command.split(b"\\0")[1:2] and command.split(b"\\0")[1].endswith(b"runner.py"):
            os.kill(int(pid), signal.SIGKILL)
"""
SLEEP = f"""\
import subprocess


def test_sleeps():
    subprocess.run(["sleep", "{TOKEN}"])
"""
NETWORK = """\
import urllib.request


def test_fetches():
    urllib.request.urlopen("http://example.com/", timeout=5)
"""
HANG = "import time\n\n\ndef test_hangs():\n    time.sleep(3600)\n"
CASES = {
    "runner_died": ("test_kill.py", KILL_RUNNER, "test_kills_the_runner"),
    "container_gone": ("test_sleep.py", SLEEP, "test_sleeps"),
    "timeout": ("test_hang.py", HANG, "test_hangs"),
    "no_network": ("test_net.py", NETWORK, "test_fetches"),
}


def _remove_the_sleeping_container(stop: threading.Event) -> None:
    """Remove the container whose processes include ``sleep TOKEN`` (ours, nobody else's)."""
    import docker

    client = docker.from_env()
    while not stop.wait(0.5):
        try:  # sparse: no inspection of each container (others come and go meanwhile)
            containers = client.containers.list(sparse=True)
        except Exception:  # an API error or a busy daemon's read timeout: look again
            continue
        for container in containers:
            try:
                processes = container.top().get("Processes") or []
            except Exception:
                continue
            if any(f"sleep {TOKEN}" in " ".join(map(str, p)) for p in processes):
                container.remove(force=True)
                return


def _broken_repo(root: Path, mirrors: Path) -> str:
    """octo/broken: a project whose setup.py fails, so its environment cannot be built."""
    work = root / "broken"
    work.mkdir()
    (work / "setup.py").write_text('raise SystemExit("this project cannot be built")\n')
    (work / "broken.py").write_text("X = 1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(work)]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    bare = mirrors / "octo+broken" / "repo"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return head.stdout.strip()


@pytest.mark.full
def test_every_infrastructure_failure_is_an_error_of_its_kind_and_runs_again(
    tmp_path: Path, docker_image: str
) -> None:
    world = make_world(tmp_path, ("octo__tinycalc-1",))
    rows = [json.loads(world.dataset.read_text())]
    for kind, (name, body, test) in CASES.items():
        patch = _new_test(name, body)
        f2p = json.dumps([f"tests/{name}::{test}"])
        rows.append(
            instance(f"octo__tinycalc-{kind}", world.base, test_patch=patch, FAIL_TO_PASS=f2p)
        )
    broken = _broken_repo(tmp_path, world.mirrors)
    rows.append({**instance("octo__broken-1", broken, test_patch=""), "repo": "octo/broken"})
    world.dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    options = EvalOptions(out=tmp_path / "eval", mirrors=world.mirrors, workers=2, timeout_s=90)
    stop = threading.Event()
    remover = threading.Thread(target=_remove_the_sleeping_container, args=(stop,))
    remover.start()
    try:
        summary = evaluate(load_instances(world.dataset), "gold", options)
    finally:
        stop.set()
        remover.join()
    expected = {f"octo__tinycalc-{kind}": kind for kind in CASES} | {
        "octo__broken-1": "environment"
    }
    assert summary["resolved"] == ["octo__tinycalc-1"] and summary["unresolved"] == []
    assert {i: k for k, ids in summary["error_kinds"].items() for i in ids} == expected
    network = summary["error_details"]["octo__tinycalc-no_network"]
    assert "lacked network its tests needed" in network and "--network" in network
    report = json.loads(
        (tmp_path / "eval" / "octo__tinycalc-runner_died" / "report.json").read_text()
    )
    assert report["octo__tinycalc-runner_died"]["error_kind"] == "runner_died"
    some = load_instances(
        world.dataset, instances=["octo__tinycalc-1", "octo__tinycalc-no_network"]
    )
    again = evaluate(some, "gold", options)  # the error runs again, the resolved one is reused
    assert again["reused"] == 1 and again["error_kinds"] == {"no_network": [some[1].instance_id]}


class _StallingDocker:
    """A unix socket in front of Docker's that leaves the first container create unanswered.

    Every other request goes through to the real daemon; the held one ends when the client
    gives up (docker-py's read timeout) and closes the connection, as with a daemon too busy
    to answer.
    """

    def __init__(self, path: Path, daemon: str) -> None:
        self.daemon = daemon
        self.stalled = threading.Event()
        self.closing = threading.Event()
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(32)
        self.server.settimeout(0.5)
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        with self.server:
            while not self.closing.is_set():
                try:
                    client, _ = self.server.accept()
                except TimeoutError:
                    continue
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        upstream.connect(self.daemon)
        threading.Thread(target=_copy, args=(upstream, client), daemon=True).start()
        with client, upstream:
            while data := client.recv(65536):
                request_line = data.split(b"\r\n", 1)[0]
                create = request_line.startswith(b"POST ") and b"/containers/create" in request_line
                if create and not self.stalled.is_set():
                    self.stalled.set()
                    while client.recv(65536):  # until the client times out and hangs up
                        pass
                    return
                upstream.sendall(data)

    def close(self) -> None:
        self.closing.set()
        self.accepting.join()


def _copy(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass  # either side closed


@pytest.fixture()
def stalling_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_StallingDocker]:
    """DOCKER_HOST points at a _StallingDocker for this test (and the workers it spawns)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.skip(f"the stalling proxy fronts a unix socket; DOCKER_HOST is {host}")
    proxy = _StallingDocker(tmp_path / "docker.sock", host.removeprefix("unix://"))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'docker.sock'}")
    yield proxy
    proxy.close()


def test_a_daemon_that_does_not_answer_in_time_is_a_sandbox_error_run_again_on_resume(
    tmp_path: Path,
    docker_image: str,
    stalling_docker: _StallingDocker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = make_world(tmp_path)
    options = EvalOptions(out=tmp_path / "eval", mirrors=world.mirrors, workers=1, timeout_s=90)
    summary = evaluate(load_instances(world.dataset), "gold", options)
    assert stalling_docker.stalled.is_set()
    assert summary["error_kinds"] == {"sandbox": ["octo__tinycalc-1"]}, summary["error_details"]
    detail = summary["error_details"]["octo__tinycalc-1"]
    assert detail.startswith("sandbox: the Docker daemon did not answer") and "timed out" in detail
    monkeypatch.delenv("DOCKER_HOST")  # the daemon answers again
    again = evaluate(load_instances(world.dataset), "gold", options)
    assert again["resolved"] == ["octo__tinycalc-1"] and again["reused"] == 0
