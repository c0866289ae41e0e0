"""Bad input never stops a build: it is parsed as far as possible, or skipped and reported."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from graph_helpers import commit_all, git

from repo_graph import NotARepository, SkippedFile, SkipReason, build_graph


def skipped(graph_stats_skipped: tuple[SkippedFile, ...]) -> dict[str, SkipReason]:
    return {s.path: s.reason for s in graph_stats_skipped}


def test_syntax_errors_are_parsed_as_far_as_possible_and_counted(
    fixture_repo: Callable[[str], Path],
) -> None:
    graph = build_graph(fixture_repo("bad"), use_cache=False)
    assert graph.stats.files_with_syntax_errors == 1
    assert graph.stats.syntax_error_nodes >= 1
    # Definitions before and after the broken one are still there, with their calls.
    assert "broken.py:ok" in graph and "broken.py:After.method" in graph
    assert graph.graph.has_edge("broken.py:After.method", "broken.py:ok", key="invokes")


def test_non_utf8_text_uses_its_coding_or_replacement(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("bad")
    (root / "nocookie.py").write_bytes(b'def f():\n    return "\xff\xfe"\n\n\ndef g():\n    pass\n')
    graph = build_graph(root, use_cache=False)
    assert graph.entity("latin1.py:café_name").docstring == "Résumé."
    assert {"nocookie.py:f", "nocookie.py:g"} <= set(graph.graph)
    assert "\ufffd" in graph.source("nocookie.py")


def test_excluded_globs_are_skipped_and_configurable(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("bad")
    graph = build_graph(root, use_cache=False)
    # An excluded directory is reported once, with a trailing slash.
    assert skipped(graph.stats.skipped) == {
        "gen/thing_pb2.py": SkipReason.EXCLUDED,
        "vendor/": SkipReason.EXCLUDED,
    }
    commit_all(root)
    assert skipped(build_graph(root, use_cache=False).stats.skipped) == skipped(graph.stats.skipped)
    everything = build_graph(root, use_cache=False, exclude=["pkg/**"])
    assert "vendor/lib.py:vendored" in everything
    assert skipped(everything.stats.skipped) == {"pkg/": SkipReason.EXCLUDED}


def test_a_file_over_the_size_limit_is_skipped(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("bad")
    (root / "huge.py").write_text("X = 1\n" * 200_000)  # 1.2 MB
    graph = build_graph(root, use_cache=False)
    assert skipped(graph.stats.skipped)["huge.py"] == SkipReason.TOO_LARGE
    assert "huge.py" not in graph
    assert "huge.py" in build_graph(root, use_cache=False, max_file_bytes=2_000_000)


@pytest.mark.parametrize("with_git", [False, True], ids=["plain", "git"])
def test_symlinks_are_never_followed_out_of_the_repository(
    fixture_repo: Callable[[str], Path], tmp_path: Path, with_git: bool
) -> None:
    outside = tmp_path / "outside"
    (outside / "secret").mkdir(parents=True)
    (outside / "secret.py").write_text("def leaked():\n    pass\n")
    (outside / "secret" / "deep.py").write_text("def deeper():\n    pass\n")
    root = fixture_repo("bad")
    os.symlink(outside / "secret.py", root / "link.py")
    os.symlink(outside / "secret", root / "linkdir")
    os.symlink(root / "pkg" / "mod.py", root / "inside.py")
    if with_git:
        commit_all(root)
    graph = build_graph(root, use_cache=False)
    assert skipped(graph.stats.skipped)["link.py"] == SkipReason.SYMLINK_OUTSIDE
    assert not any("leaked" in n or "deeper" in n for n in graph.graph)
    assert "inside.py:used" in graph  # a link that stays inside is an ordinary file


def test_a_missing_git_blob_is_skipped_not_fatal(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("bad")
    commit_all(root)
    blob = git(root, "rev-parse", "HEAD:pkg/mod.py").strip()
    # What a fetched snapshot looks like: the tree lists the file, the object store lacks it.
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    (root / "pkg" / "mod.py").unlink()
    graph = build_graph(root, use_cache=False)
    assert skipped(graph.stats.skipped)["pkg/mod.py"] == SkipReason.MISSING_BLOB
    assert "pkg/__init__.py" in graph and "pkg/mod.py" not in graph


def test_a_file_deleted_from_the_work_tree_just_leaves_the_graph(
    fixture_repo: Callable[[str], Path],
) -> None:
    root = fixture_repo("bad")
    commit_all(root)
    (root / "pkg" / "mod.py").unlink()
    graph = build_graph(root, use_cache=False)
    assert "pkg/mod.py" not in graph
    assert "pkg/mod.py" not in skipped(graph.stats.skipped)


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_path_that_is_not_a_directory_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nothing"
    if kind == "file":
        path.write_text("x = 1\n")
    with pytest.raises(NotARepository) as caught:
        build_graph(path)
    assert caught.value.exit_code == 2
    assert caught.value.hint
    assert not path.with_name(".swe-agent").exists()


def test_an_empty_directory_gives_an_empty_graph(tmp_path: Path) -> None:
    graph = build_graph(tmp_path, use_cache=False)
    assert list(graph.graph) == [""]
    assert graph.stats.nodes["file"] == 0


def test_a_folder_ignored_by_an_enclosing_repository_is_walked(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    (outer / ".gitignore").write_text("cache/\n")
    commit_all(outer)
    checkout = outer / "cache" / "checkout"
    checkout.parent.mkdir()
    fixture_repo("resolution").rename(checkout)
    graph = build_graph(checkout, use_cache=False)
    assert graph.stats.nodes["file"] == 7
