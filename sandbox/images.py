"""Base images: which one to start from, and building one with debootstrap (no registry)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import atomic_file
from sandbox.errors import BadSource, BootstrapFailed, ImageMissing
from sandbox.releases import RELEASES, UBUNTU_MIRROR, Release, ubuntu_keyring

PACKAGES = ("python3", "python3-venv", "python3-pip", "git", "ca-certificates", "procps")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["/bin/bash"]',
)
ORIGIN_LABEL = "swe-agent.rootfs"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BootstrapResult:
    """A base image built (or re-imported from the cached root file system)."""

    tag: str
    image_id: str
    tarball: Path
    from_cache: bool  # the root file system tarball was already cached
    imported: bool  # False when the image was already imported from that very tarball
    seconds: float


def bootstrap_tag(python: str) -> str:
    """The tag of the image that `swe-agent sandbox bootstrap --python X.Y` builds."""
    return f"swe-agent/python:{python}"


def default_cache_dir() -> Path:
    """Where root file system tarballs are kept (~/.cache/swe-agent/images)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "swe-agent" / "images"


def candidates(python: str) -> list[str]:
    """Images that can run a Python X.Y project, best first (the slim one needs git added)."""
    from sandbox.slim import slim_tag

    return [bootstrap_tag(python), slim_tag(python)]


def resolve_image(client: Any, python: str = "3.9", *, build: bool = True) -> str:
    """The base image for Python X.Y, or ImageMissing naming the fix.

    The bootstrapped ``swe-agent/python:X.Y`` when present; else, with ``build``, that tag
    made once from ``python:X.Y-slim`` (pulled where a registry answers) with git added.
    """
    from sandbox.slim import add_git, ensure_slim, present, slim_tag

    tag = bootstrap_tag(python)
    if present(client, tag):
        return tag
    if build and ensure_slim(client, slim_tag(python)):
        add_git(client, slim_tag(python), tag)
        return tag
    raise ImageMissing(
        f"no image for Python {python}: none of {', '.join(candidates(python))} is present",
        hint=f"`docker pull python:{python}-slim` where a registry is reachable, else "
        f"`swe-agent sandbox bootstrap --python {python}`",
    )


def host_mirror() -> str:
    """The Debian mirror this machine's apt uses (deb.debian.org when none is found)."""
    texts = []
    for path in sorted(Path("/etc/apt/sources.list.d").glob("*")) + [Path("/etc/apt/sources.list")]:
        if path.is_file() and path.suffix in (".list", ".sources", ""):
            texts.append(path.read_text(errors="replace"))
    for text in texts:
        for url in re.findall(r"(?:URIs:|deb(?:\s+\[[^\]]*\])?)\s+(https?://\S+)", text):
            if url.rstrip("/").endswith("/debian"):
                return url.rstrip("/")
    return DEFAULT_MIRROR


def bootstrap(
    python: str,
    *,
    mirror: str | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> BootstrapResult:
    """Build (or re-import from cache) a Debian or Ubuntu base image for Python X.Y, no registry
    needed (``mirror`` is the release's own distribution's mirror)."""
    from sandbox.engine import connect

    if python not in RELEASES:
        raise BadSource(
            f"no Debian release known for Python {python}",
            hint=f"choose one of {', '.join(RELEASES)}",
        )
    say = progress or (lambda _message: None)
    client = connect()
    started = time.monotonic()
    cache = (cache_dir or default_cache_dir()).expanduser()
    release = RELEASES[python]
    tarball = cache / rootfs_name(python)
    from_cache = tarball.is_file()
    if from_cache:
        say(f"using the cached root file system {tarball}")
    else:
        build_rootfs(release, mirror=mirror, out=tarball, progress=say, cache=cache)
    image, imported = _import(client, tarball, bootstrap_tag(python), say)
    seconds = time.monotonic() - started
    tag = bootstrap_tag(python)
    return BootstrapResult(tag, str(image.id), tarball, from_cache, imported, seconds)


def _import(client: Any, tarball: Path, name: str, say: Progress) -> tuple[Any, bool]:
    """`docker import` the tarball, unless the image was already imported from this very file."""
    import docker

    stat = tarball.stat()
    origin = f"{tarball.name}:{stat.st_size}:{int(stat.st_mtime)}"
    try:
        image = client.images.get(name)
        if image.labels.get(ORIGIN_LABEL) == origin:
            say(f"{name} is already imported from {tarball.name}")
            return image, False
    except docker.errors.ImageNotFound:
        pass  # first import on this daemon
    say(f"docker import -> {name}")
    repository, _, tag = name.partition(":")
    changes = [*CHANGES, f"LABEL {ORIGIN_LABEL}={origin}"]
    client.api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=changes)
    return client.images.get(name), True


def rootfs_name(python: str) -> str:
    """The cached root file system tarball of Python X.Y's release."""
    release = RELEASES[python]
    return f"{release.distro}-{release.suite}-python{python}.tar"


def _debootstrap_argv(release: Release, *, mirror: str | None, cache: Path) -> list[str]:
    """The debootstrap command line up to the target folder (suite, then target, then mirror)."""
    argv = ["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}"]
    if release.distro == "ubuntu":
        keyring = ubuntu_keyring(cache, debian_mirror=host_mirror())
        argv += [f"--components={release.components}", f"--keyring={keyring}"]
    return argv


def build_rootfs(
    release: Release,
    *,
    mirror: str | None,
    out: Path,
    progress: Progress,
    cache: Path | None = None,
) -> None:
    """debootstrap ``release`` into a temporary folder, add a user, and tar it to ``out``."""
    if shutil.which("debootstrap") is None:
        raise BootstrapFailed(
            "debootstrap is not installed", hint="`sudo apt-get install debootstrap`"
        )
    if os.geteuid() != 0:
        raise BootstrapFailed("debootstrap needs root", hint="run the bootstrap with sudo")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".rootfs-") as work:
        root = Path(work) / "rootfs"
        argv = _debootstrap_argv(release, mirror=mirror, cache=cache or out.parent)
        default = UBUNTU_MIRROR if release.distro == "ubuntu" else host_mirror()
        target = [release.suite, str(root), mirror or default]
        _stream([*argv, *target], progress=progress, what="debootstrap")
        progress("adding the user `sandbox` (uid 1000) and cleaning apt caches")
        _chroot(
            root, "useradd", "--create-home", "--uid", "1000", "--shell", "/bin/bash", "sandbox"
        )
        _chroot(root, "apt-get", "clean")
        shutil.rmtree(root / "var/lib/apt/lists", ignore_errors=True)
        progress(f"writing {out}")
        with atomic_file(out) as partial:
            tar = ["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."]
            _stream(tar, progress=progress, what="tar")


def _chroot(root: Path, *argv: str) -> None:
    done = subprocess.run(["chroot", str(root), *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BootstrapFailed(f"{argv[0]} in the new root failed: {done.stderr.strip()[-500:]}")


def _stream(argv: list[str], *, progress: Progress, what: str) -> None:
    """Run ``argv``, reporting each output line; raise with the last lines when it fails."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        tail = [*tail[-20:], line.rstrip()]
        progress(line.rstrip())
    if proc.wait() != 0:
        raise BootstrapFailed(
            f"{what} failed (exit {proc.returncode}): " + " | ".join(tail[-5:]),
            hint="check the mirror (`--mirror URL`) and the network; the log is above",
        )
