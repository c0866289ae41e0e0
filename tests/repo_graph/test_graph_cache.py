"""The cache: warm loads, incremental rebuilds equal to cold builds, where the cache lives."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from graph_helpers import commit_all, git

from repo_graph import CodeGraph, build_graph
from repo_graph.build import Session
from repo_graph.cache import cache_dir_for

# Edits to the "resolution" fixture: (name, function that edits the tree).
Edit = Callable[[Path], None]


def edit_body(root: Path) -> None:
    path = root / "app/util.py"
    path.write_text(path.read_text() + "\n\ndef twice(value):\n    return helper(helper(value))\n")


def add_module(root: Path) -> None:
    (root / "app/extra.py").write_text(
        "from app.util import helper\n\n\ndef extra():\n    return helper(2)\n"
    )
    run = root / "scripts/run.py"
    run.write_text(
        run.read_text() + "\n\ndef more():\n    from app.extra import extra\n    return extra()\n"
    )


def delete_module(root: Path) -> None:
    (root / "app/util.py").unlink()


def rename_base_method(root: Path) -> None:
    path = root / "app/base.py"
    path.write_text(path.read_text().replace("def setup(self)", "def prepare(self)"))


def change_reexport(root: Path) -> None:
    (root / "app/__init__.py").write_text("from .base import Base as Engine\n")


def delete_package(root: Path) -> None:
    for name in ("__init__.py", "model.py"):
        (root / "app/models" / name).unlink()
    (root / "app/models").rmdir()


EDITS = [edit_body, add_module, delete_module, rename_base_method, change_reexport, delete_package]


def cold(root: Path) -> dict:
    return build_graph(root, use_cache=False).to_json()


def store(root: Path) -> Path:
    """The cache folder of a repository root (in the session's graph cache)."""
    return cache_dir_for(root.resolve())


def test_a_second_build_loads_the_cache(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    first = build_graph(root)
    second = build_graph(root)
    assert (first.stats.mode, second.stats.mode) == ("cold", "warm")
    assert (second.stats.files_parsed, second.stats.cache_hits) == (0, 7)
    assert second.to_json() == first.to_json()
    assert second.stats.nodes == first.stats.nodes and second.stats.edges == first.stats.edges


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_a_rebuild_reparses_only_changed_files_and_equals_a_cold_build(
    edit: Edit, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("resolution")
    build_graph(root)
    edit(root)
    rebuilt = build_graph(root)
    assert rebuilt.stats.mode == "incremental"
    assert rebuilt.stats.files_parsed == len(_changed_existing(edit))
    assert rebuilt.to_json() == cold(root)


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_refresh_updates_in_memory_and_equals_a_cold_build(
    edit: Edit, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("resolution")
    graph = build_graph(root)
    edit(root)
    refreshed = graph.refresh()
    assert refreshed.stats.mode == "incremental"
    assert refreshed.to_json() == cold(root)
    assert refreshed.refresh().stats.mode == "warm"


def _changed_existing(edit: Edit) -> set[str]:
    return {
        "edit_body": {"app/util.py"},
        "add_module": {"app/extra.py", "scripts/run.py"},
        "delete_module": set(),
        "rename_base_method": {"app/base.py"},
        "change_reexport": {"app/__init__.py"},
        "delete_package": set(),
    }[edit.__name__]


def test_successive_refreshes_stay_equal_to_cold_builds(
    fixture_repo: Callable[[str], Path],
) -> None:
    root = fixture_repo("resolution")
    graph: CodeGraph = build_graph(root)
    for edit in (edit_body, rename_base_method, add_module, change_reexport):
        edit(root)
        graph = graph.refresh()
        assert graph.to_json() == cold(root), edit.__name__
    assert build_graph(root).to_json() == cold(root)  # the disk cache caught up too


def test_in_git_keys_are_blob_ids_and_edits_are_seen_before_commit(
    fixture_repo: Callable[[str], Path],
) -> None:
    root = fixture_repo("resolution")
    commit_all(root)
    build_graph(root)
    edit_body(root)
    edited = build_graph(root)
    assert (edited.stats.mode, edited.stats.files_parsed) == ("incremental", 1)
    assert edited.to_json() == cold(root)
    commit_all(root, "edit")
    assert build_graph(root).stats.mode == "warm"  # same content, same blob id
    assert git(root, "status", "--porcelain") == ""  # nothing written in the repository


def test_the_cache_lives_in_the_user_cache_not_in_the_repository(
    fixture_repo: Callable[[str], Path], graph_cache: Path
) -> None:
    root = fixture_repo("resolution")
    build_graph(root)
    assert not (root / ".swe-agent").exists()
    folder = store(root)
    assert folder.parent == graph_cache and folder.name.startswith("resolution-")
    assert list(folder.glob("graph-*.pkl")) and not list(folder.glob("*.tmp"))
    assert (folder / "root.txt").read_text() == str(root.resolve())
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_the_user_cache_defaults_to_xdg_cache_home(
    fixture_repo: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixture_repo("resolution")
    monkeypatch.delenv("SWE_AGENT_GRAPH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    assert build_graph(root).stats.mode == "cold"
    assert build_graph(root).stats.mode == "warm"
    assert list((tmp_path / "user-cache" / "swe-agent" / "graph").glob("*/graph-*.pkl"))


def test_a_cache_folder_others_can_write_is_not_used(
    fixture_repo: Callable[[str], Path],
) -> None:
    root = fixture_repo("resolution")
    build_graph(root)
    store(root).chmod(0o777)
    graph = build_graph(root)
    assert graph.stats.mode == "cold" and graph.to_json() == cold(root)
    assert not graph.save_artifact("index", 1)


def test_caches_of_roots_that_are_gone_are_pruned(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    gone = tmp_path / "gone"
    shutil.copytree(fixture_repo("resolution"), gone)
    build_graph(gone)
    shutil.rmtree(gone)
    kept = fixture_repo("srclayout")
    build_graph(kept)  # a full build prunes the folders of missing roots
    assert not store(gone).exists() and store(kept).is_dir()


def test_a_corrupt_cache_is_rebuilt(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    build_graph(root)
    for item in store(root).glob("*.pkl"):
        item.write_bytes(b"not a pickle")
    graph = build_graph(root)
    assert graph.stats.mode == "cold"
    assert graph.to_json() == cold(root)


def test_no_cache_writes_nothing(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    build_graph(root, use_cache=False)
    assert not (root / ".swe-agent").exists() and not store(root).exists()


def test_other_options_use_another_cache_entry(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    build_graph(root)
    narrowed = build_graph(root, exclude=["scripts/**"])
    assert narrowed.stats.mode == "cold"
    assert "scripts/run.py" not in narrowed
    assert build_graph(root).stats.mode == "warm"


def test_parallel_and_serial_builds_agree(tmp_path: Path) -> None:
    for index in range(420):  # above the sizes where worker processes parse and resolve
        (tmp_path / f"mod{index}.py").write_text(
            f"from mod{(index + 1) % 420} import f{(index + 1) % 420}\n\n\n"
            f"def f{index}():\n    return f{(index + 1) % 420}()\n"
        )
    parallel = build_graph(tmp_path, use_cache=False, workers=2)
    serial = build_graph(tmp_path, use_cache=False, workers=1)
    assert parallel.to_json() == serial.to_json()
    assert parallel.stats.edges["invokes"] == 420


def test_loose_parse_records_are_folded_into_the_pack(
    fixture_repo: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import repo_graph.build

    root = fixture_repo("resolution")
    build_graph(root)
    edit_body(root)
    graph = build_graph(root).refresh()  # the rebuild stored its new record loose
    loose = list(store(root).glob("parses-*/*.pkl"))
    assert graph.stats.mode == "warm" and len(loose) == 1
    monkeypatch.setattr(repo_graph.build, "MAX_LOOSE_PARSES", 0)
    rename_base_method(root)
    assert build_graph(root).stats.mode == "incremental"
    assert not list(store(root).glob("parses-*/*.pkl"))
    add_module(root)
    assert build_graph(root).to_json() == cold(root)


def test_files_of_other_cache_versions_are_removed(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    folder = store(root)
    folder.mkdir(mode=0o700, parents=True)
    (folder / "graph-v0-0123456789ab.pkl").write_bytes(b"old")
    (folder / "parses-v0-0123456789ab").mkdir()
    build_graph(root)
    from repo_graph.cache import CACHE_VERSION

    left = sorted(p.name.split("-")[1] for p in folder.iterdir() if p.name != "root.txt")
    assert left == [f"v{CACHE_VERSION}"] * 2


def test_a_shared_parse_store_spares_parsing_blobs_seen_in_another_checkout(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    store = tmp_path / "store"
    first = fixture_repo("resolution")
    second = tmp_path / "second"
    shutil.copytree(first, second)
    edit_body(second)  # the second checkout differs from the first in one file
    assert build_graph(first, parse_store=store).stats.files_parsed == 7
    other = build_graph(second, parse_store=store)
    assert (other.stats.files_parsed, other.stats.cache_hits) == (1, 6)
    assert other.to_json() == cold(second)
    edit_body(first)  # now the same text as the second checkout's: its record is shared
    again = build_graph(first, parse_store=store)
    assert (again.stats.mode, again.stats.files_parsed) == ("incremental", 0)
    assert again.to_json() == cold(first)


def test_refresh_without_a_disk_cache(fixture_repo: Callable[[str], Path]) -> None:
    root = fixture_repo("resolution")
    graph = build_graph(root, use_cache=False)
    assert graph.refresh().stats.mode == "warm"
    rename_base_method(root)
    refreshed = graph.refresh()
    assert (refreshed.stats.mode, refreshed.stats.files_parsed) == ("incremental", 1)
    assert refreshed.to_json() == cold(root)
    assert not (root / ".swe-agent").exists()


@pytest.mark.parametrize(("load", "expected"), [(0.2, 2), (1.0, 2), (1.6, 1), (9.0, 1)])
def test_worker_processes_only_on_idle_cpus(
    load: float, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from repo_graph.parallel import default_workers

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert default_workers() == expected


def _build_in_a_pool_worker(root: str) -> int:
    from repo_graph import build_graph

    return len(list(build_graph(Path(root)).entities()))


def test_a_graph_builds_inside_a_pool_worker_on_an_idle_machine(
    fixture_repo: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool's worker is daemonic and may not start processes of its own: the benchmark's
    feature extraction crashed there once the machine went idle (load 0.6, 2 CPUs)."""
    import multiprocessing

    import repo_graph.parallel

    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(repo_graph.parallel, "PARALLEL_MIN_FILES", 1)  # a pool even for a few
    root = fixture_repo("resolution")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_build_in_a_pool_worker, (str(root),)) > 0


def _age(root: Path, seconds: int = 60) -> None:
    """Date every file and folder back, as in a checkout that was not just written."""
    past = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (past, past), follow_symlinks=False)


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_folders_read_from_the_last_listing_still_see_every_edit(
    edit: Edit, fixture_repo: Callable[[str], Path]
) -> None:
    root = fixture_repo("resolution")
    _age(root)
    graph = build_graph(root)
    assert isinstance(graph.session, Session)
    assert graph.session.state.dirs  # the aged folders are remembered
    edit(root)
    refreshed = graph.refresh()
    assert refreshed.to_json() == cold(root)
    assert build_graph(root).to_json() == cold(root)


def test_a_same_size_rewrite_with_an_old_mtime_is_still_seen(
    fixture_repo: Callable[[str], Path],
) -> None:
    root = fixture_repo("resolution")
    _age(root)
    graph = build_graph(root)
    path = root / "app" / "util.py"
    stat = path.stat()
    path.write_text(path.read_text().replace("helper", "helpme"))  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # ctime still moves
    refreshed = graph.refresh()
    assert "app/util.py:helpme" in refreshed.graph


def test_artifacts_are_kept_per_tree_and_replaced_when_the_tree_changes(
    fixture_repo: Callable[[str], Path],
) -> None:
    root = fixture_repo("resolution")
    graph = build_graph(root)
    assert graph.load_artifact("index") is None
    assert graph.save_artifact("index", {"built": 1})
    assert build_graph(root).load_artifact("index") == {"built": 1}
    edit_body(root)
    edited = build_graph(root)
    assert edited.fingerprint != graph.fingerprint
    assert edited.load_artifact("index") is None  # another tree: another key
    edited.save_artifact("index", {"built": 2})
    stored = list(store(root).glob("artifact-index-*"))
    assert len(stored) == 1  # the earlier tree's artifact was dropped


def test_a_graph_without_a_cache_keeps_no_artifacts(fixture_repo: Callable[[str], Path]) -> None:
    graph = build_graph(fixture_repo("resolution"), use_cache=False)
    assert graph.fingerprint is not None
    assert not graph.save_artifact("index", 1)
    assert graph.load_artifact("index") is None


class _Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def _cache_file_names(root: Path) -> list[str]:
    from repo_graph.build import BuildOptions
    from repo_graph.cache import open_cache
    from repo_graph.files import DEFAULT_EXCLUDES

    cache = open_cache(root, options=BuildOptions(DEFAULT_EXCLUDES, 1_000_000, True).tag)
    assert cache is not None
    return [cache.state_file.name, cache.parses_file.name]


def test_a_pickle_committed_in_the_repository_is_never_loaded(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    import pickle
    import subprocess
    import sys

    root = fixture_repo("resolution")
    marker = tmp_path / "pwned"
    planted = root / ".swe-agent" / "graph"
    planted.mkdir(parents=True)
    for name in _cache_file_names(root.resolve()):
        (planted / name).write_bytes(pickle.dumps(_Payload(marker)))
    # The file is a live payload: plain pickle (what this cache used to do) runs it.
    load = "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))"
    subprocess.run([sys.executable, "-c", load, str(next(planted.iterdir()))], check=True)
    assert marker.read_text() == "ran"
    marker.unlink()
    shutil.rmtree(store(root))
    assert build_graph(root).stats.mode == "cold"
    assert build_graph(root).stats.mode == "warm"
    assert not marker.exists()


def test_a_cache_file_naming_any_other_global_is_refused(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    import pickle

    root = fixture_repo("resolution")
    build_graph(root)
    marker = tmp_path / "pwned"
    for item in store(root).glob("*.pkl"):
        item.write_bytes(pickle.dumps(_Payload(marker)))
    graph = build_graph(root)
    assert graph.stats.mode == "cold" and graph.to_json() == cold(root)
    assert not marker.exists()
