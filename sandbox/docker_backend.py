"""The Docker backend: a labelled, limited container with the runner in a long-lived exec.

The runner talks over the pipes of one `docker exec -i` client process rather than docker-py's
attach socket: in benchmarks/sandbox_latency.py, interleaved in one run, the two round trips
were within noise of each other (p50 0.3 to 4 ms for both on a 2-core machine at load 10-15),
and the client gives separate stdout and stderr, a plain EOF when the runner dies, and no
stream framing to decode.
"""

from __future__ import annotations

import atexit
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from sandbox.base import RUNNER_FILES, RunnerSandbox
from sandbox.channel import Channel
from sandbox.disk import DiskBound, DiskMode, disk_bound, quota_possible
from sandbox.engine import (
    DOCKER_HINT,
    client_engine,
    connect,
    create_options,
    engine_refused,
    remove_forced,
)
from sandbox.errors import DockerUnavailable, ImageMissing, RunnerFailed, SandboxError, SandboxGone
from sandbox.owners import IMAGE_LABELS, SWEEP_SIGNAL, owner_labels, reap, watchdog_command
from sandbox.owners import LABEL as LABEL  # re-exported: the label of our containers
from sandbox.owners import OWNER_LABEL as OWNER_LABEL
from sandbox.protocol import HostTool, Limits, close_at_exit

WORKDIR = "/workspace"
STAGE = "/tmp/swe-agent"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
CA_VARS = ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO")
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")
KILL_S = 10  # a kill that has not landed by then is not coming: sweep
COMMIT_TIMEOUT = 900  # saving a whole environment's layer took over 30 s at load 25-30


def container_env(limits: Limits, *, extra: Mapping[str, str]) -> dict[str, str]:
    """The container's environment: allowlisted host variables and the caller's extras."""
    env = {"HOME": "/tmp", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
    env.update({k: os.environ[k] for k in limits.env_allowlist if k in os.environ})
    env.update(extra)
    return env


def network_exec_args(*, network: bool) -> list[str]:
    """`docker exec` options that give the runner the host's proxies and CA bundle when online.

    They go to the runner's exec, not into the container's configuration, so an image committed
    after a network phase does not carry them. A bare ``-e NAME`` makes the docker client copy
    the value from its own environment: proxy URLs stay out of the process list.
    """
    if not network:
        return []
    args = [f"-e{name}" for name in PROXY_VARS if name in os.environ]
    if HOST_CA.is_file():
        args += [f"-e{name}={STAGE}/ca-certificates.crt" for name in CA_VARS]
    return args


def _ids(user: str) -> tuple[int, int]:
    uid, _, gid = user.partition(":")
    if uid.isdigit():
        return int(uid), int(gid) if gid.isdigit() else int(uid)
    return 0, 0


def _stage_archive(archive: IO[bytes], *, limits: Limits, network: bool) -> IO[bytes]:
    """Tar put at / in the container: the workspace folder, the runner, the workspace tar."""
    uid, gid = _ids(limits.user)
    staged = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    with tarfile.open(fileobj=staged, mode="w") as tar:
        for folder in ("workspace", STAGE.lstrip("/")):
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.uid, info.gid = tarfile.DIRTYPE, 0o755, uid, gid
            tar.addfile(info)
        small = [(path.name, path.read_bytes()) for path in RUNNER_FILES]
        if network and HOST_CA.is_file():
            small.append(("ca-certificates.crt", HOST_CA.read_bytes()))
        files: list[tuple[str, IO[bytes], int]] = [(n, io.BytesIO(b), len(b)) for n, b in small]
        files.append(("workspace.tar", archive, archive.seek(0, os.SEEK_END)))
        for name, handle, size in files:
            info = tarfile.TarInfo(f"{STAGE.lstrip('/')}/{name}")
            info.size, info.mode, info.uid, info.gid = size, 0o644, uid, gid
            info.mtime = int(time.time())
            handle.seek(0)
            tar.addfile(info, handle)
    staged.seek(0)
    return staged


class DockerSandbox(RunnerSandbox):
    """A sandbox in a Docker container; use ``start`` and close it (or use ``with``)."""

    def __init__(self, client: Any, container: Any, limits: Limits, disk: DiskBound) -> None:
        self.client, self.container, self.limits, self.disk = client, container, limits, disk
        self.workdir = WORKDIR
        self.base_state = ""
        self.timings: dict[str, float] = {}
        self.docker_cli = shutil.which("docker") or "docker"
        self.exec_args: list[str] = []  # network phases: proxies and the CA bundle
        self._oom_seen = 0  # processes killed for memory, as last reported

    @classmethod
    def start(  # noqa: PLR0913 - the container's options, as start_sandbox passes them
        cls,
        archive: IO[bytes],
        *,
        image: str,
        limits: Limits,
        network: bool = False,
        tools: Mapping[str, HostTool] | None = None,
        env: Mapping[str, str] | None = None,
        client: Any = None,
        fill: Callable[[], object] | None = None,
        run_id: str | None = None,
    ) -> DockerSandbox:
        """Create the container, copy the workspace in and start the runner.

        ``fill``, when given, writes ``archive``; it runs while the container starts.
        Containers of owners that are gone are removed first; ``run_id`` labels this one.
        """
        if shutil.which("docker") is None:
            raise SandboxError(
                "the `docker` command is missing (the runner talks through `docker exec -i`)",
                hint="install the Docker client: `sudo apt-get install docker.io`",
            )
        client = client or connect()
        started = time.monotonic()
        reap(client)
        disk = disk_bound(limits, quota=quota_possible(client.info()))
        labels = owner_labels(run_id)
        try:
            container = cls._create(client, image, limits, network=network, env=env or {},
                                    labels=labels, disk=disk)  # fmt: skip
        except SandboxError:
            if disk.mode != DiskMode.QUOTA:
                raise
            disk = disk_bound(limits, quota=False)  # xfs without pquota: no quota after all
            container = cls._create(client, image, limits, network=network, env=env or {},
                                    labels=labels, disk=disk)  # fmt: skip
        sandbox = cls(client, container, limits, disk)
        sandbox.exec_args = network_exec_args(network=network)
        close_at_exit(sandbox.close)
        try:
            sandbox._boot(archive, fill=fill, network=network, tools=tools or {}, started=started)
        except BaseException:
            sandbox.close()
            raise
        return sandbox

    @staticmethod
    def _create(
        client: Any,
        image: str,
        limits: Limits,
        *,
        network: bool,
        env: Mapping[str, str],
        labels: Mapping[str, str],
        disk: DiskBound,
    ) -> Any:
        import docker

        # The main process watches for a runner; without one for idle_s it ends the container.
        command = watchdog_command(f"{STAGE}/runner.py", idle_s=limits.idle_s, grace_s=300)
        try:
            return client.containers.create(
                image,
                command=command,
                detach=True,
                init=True,
                user=limits.user,
                working_dir="/",
                environment=container_env(limits, extra=env),
                labels=dict(labels),
                network_mode="bridge" if network else "none",
                mem_limit=limits.memory,
                memswap_limit=limits.memory,
                pids_limit=limits.pids,
                nano_cpus=int(limits.cpus * 1e9),
                cap_drop=["ALL"],
                cap_add=list(limits.cap_add) or None,
                security_opt=["no-new-privileges"],
                # In-memory folders: nothing else may be written (the rest is read-only).
                read_only=disk.mode == DiskMode.TMPFS,
                **create_options(
                    client_engine(client),
                    disk.create_options(user=limits.user, own=(WORKDIR, STAGE)),
                ),
            )
        except docker.errors.ImageNotFound:
            raise ImageMissing(
                f"the image {image} is not present",
                hint="build one with `swe-agent sandbox bootstrap --python 3.9`",
            ) from None
        except docker.errors.APIError as exc:
            if disk.mode == DiskMode.QUOTA and "storage-opt" in str(exc):
                raise SandboxError(f"no storage quota: {exc}") from None
            raise engine_refused("create", exc) from None

    def _boot(
        self,
        archive: IO[bytes],
        *,
        fill: Callable[[], object] | None,
        network: bool,
        tools: Mapping[str, HostTool],
        started: float,
    ) -> None:
        from concurrent.futures import ThreadPoolExecutor

        import docker

        with ThreadPoolExecutor(max_workers=1) as pool:  # the daemon starts, the host archives
            starting = pool.submit(self.container.start)
            if fill is not None:
                fill()
            try:
                starting.result()
            except docker.errors.APIError as exc:
                raise engine_refused("start", exc) from None
        self.timings["container_s"] = time.monotonic() - started
        with _stage_archive(archive, limits=self.limits, network=network) as staged:
            self._put_stage(staged)
        self.timings["copy_s"] = time.monotonic() - started
        init = {"workdir": WORKDIR, "archive": f"{STAGE}/workspace.tar"}
        self.channel = Channel(self, init=init, tools=tools, grace_s=self.limits.grace_s)
        self.channel.start()
        self.timings["runner_s"] = time.monotonic() - started
        self.base_state = self._synced = self.channel.info["tree"]
        self.timings["ready_s"] = time.monotonic() - started

    def _put_stage(self, staged: IO[bytes]) -> None:
        """Unpack the staged tar at /: through the API onto the writable layer, or, when the
        rootfs is read-only and /tmp and /workspace are tmpfs mounts (which the API cannot
        write into), through tar in the container."""
        if self.disk.mode != DiskMode.TMPFS:
            self.container.put_archive("/", staged)
            return
        argv = [self.docker_cli, "exec", "-i", "-u", self.limits.user, self.container.id]
        done = subprocess.run(
            [*argv, "tar", "-x", "-f", "-", "-C", "/"], stdin=staged, capture_output=True,
            timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip()[-500:]
            raise RunnerFailed(f"could not copy the workspace into the sandbox: {detail}")

    def spawn_runner(self) -> subprocess.Popen[bytes]:
        """Start the runner with a long-lived `docker exec -i` (its pipes are the channel)."""
        argv = [self.docker_cli, "exec", "-i", "-u", self.limits.user, "-w", "/", *self.exec_args]
        argv += [self.container.id, "python3", f"{STAGE}/runner.py"]
        return subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def kill_runner(self, pgid: int) -> None:
        """Kill the runner's process group in the container (killing the client does not).

        The kill is a process started in the container; when none can start (a fork bomb has
        spent the pid limit: `docker exec` hangs or fails), the watchdog sweeps every process.
        """
        code = f"import os; os.killpg({int(pgid)}, 9)"
        argv = [self.docker_cli, "exec", "-u", self.limits.user, self.container.id, "python3"]
        try:
            done = subprocess.run([*argv, "-c", code], capture_output=True, timeout=KILL_S)
            ended = done.returncode in (0, 1)  # 1: the group had ended already
        except (OSError, subprocess.TimeoutExpired):
            ended = False
        if not ended:
            self.sweep()

    def sweep(self) -> None:
        """Kill every process in the container but its init and watchdog (which does it)."""
        import docker

        deadline = time.monotonic() + KILL_S
        try:
            self.container.kill(signal=SWEEP_SIGNAL)
            # Asynchronous: wait (seen from the host) until init and the watchdog are left.
            while len(self.container.top()["Processes"] or ()) > 2 and time.monotonic() < deadline:
                time.sleep(0.2)
        except docker.errors.DockerException:
            pass  # gone or stopped: check_alive says so on the next call

    def check_alive(self) -> None:
        """Raise SandboxGone when the container was removed or stopped underneath us."""
        import docker

        try:
            self.container.reload()
        except docker.errors.NotFound:
            raise SandboxGone(
                f"the sandbox container {self.container.short_id} was removed underneath",
                hint="start a new sandbox; `swe-agent sandbox gc` removes leftovers",
            ) from None
        except docker.errors.DockerException as exc:
            raise DockerUnavailable(
                f"the Docker daemon stopped answering: {exc}", hint=DOCKER_HINT
            ) from None
        if self.container.status != "running":
            state = self.container.attrs.get("State", {})
            oom = state.get("OOMKilled")
            memory = f", killed: out of memory (limit {self.limits.memory})" if oom else ""
            raise SandboxGone(
                f"the sandbox container {self.container.short_id} is {self.container.status} "
                f"(exit code {state.get('ExitCode')}{memory})",
                hint="start a new sandbox; raise the memory limit if it ran out of memory",
            )

    def memory_note(self) -> str | None:
        """A sentence when the kernel killed processes here for memory since the last call.

        Docker's State.OOMKilled is set only when the container itself dies of it (the
        runner is not its init); the container's memory cgroup counts every kill.
        """
        kills = self._oom_kills()
        new, self._oom_seen = kills - self._oom_seen, max(kills, self._oom_seen)
        if new <= 0:
            return None
        what = "a process" if new == 1 else f"{new} processes"
        return (
            f"out of memory: the kernel killed {what} for going over the sandbox's "
            f"memory limit ({self.limits.memory})"
        )

    def _oom_kills(self) -> int:
        """The oom_kill count of the container's memory cgroup (v2, else v1)."""
        import docker

        files = "/sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control"
        argv = [self.docker_cli, "exec", self.container.id, "sh", "-c", f"cat {files} 2>/dev/null"]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        found = re.search(r"^oom_kill (\d+)$", done.stdout, re.MULTILINE)
        if found:
            return int(found.group(1))
        try:
            self.container.reload()
        except docker.errors.DockerException:
            return 0
        return int(bool(self.container.attrs.get("State", {}).get("OOMKilled")))

    def commit(self, tag: str) -> str:
        """Save the container (environment and workspace) as an image; return its id."""
        if self.disk.mode == DiskMode.TMPFS:
            raise SandboxError(
                "this sandbox keeps its files in memory (a disk bound without a storage quota): "
                "an image of it would hold none of them",
                hint="start the sandbox to save with Limits(disk=None), as the set-up phase does",
            )
        repository, _, version = tag.rpartition(":")
        if not repository or "/" in version:
            repository, version = tag, "latest"
        api = self.container.client.api
        usual, api.timeout = api.timeout, COMMIT_TIMEOUT  # a big layer on a busy daemon
        try:
            return str(self.container.commit(repository, version, changes=[IMAGE_LABELS]).id)
        finally:
            api.timeout = usual

    def close(self) -> None:
        """Stop the runner and remove the container (safe to call twice)."""
        import docker
        import requests

        atexit.unregister(self.close)
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        try:
            remove_forced(self.container)  # already gone or going: removed underneath, or closed
        except requests.exceptions.ReadTimeout:
            # A daemon this slow (load 60+) still removes it (force), else `sandbox gc` does;
            # raising here lost the work done (a built environment, a whole `bench env` run).
            pass
        except docker.errors.DockerException as exc:
            raise RunnerFailed(
                f"could not remove container {self.container.short_id}: {exc}",
                hint="`swe-agent sandbox gc` removes it later",
            ) from None


def remove_leftovers(*, everything: bool = False) -> list[str]:
    """Remove sandbox containers whose owner process has ended (all of them with ``everything``)."""
    return reap(connect(), everything=everything)
