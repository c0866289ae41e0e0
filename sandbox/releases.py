"""Which distribution release gives which Python, and how debootstrap reaches it.

Debian's own archive keeps its supported releases only (bullseye 3.9, bookworm 3.11, trixie
3.13); the older ones (buster's 3.7, stretch's 3.5) moved to an archive host this kind of
network may not reach. Ubuntu's archive keeps its old releases at the usual address: focal
gives 3.8, jammy 3.10, noble 3.12, bionic 3.6. Ubuntu's archive key is Debian's
``ubuntu-keyring`` package (trixie and later), fetched and checked by the host's apt; a host
that has the keyring installed uses its own copy.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import BootstrapFailed

UBUNTU_MIRROR = "http://archive.ubuntu.com/ubuntu"
UBUNTU_KEYRING = "/usr/share/keyrings/ubuntu-archive-keyring.gpg"
# The Debian release whose ubuntu-keyring package carries the Ubuntu archive key.
_KEYRING_SUITE = "trixie"


@dataclass(frozen=True)
class Release:
    """A distribution release whose python3 is the version it is listed under."""

    distro: str  # "debian" or "ubuntu"
    suite: str

    @property
    def components(self) -> str:
        """Ubuntu keeps python3-pip in universe."""
        return "main,universe" if self.distro == "ubuntu" else "main"


RELEASES = {
    "3.6": Release("ubuntu", "bionic"),
    "3.8": Release("ubuntu", "focal"),
    "3.9": Release("debian", "bullseye"),
    "3.10": Release("ubuntu", "jammy"),
    "3.11": Release("debian", "bookworm"),
    "3.12": Release("ubuntu", "noble"),
    "3.13": Release("debian", "trixie"),
}


def ubuntu_keyring(cache: Path, *, debian_mirror: str) -> Path:
    """The Ubuntu archive keyring: the host's, else cached from Debian's ubuntu-keyring."""
    if Path(UBUNTU_KEYRING).is_file():
        return Path(UBUNTU_KEYRING)
    kept = cache / "ubuntu-archive-keyring.gpg"
    if kept.is_file():
        return kept
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise BootstrapFailed(
            "the Ubuntu archive key is needed and this host has no apt to fetch it",
            hint="install the ubuntu-keyring package",
        )
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".apt-") as work:
        deb = _download_keyring_package(Path(work), debian_mirror)
        unpacked = Path(work) / "unpacked"
        _run(["dpkg-deb", "-x", str(deb), str(unpacked)], what="dpkg-deb")
        shutil.copyfile(unpacked / UBUNTU_KEYRING.lstrip("/"), kept)
    return kept


def _download_keyring_package(work: Path, mirror: str) -> Path:
    """`apt-get download ubuntu-keyring` from a private apt state (the host's is left alone)."""
    (work / "state" / "lists" / "partial").mkdir(parents=True)
    (work / "cache" / "archives" / "partial").mkdir(parents=True)
    sources = work / "sources.list"
    sources.write_text(f"deb {mirror} {_KEYRING_SUITE} main\n", encoding="utf-8")
    options = [
        "-o", f"Dir::Etc::SourceList={sources}",
        "-o", "Dir::Etc::SourceParts=/dev/null",
        "-o", f"Dir::State={work / 'state'}",
        "-o", f"Dir::Cache={work / 'cache'}",
        "-o", "Debug::NoLocking=1",
        "-o", "APT::Sandbox::User=root",
    ]  # fmt: skip
    _run(["apt-get", *options, "update"], what="apt-get update", cwd=work)
    _run(["apt-get", *options, "download", "ubuntu-keyring"], what="apt-get download", cwd=work)
    found = sorted(work.glob("ubuntu-keyring_*.deb"))
    if not found:
        raise BootstrapFailed("apt-get download ubuntu-keyring gave no package")
    return found[-1]


def _run(argv: list[str], *, what: str, cwd: Path | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False)
    if done.returncode != 0:
        raise BootstrapFailed(
            f"{what} failed: {done.stderr.strip()[-500:]}",
            hint="check that the Debian mirror is reachable (`--mirror URL`)",
        )
