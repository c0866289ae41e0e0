"""Validation names each reason to refuse a patch, and never touches the working tree."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from patches_testlib import APP, commit, git

from patches import InvalidPatch, ProblemKind, parse_patch, validate

MakePatch = Callable[[dict[str, str | bytes | None]], str]


def _hand_patch(old: str, new: str, body: str = "+hello\n") -> str:
    header = f"diff --git {old} {new}\nnew file mode 100644\n--- /dev/null\n+++ {new}\n"
    return header + f"@@ -0,0 +1 @@\n{body}"


def test_a_clean_patch_is_valid_and_the_tree_is_untouched(repo: Path, make_patch: MakePatch):
    text = make_patch({"src/app.py": APP.replace("a + b", "b + a"), "docs/x.md": "x\n"})
    status_before = git(repo, "status", "--porcelain")
    result = validate(text, repo)
    assert result.ok, result.problems
    assert result.patch is not None
    assert result.patch.paths == ("docs/x.md", "src/app.py")
    assert (result.patch.added, result.patch.removed, result.patch.hunks) == (2, 1, 2)
    assert git(repo, "status", "--porcelain") == status_before


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("a/../evil.txt", "b/../evil.txt", ProblemKind.PATH_TRAVERSAL),
        ("a/src/../../evil.txt", "b/src/../../evil.txt", ProblemKind.PATH_TRAVERSAL),
        ("/etc/evil", "/etc/evil", ProblemKind.ABSOLUTE_PATH),
        ("a/.git/hooks/pre-commit", "b/.git/hooks/pre-commit", ProblemKind.GIT_DIR),
        ("a/sub/.GIT/config", "b/sub/.GIT/config", ProblemKind.GIT_DIR),
    ],
)
def test_paths_outside_the_tree_are_refused(repo: Path, old: str, new: str, kind: ProblemKind):
    result = validate(_hand_patch(old, new), repo)
    assert kind in result.kinds
    assert not result.ok


def test_rename_headers_are_checked_too(repo: Path):
    text = (
        "diff --git a/notes.txt b/notes.txt\nsimilarity index 100%\n"
        "rename from notes.txt\nrename to ../outside.txt\n"
    )
    assert ProblemKind.PATH_TRAVERSAL in validate(text, repo).kinds


def test_a_new_symlink_pointing_outside_is_refused(repo: Path, make_patch: MakePatch):
    os.symlink("../../etc/passwd", repo / "link")
    text = make_patch({})
    assert "new file mode 120000" in text
    result = validate(text, repo)
    assert ProblemKind.SYMLINK_ESCAPE in result.kinds


def test_a_symlink_inside_the_tree_is_fine(repo: Path, make_patch: MakePatch):
    os.symlink("src/app.py", repo / "link")
    assert validate(make_patch({}), repo).ok


def test_a_write_through_an_existing_escaping_symlink_is_refused(repo: Path):
    os.symlink("/tmp", repo / "out")
    commit(repo, {}, "add a link to /tmp")
    result = validate(_hand_patch("a/out/x.txt", "b/out/x.txt"), repo)
    assert ProblemKind.SYMLINK_ESCAPE in result.kinds


def test_a_chain_of_symlinks_that_escapes_is_refused(repo: Path, make_patch: MakePatch):
    os.symlink("..", repo / "up")
    commit(repo, {}, "a link to the parent")
    os.symlink("../up/secret", repo / "src" / "leak")
    result = validate(make_patch({}), repo)
    assert ProblemKind.SYMLINK_ESCAPE in result.kinds


def test_binary_is_refused_unless_allowed(repo: Path, make_patch: MakePatch):
    text = make_patch({"blob.bin": bytes(range(256)) * 4})
    assert "GIT binary patch" in text
    assert ProblemKind.BINARY in validate(text, repo).kinds
    assert validate(text, repo, allow_binary=True).ok


def test_size_and_file_count_limits(repo: Path, make_patch: MakePatch):
    text = make_patch({f"f{i}.txt": f"{i}\n" for i in range(5)})
    assert ProblemKind.TOO_LARGE in validate(text, repo, max_bytes=100).kinds
    assert ProblemKind.TOO_MANY_FILES in validate(text, repo, max_files=4).kinds
    assert validate(text, repo, max_files=5).ok


def test_a_patch_that_does_not_apply_is_refused(repo: Path, make_patch: MakePatch):
    text = make_patch({"notes.txt": "a\nB\nc\n"})
    commit(repo, {"notes.txt": "x\ny\nz\n"}, "moved on")
    result = validate(text, repo)
    assert result.kinds == {ProblemKind.DOES_NOT_APPLY}
    assert validate(text, repo, git(repo, "rev-parse", "HEAD~1")).ok


def test_empty_and_malformed_text(repo: Path):
    assert validate("", repo).kinds == {ProblemKind.EMPTY}
    assert ProblemKind.MALFORMED in validate("just some words\n", repo).kinds


def test_raise_if_invalid_carries_the_problems(repo: Path):
    result = validate(_hand_patch("a/../x", "b/../x"), repo)
    with pytest.raises(InvalidPatch) as caught:
        result.raise_if_invalid()
    assert caught.value.exit_code == 2
    assert caught.value.problems == result.problems


def test_quoted_paths_are_unquoted(repo: Path, make_patch: MakePatch):
    text = make_patch({"dir/caf\u00e9 menu.txt": "x\n"})
    assert '"' in text
    patch = parse_patch(text)
    assert patch.paths == ("dir/caf\u00e9 menu.txt",)
    assert validate(text, repo).ok


def test_retargeting_a_symlink_without_mode_lines_is_caught_after_applying(repo: Path):
    os.symlink("src/app.py", repo / "link")
    commit(repo, {}, "an inside link")
    text = (
        "diff --git a/link b/link\n--- a/link\n+++ b/link\n@@ -1 +1 @@\n"
        "-src/app.py\n\\ No newline at end of file\n"
        "+/etc/passwd\n\\ No newline at end of file\n"
    )
    result = validate(text, repo)
    assert result.kinds == {ProblemKind.SYMLINK_ESCAPE}


def test_a_problem_reads_as_its_message(repo: Path):
    (problem,) = validate(_hand_patch("a/../x", "b/../x"), repo).problems
    assert str(problem) == problem.message == "../x leaves the repository (..)"
