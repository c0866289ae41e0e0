"""Files and folders written whole or not at all: made beside their place, then renamed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def atomic_write(path: Path, text: str, *, errors: str = "strict", durable: bool = False) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half.

    ``errors`` is the encoding's error handler ("surrogateescape" writes back undecodable
    bytes a test log was read with); ``durable`` also syncs the file to disk before the rename
    (records a crash must not lose).
    """
    with atomic_file(path) as tmp, tmp.open("w", encoding="utf-8", errors=errors) as handle:
        handle.write(text)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` to write by any means (a handle, pickle, a tar
    process), renamed to ``path`` when the block ends and removed when it raises: readers see
    the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: object, *, durable: bool = False) -> None:
    """Write ``data`` as indented JSON (and a newline) to ``path`` atomically."""
    atomic_write(path, json.dumps(data, indent=2, default=str) + "\n", durable=durable)


@contextlib.contextmanager
def atomic_folder(dest: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``dest`` to fill (a clone, say), renamed to ``dest`` when
    the block ends and removed when it raises: readers see no folder or a whole one. ``dest``
    must not exist, or be an empty folder (a rename cannot replace a full one)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        yield tmp
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
