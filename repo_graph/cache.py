"""The on-disk cache: per-blob parse records and the assembled graph of the last build.

It lives in ``<repo>/.swe-agent/graph/`` (``.swe-agent/`` git-ignores itself through its own
``.gitignore``), or under the user cache directory when the repository is not writable.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from repo_graph.files import DirCache, StatKeys
from repo_graph.model import SkippedFile
from repo_graph.parse import FileParse

if TYPE_CHECKING:
    import networkx as nx

CACHE_VERSION = 5  # bump when parse records, name resolution or the graph layout change


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
        loaded = _load(self.state_file)
        return loaded if isinstance(loaded, GraphState) else None

    @property
    def loose_dir(self) -> Path:
        return self.directory / f"parses-{self.tag}"

    def load_parses(self) -> dict[str, FileParse]:
        """Parse records by blob id: the pack of the last full build plus later loose ones."""
        loaded = _load(self.parses_file)
        parses = loaded if isinstance(loaded, dict) else {}
        if self.loose_dir.is_dir():
            for item in self.loose_dir.glob("*.pkl"):
                record = _load(item)
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

    def load_artifact(self, name: str, fingerprint: str) -> Any:
        """A stored artifact of this exact tree, or None."""
        return _load(self.artifact_file(name, fingerprint))

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
    blob is parsed once however many checkouts contain it.
    """

    directory: Path

    def _file(self, key: str) -> Path:
        return self.directory / f"v{CACHE_VERSION}" / key[:2] / f"{key}.pkl"

    def get_many(self, keys: Iterable[str]) -> dict[str, FileParse]:
        """The stored records among ``keys``."""
        found: dict[str, FileParse] = {}
        for key in keys:
            record = _load(self._file(key))
            if isinstance(record, FileParse):
                found[key] = record
        return found

    def put_many(self, records: Mapping[str, FileParse]) -> None:
        """Store records (atomically, each in its own file)."""
        for key, record in records.items():
            target = self._file(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            _dump(target, record)


def open_cache(root: Path, *, options: str) -> GraphCache:
    """The cache for ``root``: in the repository when writable, else in the user cache."""
    tag = f"v{CACHE_VERSION}-" + hashlib.sha256(options.encode()).hexdigest()[:12]
    local = root / ".swe-agent" / "graph"
    try:
        local.mkdir(parents=True, exist_ok=True)
        ignore = root / ".swe-agent" / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        probe = local / ".probe"
        probe.write_bytes(b"")
        probe.unlink()
        return GraphCache(local, tag)
    except OSError:
        pass  # a read-only checkout: fall back to the user cache below
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    directory = base / "swe-agent" / "graph" / digest
    directory.mkdir(parents=True, exist_ok=True)
    return GraphCache(directory, tag)


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


def _load(path: Path) -> Any:
    try:
        with path.open("rb") as handle, gc_paused():
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # a cache from another version or a torn write: rebuild instead


def _dump(path: Path, obj: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle, gc_paused():
            pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
