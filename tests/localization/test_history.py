"""Past commits as evidence: reading a real git history and ranking with it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from localization import Change, GraphLocalizer, LocationKind, read_history
from localization.features import Feature, Ledger
from localization.history import HistoryIndex
from repo_graph import build_graph

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "localization" / "atlas"
ISSUE = "South pole row drawn twice\n\nThe last row of every map repeats the one above it.\n"


def _git(root: Path, *args: str) -> None:
    who = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(root), *who, *args], check=True, capture_output=True)


def _commit(root: Path, path: str, message: str) -> None:
    with (root / path).open("a", encoding="utf-8") as handle:
        handle.write("\n# touched\n")
    _git(root, "add", path)
    _git(root, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def atlas_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The atlas fixture as a git repository with a few commits after the first."""
    root = tmp_path_factory.mktemp("history") / "atlas"
    shutil.copytree(FIXTURE, root)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "Initial import")
    _commit(root, "atlas/plate.py", "Draw the south pole row once in the plate projection\n\nbody")
    _commit(root, "atlas/render.py", "Pad cells to the column width")
    return root


def test_read_history_gives_messages_and_files_newest_first(atlas_repo: Path) -> None:
    history = read_history(atlas_repo)
    assert [c.message for c in history] == [
        "Pad cells to the column width",
        "Draw the south pole row once in the plate projection\nbody",  # subject, then body
        "Initial import",
    ]
    assert history[0].files == ("atlas/render.py",)
    assert "atlas/mercator.py" in history[2].files
    assert read_history(atlas_repo, "HEAD~1")[0].files == ("atlas/plate.py",)  # before a commit


def test_read_history_of_a_subfolder_is_relative_to_it(atlas_repo: Path) -> None:
    history = read_history(atlas_repo / "atlas")
    assert history[0].files == ("render.py",)
    assert all(not f.startswith("docs/") for c in history for f in c.files)


def test_no_git_repository_or_an_unknown_revision_gives_no_history(tmp_path: Path) -> None:
    assert read_history(tmp_path) == ()
    assert read_history(FIXTURE, "no-such-revision-anywhere") == ()


def test_sweeping_commits_and_files_left_out_are_not_indexed() -> None:
    changes = [
        Change("Reformat everything", ("a.py", "b.py", "c.py")),
        Change("Fix the south pole", ("a.py", "tests/test_a.py")),
        Change("Only tests", ("tests/test_a.py",)),
    ]
    index = HistoryIndex(changes, keep=lambda p: not p.startswith("tests/"), max_files=2)
    assert len(index) == 1
    assert index.file_scores(["south", "pole"], commits=5).keys() == {"a.py"}
    files = Ledger()
    index.credit(files, ["south", "pole"], commits=5)
    assert files.values == {"a.py": {Feature.HISTORY: 1.0}}
    assert index.file_scores(["reformat"], commits=5) == {}


def test_a_file_past_commits_like_the_issue_touched_ranks_higher(atlas_repo: Path) -> None:
    graph = build_graph(atlas_repo, use_cache=False)
    without = GraphLocalizer(graph).localize(ISSUE, top=10).ids(LocationKind.FILE)
    found = GraphLocalizer(graph, history=read_history(atlas_repo)).localize(ISSUE, top=10)
    plate = next(f for f in found.files if f.id == "atlas/plate.py")  # no word of the issue
    assert plate.reasons == ("touched by past commits like the issue",)
    assert "atlas/plate.py" not in without
    # The history before that commit knows nothing of the south pole.
    before = GraphLocalizer(graph, history=read_history(atlas_repo, "HEAD~2"))
    assert before.localize(ISSUE, top=10).ids(LocationKind.FILE) == without


def test_localize_command_uses_the_history_unless_told_not_to(atlas_repo: Path) -> None:
    from typer.testing import CliRunner

    from swe_agent.cli import app

    command = ["localize", "--repo", str(atlas_repo), "--issue", ISSUE, "--json"]
    with_history = CliRunner().invoke(app, command)
    assert with_history.exit_code == 0, with_history.output
    files = {f["id"]: f["reasons"] for f in json.loads(with_history.stdout)["files"]}
    assert files["atlas/plate.py"] == ["touched by past commits like the issue"]
    without = CliRunner().invoke(app, [*command, "--no-history"])
    assert without.exit_code == 0, without.output
    assert "atlas/plate.py" not in {f["id"] for f in json.loads(without.stdout)["files"]}
