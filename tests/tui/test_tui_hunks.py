"""Hunk parsing and the accepted-hunks patch, applied by real git to the calculator example."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tui_testlib import FIXTURE_RUN, add_test_hunks, make_repo

from tui import BadRunFolder, HunkKey, build_patch, parse_diff
from tui.hunks import all_keys

RECORDED = (FIXTURE_RUN / "patch.diff").read_text()


@pytest.fixture(scope="module")
def patch(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The recorded fix plus two hunks in tests/test_stats.py, as git writes them."""
    return add_test_hunks(make_repo(tmp_path_factory.mktemp("wide")))


def _apply_check(repo: Path, text: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "apply", "--check", "-"], input=text, text=True, check=True
    )


def test_the_recorded_patch_is_one_hunk() -> None:
    files = parse_diff(RECORDED)
    assert [(f.path, f.kind, len(f.hunks)) for f in files] == [
        ("calculator/stats.py", "modified", 1)
    ]
    assert (files[0].hunks[0].added, files[0].hunks[0].removed) == (6, 2)
    assert build_patch(files, all_keys(files)) == RECORDED


def test_the_wider_patch_has_two_files_and_three_hunks(patch: str) -> None:
    files = parse_diff(patch)
    assert [(f.path, f.kind, len(f.hunks)) for f in files] == [
        ("calculator/stats.py", "modified", 1),
        ("tests/test_stats.py", "modified", 2),
    ]
    assert [h.header for h in files[1].hunks] == [
        "@@ -1,3 +1,5 @@",
        "@@ -15,3 +17,7 @@ def test_median_even():",
    ]
    assert files[0].hunks[0].header.startswith("@@ -16,10 +16,14 @@")


def test_all_hunks_give_back_the_patch(patch: str) -> None:
    files = parse_diff(patch)
    assert build_patch(files, all_keys(files)) == patch


def test_no_hunk_gives_an_empty_patch(patch: str) -> None:
    assert build_patch(parse_diff(patch), []) == ""


def test_a_later_hunk_alone_is_renumbered_and_applies(repo: Path, patch: str) -> None:
    files = parse_diff(patch)
    text = build_patch(files, {HunkKey(1, 1)})
    assert "@@ -15,3 +15,7 @@" in text  # the dropped import hunk added two lines before it
    assert "calculator/stats.py" not in text
    _apply_check(repo, text)
    subprocess.run(["git", "-C", str(repo), "apply", "-"], input=text, text=True, check=True)
    content = (repo / "tests" / "test_stats.py").read_text()
    assert content.startswith("from calculator.stats")
    assert content.rstrip().endswith("pytest.approx(1.75)")


def test_every_subset_applies(repo: Path, patch: str) -> None:
    files = parse_diff(patch)
    keys = all_keys(files)
    for mask in range(1, 2 ** len(keys)):
        subset = {k for i, k in enumerate(keys) if mask >> i & 1}
        _apply_check(repo, build_patch(files, subset))


def test_a_file_without_text_hunks_is_one_whole_hunk(patch: str) -> None:
    rename = (
        "diff --git a/old.py b/new.py\n"
        "similarity index 100%\n"
        "rename from old.py\n"
        "rename to new.py\n"
    )
    files = parse_diff(rename + patch)
    assert files[0].hunks[0].whole_file
    assert build_patch(files, {HunkKey(0, 0)}) == rename


def test_a_missing_newline_marker_survives() -> None:
    text = (
        "diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n"
        "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
    )
    files = parse_diff(text)
    assert build_patch(files, all_keys(files)) == text


def test_empty_and_malformed_diffs() -> None:
    assert parse_diff("") == ()
    with pytest.raises(BadRunFolder):
        parse_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n")
