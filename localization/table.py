"""What the ranking reads of one issue: feature values per key, and facts of the code graph.

``GraphLocalizer.features(issue)`` measures; ``localization.scoring.rank(table, weights)``
weighs. The table holds no weight, so a benchmark can store it once per instance
(``to_dict``) and refit the weights in seconds (``benchmarks/fit_ranking.py``).

The facts (where an entity lives, its graph neighbours, its namesakes, the in-file text match
of a file's functions) are looked up lazily in the graph by the localizer, and read from the
stored record by the fitter: the same ``Facts`` protocol serves both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from localization.features import Feature
from localization.model import LocationKind


@dataclass(frozen=True)
class Place:
    """Where one key (an entity id, or a file path) sits in the repository."""

    kind: LocationKind
    path: str
    unit: str = ""  # the editable function holding it (itself for one), else ""
    owner: str = ""  # the outermost class holding it (itself for one), else ""
    aside: str = ""  # "test" for test files, "aux" for docs, examples and benchmarks

    def to_list(self) -> list[str]:
        """A compact JSON-ready form."""
        return [str(self.kind), self.path, self.unit, self.owner, self.aside]

    @classmethod
    def from_list(cls, data: list[str]) -> Place:
        """The inverse of ``to_list``."""
        kind, path, unit, owner, aside = data
        return cls(LocationKind(kind), path, unit, owner, aside)


Edge = tuple[str, str]  # (neighbour, how: "invokes", "invokes (reverse)", ...)
InFile = Mapping[str, tuple[float, float]]  # function -> (in-file BM25 / the file's best, raw)


class Facts(Protocol):
    """The code graph's answers the ranking needs, looked up on demand."""

    def place(self, key: str) -> Place | None:
        """Where ``key`` sits, or None for a key that is no file, class or function."""
        ...

    def neighbours(self, key: str) -> tuple[Edge, ...]:
        """The entities one calls, inheritance or import edge away from ``key``."""
        ...

    def namesakes(self, key: str) -> tuple[str, ...]:
        """Functions of the same name in one or two other source files (parallel versions)."""
        ...

    def tables(self, path: str) -> tuple[str, ...]:
        """The parser tables generated from the grammar in ``path`` (PLY's X_parsetab.py)."""
        ...

    def in_file(self, path: str) -> InFile:
        """The in-file BM25 of the issue against each editable function of ``path``."""
        ...


@dataclass(frozen=True)
class FeatureTable:
    """Feature values per key, their reasons, and what the issue's code reached and ran."""

    values: Mapping[str, Mapping[Feature, float]]
    reasons: Mapping[str, Mapping[Feature, tuple[str, ...]]]
    facts: Facts
    reached: Mapping[str, tuple[int, str]] = field(default_factory=dict)  # key -> (depth, via)
    ran: frozenset[str] = frozenset()
    about_tests: bool = False  # the issue names a test file of this repository

    def to_dict(self, *, in_file: Iterable[str] = ()) -> dict[str, Any]:
        """A JSON-ready record holding every fact any weights could ask for, but the in-file
        text match: only of the files ``in_file`` (it is costly, and asked of the best few)."""
        keys = set(self.values) | set(self.ran)
        facts = self.facts
        entities = {k for k in keys if (p := facts.place(k)) and p.kind != LocationKind.FILE}
        edges = {k: facts.neighbours(k) for k in sorted(entities)}
        twins = {k: facts.namesakes(k) for k in sorted(entities)}
        known = keys | {t for e in edges.values() for t, _ in e}
        known |= {t for ts in twins.values() for t in ts}
        places = {k: p for k in known if (p := facts.place(k)) is not None}
        known |= {p.unit for p in places.values() if p.unit} | {p.owner for p in places.values()}
        places |= {k: p for k in known - set(places) if k and (p := facts.place(k)) is not None}
        files = sorted({p.path for p in places.values()})
        tables = {f: facts.tables(f) for f in files if facts.tables(f)}
        places |= {t: p for ts in tables.values() for t in ts if (p := facts.place(t)) is not None}
        return {
            "values": {k: {str(f): v for f, v in row.items()} for k, row in self.values.items()},
            "reasons": {
                k: {str(f): list(r) for f, r in row.items()} for k, row in self.reasons.items()
            },
            "reached": {k: list(v) for k, v in self.reached.items()},
            "ran": sorted(self.ran),
            "about_tests": self.about_tests,
            "places": {k: p.to_list() for k, p in sorted(places.items())},
            "edges": {k: [list(e) for e in v] for k, v in edges.items() if v},
            "twins": {k: list(v) for k, v in twins.items() if v},
            "tables": {k: list(v) for k, v in tables.items()},
            "in_file": {f: {k: list(v) for k, v in facts.in_file(f).items()} for f in in_file},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureTable:
        """The inverse of ``to_dict`` (facts answered from the record)."""
        return cls(
            values={
                k: {Feature(f): float(v) for f, v in row.items()}
                for k, row in data["values"].items()
            },
            reasons={
                k: {Feature(f): tuple(r) for f, r in row.items()}
                for k, row in data["reasons"].items()
            },
            facts=StoredFacts(data),
            reached={k: (int(d), str(via)) for k, (d, via) in data["reached"].items()},
            ran=frozenset(data["ran"]),
            about_tests=bool(data["about_tests"]),
        )


class StoredFacts:
    """Facts read from a record made by ``FeatureTable.to_dict``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._places = {k: Place.from_list(v) for k, v in data["places"].items()}
        self._edges = {k: tuple((t, how) for t, how in v) for k, v in data["edges"].items()}
        self._twins = {k: tuple(v) for k, v in data["twins"].items()}
        self._tables = {k: tuple(v) for k, v in data["tables"].items()}
        self._in_file = {
            f: {k: (float(a), float(b)) for k, (a, b) in v.items()}
            for f, v in data["in_file"].items()
        }

    def place(self, key: str) -> Place | None:
        """Where ``key`` sits, as recorded."""
        return self._places.get(key)

    def neighbours(self, key: str) -> tuple[Edge, ...]:
        """The recorded graph neighbours of ``key``."""
        return self._edges.get(key, ())

    def namesakes(self, key: str) -> tuple[str, ...]:
        """The recorded namesakes of ``key``."""
        return self._twins.get(key, ())

    def tables(self, path: str) -> tuple[str, ...]:
        """The recorded generated tables of ``path``."""
        return self._tables.get(path, ())

    def in_file(self, path: str) -> InFile:
        """The recorded in-file BM25 of ``path``'s functions."""
        return self._in_file.get(path, {})


def strongest(reasons: Iterable[tuple[float, str]], *, limit: int) -> tuple[str, ...]:
    """Distinct reason texts, strongest first."""
    ordered = sorted(reasons, key=lambda item: -item[0])
    return tuple(dict.fromkeys(text for _, text in ordered))[:limit]
