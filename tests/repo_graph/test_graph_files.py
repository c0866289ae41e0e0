"""File listing: exclude globs, keys, and what a walk refuses to follow."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from repo_graph import DEFAULT_EXCLUDES
from repo_graph.files import blob_id, list_files
from repo_graph.globs import Excluder


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("vendor/lib.py", True),
        ("src/pkg/_vendor/six.py", True),
        ("vendor/", True),
        ("api/service_pb2.py", True),
        ("pkg.egg-info/x.py", True),
        ("env/lib/python3.11/site.py", True),
        ("a/node_modules/x.py", True),
        ("vendored_name.py", False),
        ("src/pkg/vendors.py", False),
        ("build_tools/x.py", False),
    ],
)
def test_default_excludes(path: str, excluded: bool) -> None:
    assert Excluder(DEFAULT_EXCLUDES).match(path) is excluded


def test_custom_globs() -> None:
    rules = Excluder(["docs/**", "*.gen.py", "tests/fixtures/**/big_*.py"])
    assert rules.match("docs/conf.py") and rules.match("docs/")
    assert rules.match("x.gen.py") and not rules.match("a/x.gen.py")  # * stays in one folder
    assert rules.match("tests/fixtures/a/b/big_1.py") and not rules.match("tests/big_1.py")


def test_keys_are_git_blob_ids(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(b"x = 1\n")
    listing = list_files(tmp_path, exclude=DEFAULT_EXCLUDES, max_file_bytes=1000)
    # What `git hash-object` prints for the same bytes.
    assert listing.files[0].key == blob_id(b"x = 1\n") == "7d4290a117a4ddcc11daae7ea675841033830c8f"


def test_a_directory_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("def f():\n    pass\n")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    listing = list_files(tmp_path, exclude=DEFAULT_EXCLUDES, max_file_bytes=1000)
    assert [f.path for f in listing.files] == ["pkg/m.py"]
