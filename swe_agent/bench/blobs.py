"""Blobs a mirror lacks, found by their git id in files the user supplies (``--blobs``).

Snapshots without the files of 4 MiB and more leave some instances unrunnable: their tests
read those data files. The same bytes often ship elsewhere, a release wheel or sdist of the
project (``pip download --no-deps NAME==VERSION``). Any file under a source directory, or inside
a ``.whl`` / ``.zip`` / ``.tar.gz`` there, whose git blob id is a missing one fills it; the id
check means a file is used only when it is exactly what the commit had.
"""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def blob_id(data: bytes) -> str:
    """The git object id of a blob with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _archive_members(path: Path) -> Iterator[bytes]:
    name = path.name.lower()
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield archive.read(info)
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as archive:
            for member in archive:
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is not None:
                    yield handle.read()


def _contents(source: Path) -> Iterator[bytes]:
    """Every file's bytes under ``source`` (a folder, an archive, or a plain file)."""
    files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
    for path in files:
        if path.name.lower().endswith((".whl", ".zip", ".tar.gz", ".tgz", ".tar")):
            try:
                yield from _archive_members(path)
            except (zipfile.BadZipFile, tarfile.TarError, OSError):
                continue  # not a readable archive: its bytes may still be a blob
        yield path.read_bytes()


def find_blobs(sources: Iterable[Path], wanted: set[str]) -> dict[str, bytes]:
    """The bytes of each wanted blob id found in ``sources`` (stops once all are found)."""
    found: dict[str, bytes] = {}
    for source in sources:
        if not source.exists():
            continue
        for data in _contents(source):
            sha = blob_id(data)
            if sha in wanted and sha not in found:
                found[sha] = data
                if len(found) == len(wanted):
                    return found
    return found
