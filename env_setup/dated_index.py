"""A date-filtering package index, for interpreters whose pip cannot resolve as of a date.

pip's ``--uploaded-prior-to`` needs Python 3.9 (pip 26); the pip of an older interpreter (3.6's
21.3, 3.8's 25.0) reads whatever index it is given. pypi-timemachine serves PyPI's simple index
with every file uploaded after a date left out (PEP 700 upload times), under ``/snapshot/DATE/``
and streaming the files through itself. One runs on the host, bound to the Docker bridge's
gateway, while one build lasts; the sandbox's pip reaches it through ``PIP_INDEX_URL``, set in
the runner after the tooling layer, so the tooling folder's setuptools and wheel stay exempt from
the date as they are on 3.9, and every later pip (steps, repairs, pip's isolated builds) is dated.

``index_server.py`` is the server.
"""

from __future__ import annotations

import select
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DATED_BY_INDEX = "pypi-timemachine index"
_SERVER = Path(__file__).with_name("index_server.py")
# The port is printed at once; the imports after it take seconds, minutes at load 12 (pip's
# first request then waits in the socket's backlog).
_START_S = 120.0
# The server fetches and filters a project's whole release list from PyPI before it answers:
# numpy's took longer than pip's 15 s five times running at load 9 (astropy-7166 on 3.6 then
# failed "from versions: none"). pip waits this long for each read instead.
_READ_S = "180"
_SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address


def index_url(base: str, as_of: str) -> str:
    """The index of ``as_of``'s packages on the server at ``base``."""
    return f"{base}/snapshot/{as_of}/"


def runner_environment(base: str, as_of: str) -> str:
    """Python for the sandbox's runner: its pip commands from now on use the dated index."""
    host = base.split("//", 1)[1].rsplit(":", 1)[0]
    values = {
        "PIP_INDEX_URL": index_url(base, as_of),
        "PIP_TRUSTED_HOST": host,
        "PIP_DEFAULT_TIMEOUT": _READ_S,
    }
    return (
        f"import os\nos.environ.update({values!r})\n"
        "for name in ('NO_PROXY', 'no_proxy'):  # a proxy for the host's own address never helps\n"
        f"    os.environ[name] = ','.join(filter(None, (os.environ.get(name), {host!r})))\n"
    )


def bridge_gateway(client: Any) -> str | None:
    """The host's address on Docker's default bridge (where sandboxes reach it), or None: the
    network's gateway, else the address of its bridge interface (a daemon that made the bridge
    itself may list the subnet with no gateway: Debian's dockerd 20.10 on a new machine)."""
    import docker

    try:
        attrs = client.networks.get("bridge").attrs
        configs = attrs["IPAM"]["Config"] or []
        name = (attrs.get("Options") or {}).get("com.docker.network.bridge.name", "docker0")
    except (docker.errors.DockerException, KeyError, TypeError, AttributeError):
        return None  # the caller says so
    gateway = next((c["Gateway"] for c in configs if c.get("Gateway")), None)
    return gateway or interface_address(name)


def interface_address(name: str) -> str | None:
    """The IPv4 address of the host's interface ``name``; None without one (or off Linux)."""
    try:
        import fcntl
    except ImportError:
        return None
    request = struct.pack("256s", name.encode()[:15])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            reply = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)
        except OSError:
            return None
    return socket.inet_ntoa(reply[20:24])


@contextmanager
def dated_index(
    client: Any, as_of: str | None, *, say: Callable[[str], None]
) -> Iterator[str | None]:
    """The server's base URL while the block runs; None when not wanted or it cannot start."""
    if not as_of:
        yield None
        return
    host = bridge_gateway(client)
    if host is None:
        say("no Docker bridge gateway for the dated index: installing undated")
        yield None
        return
    with tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(
            [sys.executable, str(_SERVER), host],
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            port = _port(server)
            if port is None:
                errors.seek(0)
                tail = errors.read().decode(errors="replace").strip().splitlines()[-1:]
                say(f"the dated index did not start ({' '.join(tail)}): installing undated")
            else:
                say(f"packages as of {as_of[:10]} from a dated index (pypi-timemachine)")
            yield f"http://{host}:{port}" if port else None
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _port(server: subprocess.Popen[bytes]) -> int | None:
    assert server.stdout is not None
    ready, _, _ = select.select([server.stdout], [], [], _START_S)
    line = server.stdout.readline() if ready else b""
    return int(line) if line.strip().isdigit() else None
