"""The on-disk cache: per-blob parse records and the assembled graph of the last build.

It lives in the user's cache directory (``$SWE_AGENT_GRAPH_CACHE``, else
``$XDG_CACHE_HOME/swe-agent/graph`` or ``~/.cache/swe-agent/graph``), one folder per repository
root, never in the repository: everything a repository contains is untrusted, and a pickle
runs code when loaded. The folders are the user's own (created 0700, refused when another user
or group can write them), and loading admits only the classes the cache holds.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import re
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from common import atomic_file
from repo_graph.files import DirCache, StatKeys
from repo_graph.model import SkippedFile
from repo_graph.parse import FileParse

if TYPE_CHECKING:
    import networkx as nx

CACHE_VERSION = 5  # bump when parse records, name resolution or the graph layout change
ROOT_FILE = "root.txt"  # in each repository's folder: the root it caches (for pruning)

Global = tuple[str, str]  # (module, qualified name) of a class a cache file may hold


def class_names(*classes: type) -> frozenset[Global]:
    """The globals by which pickle refers to these classes."""
    return frozenset((cls.__module__, cls.__qualname__) for cls in classes)


# Plain containers and the graph's own classes: a file naming anything else (os.system, an
# importer) is refused before it can run, however it got into the cache folder.
CONTAINER_GLOBALS: frozenset[Global] = frozenset(
    {
        ("builtins", "list"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "dict"),
        ("builtins", "tuple"),
        ("collections", "defaultdict"),
        ("collections", "OrderedDict"),
    }
)


def _graph_globals() -> frozenset[Global]:
    from networkx.classes import coreviews, multidigraph, reportviews

    from repo_graph import model, parse

    return (
        CONTAINER_GLOBALS
        | class_names(
            GraphState,
            model.SkippedFile,
            model.SkipReason,
            model.NodeKind,
            model.EdgeKind,
            parse.FileParse,
            parse.Definition,
            parse.ImportStmt,
            parse.CallSite,
            parse.Assignment,
            multidigraph.MultiDiGraph,
        )
        | _classes_of(coreviews)  # the views networkx keeps in a graph's __dict__
        | _classes_of(reportviews)
    )


def _classes_of(module: Any) -> frozenset[Global]:
    """The classes a module defines."""
    return class_names(
        *(
            v
            for v in vars(module).values()
            if isinstance(v, type) and v.__module__ == module.__name__
        )
    )


class GraphState(NamedTuple):
    """What a warm load needs: the graph and the file keys it was built from."""

    keys: Mapping[str, str]  # path -> blob id of every file in the graph
    graph: nx.MultiDiGraph
    unresolved: Mapping[str, tuple[str, ...]]
    skipped: tuple[SkippedFile, ...]
    stat_keys: StatKeys  # lets the next listing skip hashing unchanged files (outside git)
    syntax_errors: Mapping[str, int]  # path -> ERROR/MISSING nodes, for files that have some
    deps: Mapping[str, frozenset[str]]  # path -> other files its resolution consulted
    dirs: DirCache  # folder contents, so the next listing skips reading unchanged folders


@dataclass(frozen=True)
class GraphCache:
    """One cache directory and the tag (format version and build options) of its files."""

    directory: Path
    tag: str

    @property
    def state_file(self) -> Path:
        return self.directory / f"graph-{self.tag}.pkl"

    @property
    def parses_file(self) -> Path:
        return self.directory / f"parses-{self.tag}.pkl"

    def load_state(self) -> GraphState | None:
        """The state of the last build, or None when absent or unreadable."""
        loaded = _load(self.state_file, _graph_globals())
        return loaded if isinstance(loaded, GraphState) else None

    @property
    def loose_dir(self) -> Path:
        return self.directory / f"parses-{self.tag}"

    def load_parses(self) -> dict[str, FileParse]:
        """Parse records by blob id: the pack of the last full build plus later loose ones."""
        allowed = _graph_globals()
        loaded = _load(self.parses_file, allowed)
        parses = loaded if isinstance(loaded, dict) else {}
        if self.loose_dir.is_dir():
            for item in self.loose_dir.glob("*.pkl"):
                record = _load(item, allowed)
                if isinstance(record, FileParse):
                    parses[item.stem] = record
        return parses

    def loose_count(self) -> int:
        """How many parse records were added since the pack was last written."""
        return sum(1 for _ in self.loose_dir.glob("*.pkl")) if self.loose_dir.is_dir() else 0

    def save_state(self, state: GraphState) -> None:
        """Write the assembled graph and the keys it was built from (atomically)."""
        _dump(self.state_file, state)

    def save_pack(self, parses: Mapping[str, FileParse]) -> None:
        """Replace every stored parse record by these (blob id -> record)."""
        _dump(self.parses_file, dict(parses))
        if self.loose_dir.is_dir():
            for item in self.loose_dir.glob("*.pkl"):
                item.unlink(missing_ok=True)
        self._drop_other_versions()
        prune_stale(self.directory.parent)

    def _drop_other_versions(self) -> None:
        """Remove what earlier versions of this package left (never readable again)."""
        current = f"-v{CACHE_VERSION}-"
        for item in self.directory.iterdir():
            if current in item.name or not item.name.startswith(("graph-", "parses-")):
                continue
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)

    def artifact_file(self, name: str, fingerprint: str) -> Path:
        """Where an artifact derived from the tree with this fingerprint is kept."""
        return self.directory / f"artifact-{name}-{fingerprint[:24]}.pkl"

    def load_artifact(self, name: str, fingerprint: str, *, allowed: Iterable[Global] = ()) -> Any:
        """A stored artifact of this exact tree, or None; it may hold plain containers and
        the ``allowed`` classes only."""
        return _load(self.artifact_file(name, fingerprint), CONTAINER_GLOBALS | set(allowed))

    def save_artifact(self, name: str, fingerprint: str, value: Any) -> None:
        """Store an artifact of this tree, replacing those of earlier trees (one kept per name)."""
        target = self.artifact_file(name, fingerprint)
        _dump(target, value)
        for item in self.directory.glob(f"artifact-{name}-*.pkl"):
            if item != target:
                item.unlink(missing_ok=True)

    def save_loose(self, parses: Mapping[str, FileParse]) -> None:
        """Add a few parse records without rewriting the pack (one small file each)."""
        if not parses:
            return
        self.loose_dir.mkdir(exist_ok=True)
        for key, parse in parses.items():
            _dump(self.loose_dir / f"{key}.pkl", parse)


@dataclass(frozen=True)
class BlobStore:
    """Parse records shared by every repository and checkout that uses it, one per blob id.

    Checkouts of one repository at different commits share most blobs; with a store, each
    blob is parsed once however many checkouts contain it. The store is a folder the caller
    names (the benchmark's cache), never one inside a repository.
    """

    directory: Path

    def _file(self, key: str) -> Path:
        return self.directory / f"v{CACHE_VERSION}" / key[:2] / f"{key}.pkl"

    def get_many(self, keys: Iterable[str]) -> dict[str, FileParse]:
        """The stored records among ``keys``."""
        allowed = _graph_globals()
        found: dict[str, FileParse] = {}
        for key in keys:
            record = _load(self._file(key), allowed)
            if isinstance(record, FileParse):
                found[key] = record
        return found

    def put_many(self, records: Mapping[str, FileParse]) -> None:
        """Store records (atomically, each in its own file)."""
        for key, record in records.items():
            target = self._file(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            _dump(target, record)


def cache_home() -> Path:
    """The folder of every repository's graph cache."""
    override = os.environ.get("SWE_AGENT_GRAPH_CACHE")
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "swe-agent" / "graph"


def cache_dir_for(root: Path) -> Path:
    """The cache folder of one repository root (all build options): its name and a digest."""
    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", root.name)[:40].lstrip(".") or "root"
    return cache_home() / f"{name}-{digest}"


def open_cache(root: Path, *, options: str) -> GraphCache | None:
    """The cache of ``root`` in the user's cache folder; None when it cannot be used (not
    writable, or writable by someone else: then the graph is built without a cache)."""
    tag = f"v{CACHE_VERSION}-" + hashlib.sha256(options.encode()).hexdigest()[:12]
    directory = cache_dir_for(root)
    try:
        directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.mkdir(mode=0o700, exist_ok=True)
        if not (_private(directory.parent) and _private(directory)):
            return None
        marker = directory / ROOT_FILE
        if not marker.is_file():
            marker.write_text(str(root), encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    return GraphCache(directory, tag)


def _private(path: Path) -> bool:
    """A folder of this user that no other user or group may write to."""
    info = path.stat()
    owned = info.st_uid == os.geteuid()
    return stat.S_ISDIR(info.st_mode) and owned and not info.st_mode & 0o022


def prune_stale(home: Path) -> int:
    """Remove the caches of repository roots that no longer exist; how many were removed."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in home.iterdir():
            marker = entry / ROOT_FILE
            try:
                root = marker.read_text(encoding="utf-8", errors="surrogateescape").strip()
            except OSError:
                continue  # not one of ours, or being created
            if root and not Path(root).is_dir():
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    return removed


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: unpickling a graph makes a million containers and none is garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Unpickler(pickle.Unpickler):
    """An unpickler that resolves only the listed globals (classes), nothing else."""

    def __init__(self, handle: Any, allowed: frozenset[Global] | set[Global]) -> None:
        super().__init__(handle)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a graph cache")
        return super().find_class(module, name)


# What a torn, foreign or hostile file can raise while loading: all mean "rebuild instead".
_LOAD_ERRORS = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ImportError,
    TypeError,
    ValueError,
    KeyError,
    IndexError,
)


def _load(path: Path, allowed: frozenset[Global] | set[Global]) -> Any:
    try:
        with path.open("rb") as handle, gc_paused():
            return _Unpickler(handle, allowed).load()
    except FileNotFoundError:
        return None
    except _LOAD_ERRORS:
        return None


def _dump(path: Path, obj: Any) -> None:
    with atomic_file(path) as tmp, tmp.open("wb") as handle, gc_paused():
        pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
