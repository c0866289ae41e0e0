"""Apply as one commit and undo exactly that change, on real repositories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from patches_testlib import APP, commit, git, write

from patches import DirtyFiles, InvalidPatch, UndoRefused, apply_patch, read_record, undo

MakePatch = Callable[[dict[str, str | bytes | None]], str]
FIXED = APP.replace("return a + b", "return b + a")


@pytest.fixture
def fix(make_patch: MakePatch) -> str:
    """A patch that edits src/app.py, adds docs/fix.md and deletes notes.txt."""
    return make_patch({"src/app.py": FIXED, "docs/fix.md": "why\n", "notes.txt": None})


def _apply(repo: Path, text: str, *, branch: str | None = None, run_id: str = "r1"):
    run_dir = repo / ".swe-agent" / "runs" / run_id
    return apply_patch(repo, text, message="Fix add", run_dir=run_dir, branch=branch)


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def test_apply_on_a_clean_tree_makes_one_commit(repo: Path, fix: str):
    base = _head(repo)
    applied = _apply(repo, fix)
    assert git(repo, "rev-parse", "HEAD~1") == base
    assert _head(repo) == applied.record.commit
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
    assert (repo / "src/app.py").read_text() == FIXED
    assert (repo / "docs/fix.md").read_text() == "why\n"
    assert not (repo / "notes.txt").exists()
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert sorted(changed) == ["docs/fix.md", "notes.txt", "src/app.py"]
    assert "Swe-Agent-Run: r1" in git(repo, "log", "-1", "--format=%B")
    record = json.loads(applied.record_path.read_text())
    assert record["previous_head"] == base
    assert record["branch"] == "main"
    assert "swe-agent undo r1" in record["undo_command"]


def test_apply_refuses_a_dirty_touched_file_and_changes_nothing(repo: Path, fix: str):
    write(repo, {"src/app.py": APP + "# mine\n"})
    base = _head(repo)
    with pytest.raises(DirtyFiles) as caught:
        _apply(repo, fix)
    assert caught.value.paths == ("src/app.py",)
    assert caught.value.exit_code == 2
    assert "src/app.py" in str(caught.value)
    assert _head(repo) == base
    assert (repo / "src/app.py").read_text() == APP + "# mine\n"
    assert not (repo / ".swe-agent/runs/r1/applied.json").exists()


def test_an_untracked_file_the_patch_would_create_counts_as_dirty(repo: Path, fix: str):
    write(repo, {"docs/fix.md": "my own notes\n"})
    with pytest.raises(DirtyFiles) as caught:
        _apply(repo, fix)
    assert caught.value.paths == ("docs/fix.md",)


def test_a_staged_change_to_a_touched_file_counts_as_dirty(repo: Path, fix: str):
    write(repo, {"notes.txt": "staged\n"})
    git(repo, "add", "notes.txt")
    with pytest.raises(DirtyFiles):
        _apply(repo, fix)


def test_unrelated_dirty_files_stay_uncommitted_and_intact(repo: Path, fix: str):
    write(repo, {"README.md": "# demo\nlocal edit\n", "scratch.txt": "untracked\n"})
    commit_before = _head(repo)
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    _apply(repo, fix)
    assert git(repo, "rev-parse", "HEAD~1") == commit_before
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "README.md" not in committed and "staged.txt" not in committed
    assert (repo / "README.md").read_text() == "# demo\nlocal edit\n"
    assert (repo / "scratch.txt").read_text() == "untracked\n"
    status = git(repo, "status", "--porcelain").splitlines()
    assert "M README.md" in status  # unstaged (the helper strips the leading space)
    assert "A  staged.txt" in status
    assert "?? scratch.txt" in status


def test_apply_on_a_new_branch(repo: Path, fix: str):
    base = _head(repo)
    applied = _apply(repo, fix, branch="new", run_id="run-7")
    assert git(repo, "branch", "--show-current") == "swe-agent/run-7"
    assert git(repo, "rev-parse", "main") == base
    assert applied.record.branch == "swe-agent/run-7"
    assert applied.record.previous_branch == "main"
    with pytest.raises(InvalidPatch, match="already exists"):
        git(repo, "checkout", "-q", "main")
        _apply(repo, fix, branch="new", run_id="run-7")


def test_apply_refuses_an_invalid_patch(repo: Path):
    bad = "diff --git a/../x b/../x\nnew file mode 100644\n--- /dev/null\n+++ b/../x\n"
    bad += "@@ -0,0 +1 @@\n+x\n"
    with pytest.raises(InvalidPatch):
        _apply(repo, bad)
    assert git(repo, "rev-list", "--count", "HEAD") == "1"


def test_undo_when_the_commit_is_still_head_resets(repo: Path, fix: str):
    base = _head(repo)
    write(repo, {"README.md": "local\n"})
    applied = _apply(repo, fix)
    done = undo(repo, applied.record_path)
    assert done.info.method == "reset"
    assert _head(repo) == base
    assert (repo / "src/app.py").read_text() == APP
    assert (repo / "notes.txt").read_text() == "a\nb\nc\n"
    assert not (repo / "docs").exists()
    assert (repo / "README.md").read_text() == "local\n"
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == "M README.md"
    assert read_record(applied.record_path).undone is not None
    with pytest.raises(UndoRefused, match="already undone"):
        undo(repo, applied.record_path)


def test_undo_after_a_later_unrelated_commit_reverts(repo: Path, fix: str):
    applied = _apply(repo, fix)
    later = commit(repo, {"README.md": "# demo\nmore\n"}, "later work")
    done = undo(repo, applied.record_path)
    assert done.info.method == "revert"
    assert git(repo, "rev-parse", "HEAD~1") == later
    assert (repo / "src/app.py").read_text() == APP
    assert (repo / "notes.txt").exists() and not (repo / "docs/fix.md").exists()
    assert (repo / "README.md").read_text() == "# demo\nmore\n"
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""


def test_undo_refused_when_a_later_commit_touched_the_same_file(repo: Path, fix: str):
    applied = _apply(repo, fix)
    later = commit(repo, {"src/app.py": FIXED + "# more\n"}, "build on the fix")
    with pytest.raises(UndoRefused, match="later commits") as caught:
        undo(repo, applied.record_path)
    assert caught.value.exit_code == 2
    assert "git revert" in (caught.value.hint or "")
    assert _head(repo) == later
    assert read_record(applied.record_path).undone is None


def test_undo_refused_with_uncommitted_edits_in_those_files(repo: Path, fix: str):
    applied = _apply(repo, fix)
    write(repo, {"src/app.py": FIXED + "# wip\n"})
    with pytest.raises(DirtyFiles):
        undo(repo, applied.record_path)
    assert (repo / "src/app.py").read_text() == FIXED + "# wip\n"
    assert _head(repo) == applied.record.commit


def test_undo_on_the_new_branch_returns_to_the_previous_branch(repo: Path, fix: str):
    base = _head(repo)
    applied = _apply(repo, fix, branch="new", run_id="b1")
    done = undo(repo, applied.record_path)
    assert done.info.method == "delete-branch"
    assert git(repo, "branch", "--show-current") == "main"
    assert _head(repo) == base
    assert git(repo, "branch", "--list", "swe-agent/*") == ""
    assert (repo / "src/app.py").read_text() == APP


def test_undo_of_an_unmerged_branch_that_is_not_checked_out(repo: Path, fix: str):
    applied = _apply(repo, fix, branch="new", run_id="b2")
    git(repo, "checkout", "-q", "main")
    undo(repo, applied.record_path)
    assert git(repo, "branch", "--list", "swe-agent/*") == ""


def test_undo_keeps_a_commit_that_was_pushed(repo: Path, fix: str, tmp_path: Path):
    applied = _apply(repo, fix)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    git(repo, "fetch", "-q", "origin")
    done = undo(repo, applied.record_path)
    assert done.info.method == "revert"
    assert git(repo, "rev-parse", "HEAD~1") == applied.record.commit


def test_apply_and_undo_on_a_detached_head(repo: Path, fix: str):
    base = _head(repo)
    git(repo, "checkout", "-q", "--detach")
    applied = _apply(repo, fix)
    assert applied.record.branch is None
    assert git(repo, "rev-parse", "HEAD~1") == base
    assert undo(repo, applied.record_path).info.method == "reset"
    assert _head(repo) == base
    assert git(repo, "rev-parse", "main") == base


def test_an_ignored_file_the_patch_would_overwrite_counts_as_dirty(repo: Path, fix: str):
    (repo / ".git" / "info" / "exclude").write_text(".swe-agent/\ndocs/\n")
    write(repo, {"docs/fix.md": "my local notes\n"})
    with pytest.raises(DirtyFiles) as caught:
        _apply(repo, fix)
    assert caught.value.paths == ("docs/fix.md",)
    assert (repo / "docs/fix.md").read_text() == "my local notes\n"


def test_undo_after_the_swe_agent_branch_was_merged(repo: Path, fix: str):
    applied = _apply(repo, fix, branch="new", run_id="m1")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"README.md": "# demo\nmain work\n"}, "main work")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge the fix", "swe-agent/m1")
    done = undo(repo, applied.record_path)
    assert done.info.method == "revert"
    assert (repo / "src/app.py").read_text() == APP
    assert (repo / "README.md").read_text() == "# demo\nmain work\n"


def test_a_committed_run_folder_is_not_a_run_to_undo(repo: Path, fix: str):
    from patches import latest_applied
    from swe_agent.errors import BadInput
    from swe_agent.runs import find_run, list_runs

    applied = _apply(repo, fix, run_id="20990101-000000-beef")
    undo(repo, applied.record_path)
    # The repository commits a run folder of its own (git add -f) with an applied.json.
    record = json.loads(applied.record_path.read_text())
    record.pop("undone")
    applied.record_path.write_text(json.dumps(record))
    git(repo, "add", "-f", ".swe-agent")
    git(repo, "commit", "-qm", "a run folder")
    assert list_runs(repo) == []
    with pytest.raises(UndoRefused, match="no applied run"):
        latest_applied(r.root for r in list_runs(repo))
    with pytest.raises(BadInput, match="committed to the repository"):
        find_run(repo, "20990101-000000-beef")
