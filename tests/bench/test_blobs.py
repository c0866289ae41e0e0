"""Blobs a mirror lacks, filled from files the user supplies when their git id matches."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from swe_agent.bench.blobs import blob_id, find_blobs
from swe_agent.bench.workdirs import prepare_workdir

DATA = b"pretend this is 5 MiB\n"  # what the conftest mirror lost (data.bin)


def test_blob_id_is_gits() -> None:
    done = subprocess.run(["git", "hash-object", "--stdin"], input=DATA, capture_output=True)
    assert blob_id(DATA) == done.stdout.decode().strip()


def test_a_wheel_fills_the_missing_blob_in_the_work_folder_only(mirror, tmp_path: Path) -> None:
    wheel = tmp_path / "src" / "demo-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/data.bin", DATA)
        archive.writestr("demo/other.bin", b"not it\n")
    without = prepare_workdir(repo=mirror.repo, commit=mirror.first, test_patch="",
                              mirrors=mirror.mirrors, dest=tmp_path / "a")  # fmt: skip
    assert without.missing == ("data.bin",) and without.base != mirror.first
    filled = prepare_workdir(repo=mirror.repo, commit=mirror.first, test_patch="",
                             mirrors=mirror.mirrors, dest=tmp_path / "b",
                             blob_sources=(wheel.parent,))  # fmt: skip
    assert filled.missing == () and filled.base == mirror.first  # the commit itself, complete
    shown = subprocess.run(["git", "-C", str(tmp_path / "b"), "show", f"{mirror.first}:data.bin"],
                           capture_output=True, check=True)  # fmt: skip
    assert shown.stdout == DATA
    bare = mirror.mirrors / "octo+demo" / "repo"
    still = subprocess.run(["git", f"--git-dir={bare}", "cat-file", "-e", mirror.big_blob],
                           capture_output=True)  # fmt: skip
    assert still.returncode != 0  # the shared mirror was not written to


def test_files_of_other_content_are_not_used(tmp_path: Path) -> None:
    (tmp_path / "data.bin").write_bytes(b"same name, other bytes\n")
    assert find_blobs([tmp_path, tmp_path / "absent"], {blob_id(DATA)}) == {}
    (tmp_path / "copy.dat").write_bytes(DATA)
    assert find_blobs([tmp_path], {blob_id(DATA)}) == {blob_id(DATA): DATA}
