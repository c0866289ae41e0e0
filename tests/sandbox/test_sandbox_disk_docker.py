"""The disk bound: an action that writes without end is stopped at ``Limits.disk``, and the
host's disk takes none of it (the container's writable layer, as the daemon measures it)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from sandbox import Limits, start_sandbox
from sandbox.disk import DiskMode
from sandbox.docker_backend import DockerSandbox

pytestmark = [pytest.mark.docker, pytest.mark.slow]
BOUND = 64 * 1024**2
FLOODS = {
    # one file, from a shell: stopped by the file size limit (SIGXFSZ, exit 153)
    "yes into a file": "yes > /workspace/flood.txt; echo exit=$?",
    # many files, from Python: stopped by the size of the in-memory folder (ENOSPC)
    "many files": (
        'python3 -c "import itertools\n'
        "for i in itertools.count():\n"
        "    open('/tmp/f%d' % i, 'wb').write(b'x' * (8 << 20))\"; echo exit=$?"
    ),
    # endless output, captured by the runner: stopped at the bound too
    "yes to stdout": "yes",
}


def _layer_bytes(box: DockerSandbox) -> int:
    """What the container's writable layer holds on the host's disk (docker's SizeRw)."""
    done = subprocess.run(
        ["docker", "inspect", "--size", "-f", "{{.SizeRw}}", box.container.id],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip() or 0)


def test_endless_writers_stop_at_the_bound_and_the_host_disk_takes_none(
    docker_image: str, tmp_path: Path
) -> None:
    with start_sandbox(tmp_path, image=docker_image, limits=Limits(disk="64m")) as box:
        assert isinstance(box, DockerSandbox)
        before = _layer_bytes(box)
        for name, command in FLOODS.items():
            started = time.monotonic()
            obs = box.run(command, timeout=120)
            assert not obs.timed_out, name  # stopped by the bound, not by the clock
            assert time.monotonic() - started < 60, name
            if "exit=" in obs.stdout:
                assert "exit=0" not in obs.stdout, (name, obs.stdout)
        folders = "/workspace /tmp /var/tmp /tmp/swe-agent"
        used = box.run(f"df -B1 --output=used {folders} | tail -n +2").stdout.split()
        assert len(used) == 4 and all(int(size) <= BOUND for size in used), used
        grown = _layer_bytes(box) - before
        # The root is read-only: nothing at all reached the host's disk.
        assert box.disk.mode != DiskMode.TMPFS or grown == 0, grown
        assert grown <= BOUND
        assert box.execute("6 * 7").value == "42"  # the sandbox still works


def test_without_a_bound_the_host_disk_takes_it_all(docker_image: str, tmp_path: Path) -> None:
    """The old behaviour (no disk limit): what an action writes lands on the host's disk."""
    with start_sandbox(tmp_path, image=docker_image, limits=Limits(disk=None)) as box:
        assert isinstance(box, DockerSandbox)
        before = _layer_bytes(box)
        box.run("head -c 268435456 /dev/zero > /tmp/flood; echo done", timeout=120)
        assert _layer_bytes(box) - before >= 3 * BOUND
