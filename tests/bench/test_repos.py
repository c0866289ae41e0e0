from __future__ import annotations

import os
from pathlib import Path

import pytest

from swe_agent.bench import RepoNotAvailable, find_mirror, materialize
from swe_agent.bench.errors import CommitNotAvailable


def test_find_mirror_in_fetch_layout(mirror) -> None:
    assert find_mirror(mirror.mirrors, mirror.repo) == mirror.mirrors / "octo+demo" / "repo"
    with pytest.raises(RepoNotAvailable, match="no git mirror of other/thing"):
        find_mirror(mirror.mirrors, "other/thing")


def test_checkout_at_a_commit_skips_missing_blobs(mirror, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    checkout = materialize(mirror.repo, mirror.first, mirrors=mirror.mirrors, cache_dir=cache)
    assert (checkout.root / "pkg" / "mod.py").read_text() == "def f():\n    return 1\n"
    assert checkout.missing == ("data.bin",)
    assert not (checkout.root / "data.bin").exists()
    assert os.access(checkout.root / "run.sh", os.X_OK)
    assert not checkout.cached
    again = materialize(mirror.repo, mirror.first, mirrors=mirror.mirrors, cache_dir=cache)
    assert again.cached and again.root == checkout.root and again.missing == ("data.bin",)


def test_two_commits_share_one_mirror(mirror, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    one = materialize(mirror.repo, mirror.first, mirrors=mirror.mirrors, cache_dir=cache)
    two = materialize(mirror.repo, mirror.second, mirrors=mirror.mirrors, cache_dir=cache)
    assert one.root != two.root
    assert (two.root / "pkg" / "mod.py").read_text().endswith("return 2\n")
    # No half-written checkout is left behind.
    assert sorted(p.name for p in (cache / "octo+demo").iterdir()) == sorted(
        [mirror.first, mirror.second]
    )


def test_unknown_commit_is_a_clear_error(mirror, tmp_path: Path) -> None:
    with pytest.raises(CommitNotAvailable, match="commit ffffffffffff is not in the mirror"):
        materialize(mirror.repo, "f" * 40, mirrors=mirror.mirrors, cache_dir=tmp_path / "c")
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").rglob("*.py"))


def test_a_checkout_another_worker_finished_first_is_kept(tmp_path: Path) -> None:
    from swe_agent.bench.repos import MARKER, _move_into_place

    dest, ours = tmp_path / "abc", tmp_path / ".abc.1.tmp"
    for folder, text in ((dest, "theirs"), (ours, "ours")):
        folder.mkdir()
        (folder / MARKER).write_text(text)
    assert _move_into_place(ours, dest) is False  # theirs is whole: nothing to do
    assert (dest / MARKER).read_text() == "theirs"
    (dest / MARKER).unlink()
    (dest / "half-written.py").write_text("")
    with pytest.raises(OSError):  # not a finished checkout: a real problem
        _move_into_place(ours, dest)
    fresh = tmp_path / "def"
    assert _move_into_place(ours, fresh) is True and (fresh / MARKER).read_text() == "ours"
