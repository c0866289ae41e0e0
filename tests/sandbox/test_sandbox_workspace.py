"""The workspace archive: exactly a commit's tree, the working tree, or a plain directory."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from sandbox.errors import BadSource
from sandbox.workspace import WorkspaceSource, write_archive


def _members(source: WorkspaceSource) -> dict[str, tarfile.TarInfo]:
    buffer = io.BytesIO()
    write_archive(source, buffer)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        return {m.name: m for m in tar.getmembers()}


def _content(source: WorkspaceSource, name: str) -> bytes:
    buffer = io.BytesIO()
    write_archive(source, buffer)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        handle = tar.extractfile(name)
        assert handle is not None
        return handle.read()


def test_commit_archive_holds_the_committed_tree_not_the_dirty_one(repo: Path) -> None:
    members = _members(WorkspaceSource(repo))
    assert set(members) == {".gitignore", "kept.log", "link.py", "pkg/mod.py", "run.sh"}
    assert _content(WorkspaceSource(repo), "pkg/mod.py") == b"def f():\n    return 2\n"
    assert members["run.sh"].mode == 0o755
    assert members["link.py"].issym() and members["link.py"].linkname == "pkg/mod.py"


def test_an_older_commit_can_be_chosen(repo: Path, run_git: Any) -> None:
    first = run_git(repo, "rev-list", "--max-parents=0", "HEAD")
    members = _members(WorkspaceSource(repo, commit=first))
    assert set(members) == {"link.py", "pkg/mod.py", "run.sh"}
    assert _content(WorkspaceSource(repo, commit=first), "pkg/mod.py").endswith(b"return 1\n")


def test_dirty_archive_has_the_working_tree_without_ignored_files(repo: Path) -> None:
    (repo / "debug.log").write_text("ignored\n")
    members = _members(WorkspaceSource(repo, dirty=True))
    assert "untracked.py" in members and "debug.log" not in members
    assert b"dirty" in _content(WorkspaceSource(repo, dirty=True), "pkg/mod.py")


def test_plain_directory_skips_git_and_swe_agent_folders(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a = 1\n")
    (tmp_path / ".swe-agent").mkdir()
    (tmp_path / ".swe-agent" / "cache").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    assert set(_members(WorkspaceSource(tmp_path))) == {"a.py", "sub/b.txt"}


def test_bad_sources_are_user_errors(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(BadSource) as missing:
        write_archive(WorkspaceSource(tmp_path / "nope"), io.BytesIO())
    assert missing.value.exit_code == 2
    with pytest.raises(BadSource, match="no-such-rev"):
        write_archive(WorkspaceSource(repo, commit="no-such-rev"), io.BytesIO())
    with pytest.raises(BadSource, match="not a git repository"):
        write_archive(WorkspaceSource(tmp_path, commit="HEAD"), io.BytesIO())
