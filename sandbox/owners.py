"""Who owns a sandbox container, whether that owner still lives, and reaping the orphans.

Every container carries labels naming its owner: the host, the process id, the process's start
time (so a recycled pid is not mistaken for the owner) and, when there is one, the run. A
container is an orphan only when its owner ran on this host and that process is verifiably
gone; unlabelled containers, other hosts' and live owners' are never touched.

Each container also watches itself: its main process (below) ends, and the container stops,
once no action runner has been alive in it for a while. The runner ends as soon as its host
side closes the channel (see ``runner.py``), so a container whose owner was killed with
SIGKILL stops by itself, and the next command of the tool removes it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

LABEL = "swe-agent.sandbox"
OWNER_LABEL = "swe-agent.owner"  # host:pid
OWNER_START_LABEL = "swe-agent.owner-start"  # the owner's start time, in clock ticks since boot
RUN_LABEL = "swe-agent.run"
STARTED_LABEL = "swe-agent.started"

# The container's main process: it exits (stopping the container) once no runner has been
# alive for IDLE seconds, or none started within GRACE seconds (the runner leaves a
# '.started' file, so one that lived less than a poll counts). Python 3.6 compatible.
# On SWEEP_SIGNAL (docker-init, the container's init, passes it on) it kills every other process
# of the sandbox: the way to stop a fork bomb that has spent the pid limit, when not even the
# process that would deliver a kill can start in the container.
SWEEP_SIGNAL = "SIGUSR1"
WATCHDOG = """
import os, signal, sys, time
runner, idle, grace = sys.argv[1].encode(), float(sys.argv[2]), float(sys.argv[3])
signal.signal(signal.SIGUSR1, lambda *_: os.kill(-1, signal.SIGKILL))  # all but init and this
def alive():
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                if handle.read().split(b"\\0")[1:2] == [runner]:
                    return True
        except (OSError, ValueError):
            pass
    return False
try:
    os.remove(sys.argv[1] + ".started")  # one an image was committed with is not this one's
except OSError:
    pass
last = time.time() + grace - idle
while True:
    time.sleep(2)
    if alive():
        last = time.time()
    elif last > time.time() and os.path.exists(sys.argv[1] + ".started"):
        last = time.time()  # a runner came and went between two looks
    elif time.time() - last > idle:
        break
"""


def watchdog_command(runner: str, *, idle_s: float, grace_s: float) -> list[str]:
    """The container command: the watchdog above, for the runner at ``runner``."""
    return ["python3", "-c", WATCHDOG, runner, f"{idle_s:g}", f"{grace_s:g}"]


def process_start(pid: int) -> str | None:
    """A process's start time in clock ticks since boot (None when it does not exist)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19].decode() if len(fields) > 19 else None


# An image committed from a sandbox would keep the sandbox's labels, and a container started
# from it with plain `docker run` would look like one whose owner (the process that made the
# image) is gone: the next reap removed it (a manual run killed with exit 137). Sandboxes set
# their own labels; images say they are none and name no owner.
IMAGE_LABELS = "LABEL " + " ".join(
    f'{key}=""' for key in (LABEL, OWNER_LABEL, OWNER_START_LABEL, RUN_LABEL, STARTED_LABEL)
)


def owner_labels(run_id: str | None = None) -> dict[str, str]:
    """The labels that name this process (and its run) as a container's owner."""
    labels = {
        LABEL: "1",
        OWNER_LABEL: f"{os.uname().nodename}:{os.getpid()}",
        STARTED_LABEL: time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    start = process_start(os.getpid())
    if start is not None:
        labels[OWNER_START_LABEL] = start
    if run_id:
        labels[RUN_LABEL] = run_id
    return labels


def owner_gone(labels: Mapping[str, str]) -> bool:
    """True only when the owner ran on this host and that very process has ended."""
    if labels.get(LABEL) != "1":
        return False  # not a sandbox of this tool
    host, _, pid = labels.get(OWNER_LABEL, "").rpartition(":")
    if host != os.uname().nodename or not pid.isdigit():
        return False  # another machine's sandbox, or an unknown owner: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # a live process of another user: compare start times below
    recorded = labels.get(OWNER_START_LABEL)
    if recorded is None:
        return False  # an older label without a start time: a live pid may be the owner
    current = process_start(int(pid))
    return current is not None and current != recorded  # the pid was recycled


def reap(client: Any, *, everything: bool = False) -> list[str]:
    """Remove this tool's containers whose owner is gone (all of them with ``everything``).

    One listing call (no inspection per container): it runs before every sandbox starts. A
    removal the daemon does not confirm in time is left to it (it goes on, forced)."""
    import docker
    import requests

    removed = []
    listed = client.api.containers(all=True, filters={"label": f"{LABEL}=1"})
    for item in listed:
        if not (everything or owner_gone(item.get("Labels") or {})):
            continue
        try:
            client.api.remove_container(item["Id"], force=True)
        except docker.errors.NotFound:
            continue  # removed meanwhile by its owner or another reaper
        except requests.exceptions.ReadTimeout:
            continue  # a busy daemon: it removes the container still, or the next reaper does
        except docker.errors.APIError as exc:
            if exc.status_code == 409:  # another reaper is removing it right now
                continue
            raise
        removed.append(item["Id"][:12])
    return removed


def reap_orphans() -> list[str]:
    """Remove the containers of owners that are gone; [] when no Docker daemon answers in time.

    It tidies before a batch: a daemon too busy to list (a ReadTimeout) must not stop the batch.
    """
    import requests

    from sandbox.engine import connect
    from sandbox.errors import DockerUnavailable

    try:
        return reap(connect(timeout=10))
    except (DockerUnavailable, requests.exceptions.ReadTimeout):
        return []
