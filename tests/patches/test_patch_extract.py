"""Extracting the patch between two states of a repository."""

from __future__ import annotations

import os
from pathlib import Path

from patches_testlib import APP, commit, git, write

from patches import ChangeKind, extract_diff, parse_patch, snapshot_tree, validate


def test_diff_between_two_commits(repo: Path):
    base = git(repo, "rev-parse", "HEAD")
    target = commit(
        repo,
        {"src/app.py": APP.replace("a * b", "b * a"), "notes.txt": None, "new.txt": "n\n"},
        "change",
    )
    patch = extract_diff(repo, base, target)
    kinds = {f.path: f.kind for f in patch.files}
    assert kinds == {
        "src/app.py": ChangeKind.MODIFIED,
        "notes.txt": ChangeKind.DELETED,
        "new.txt": ChangeKind.ADDED,
    }
    assert (patch.added, patch.removed) == (2, 4)
    assert validate(patch.text, repo, base).ok


def test_a_rename_is_a_delete_and_an_add(repo: Path):
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "mv", "notes.txt", "moved.txt")
    git(repo, "commit", "-qm", "move")
    patch = extract_diff(repo, base, "HEAD")
    assert {(f.path, f.kind) for f in patch.files} == {
        ("notes.txt", ChangeKind.DELETED),
        ("moved.txt", ChangeKind.ADDED),
    }


def test_snapshot_of_the_working_tree_leaves_the_index_alone(repo: Path):
    base = git(repo, "rev-parse", "HEAD")
    write(repo, {"src/app.py": APP + "# more\n", "untracked.txt": "u\n"})
    os.symlink("src/app.py", repo / "link")
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "debug.log").write_text("ignored\n")
    tree = snapshot_tree(repo)
    patch = extract_diff(repo, base, tree)
    assert set(patch.paths) == {".gitignore", "link", "src/app.py", "untracked.txt"}
    link = next(f for f in patch.files if f.path == "link")
    assert link.symlink_target == "src/app.py"
    assert git(repo, "diff", "--cached", "--name-only") == ""
    assert "?? untracked.txt" in git(repo, "status", "--porcelain").splitlines()


def test_binary_changes_are_carried_in_full(repo: Path):
    base = git(repo, "rev-parse", "HEAD")
    target = commit(repo, {"img.bin": bytes(range(256)) * 8}, "binary")
    patch = extract_diff(repo, base, target)
    assert patch.files[0].binary
    assert "GIT binary patch" in patch.text
    assert parse_patch(patch.text).files[0].binary
    assert validate(patch.text, repo, base, allow_binary=True).ok


def test_form_feeds_and_lone_carriage_returns_are_not_line_breaks(repo: Path):
    base = commit(repo, {"odd.txt": "a\x0cb\rc\n1\n"}, "odd bytes")
    target = commit(repo, {"odd.txt": "a\x0cb\rc\n2\n"}, "odd change")
    patch = extract_diff(repo, base, target)
    assert (patch.added, patch.removed) == (1, 1)
    assert validate(patch.text, repo, base).ok
