"""Graph queries with LocAgent's semantics: search an entity, traverse around it, retrieve it."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from repo_graph.errors import BadQuery, EntityNotFound
from repo_graph.graph import CodeGraph
from repo_graph.model import Entity, NodeKind

_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


@dataclass(frozen=True)
class SearchHit:
    """One entity found by :func:`search_entity`, how it matched and how well."""

    entity: Entity
    match: str  # "id" | "name" | "bm25" | "fuzzy"
    score: float


@dataclass(frozen=True)
class Retrieved:
    """An entity and its code, each line prefixed by its line number."""

    entity: Entity
    text: str = field(repr=False)


def split_tokens(text: str) -> list[str]:
    """Lower-case words of an id or a query: ``pkg/my_mod.py:HTTPServer.get`` -> pkg my mod ..."""
    return [t.lower() for t in _TOKEN.findall(text)]


def search_entity(graph: CodeGraph, query: str, *, limit: int = 10) -> list[SearchHit]:
    """Entities for a query: an exact id first, then name matches, then BM25 over ids."""
    query = query.strip()
    if not query:
        raise BadQuery("the search query is empty", hint="pass a name, a path or an entity id")
    hits: dict[str, SearchHit] = {}
    if query in graph.graph:
        hits[query] = SearchHit(graph.entity(query), "id", 1.0)
    for entity_id in _name_matches(graph, query):
        hits.setdefault(entity_id, SearchHit(graph.entity(entity_id), "name", 1.0))
    if len(hits) < limit:
        for entity_id, score in _bm25(graph, query, limit=limit):
            hits.setdefault(entity_id, SearchHit(graph.entity(entity_id), "bm25", score))
    if not hits:
        for entity_id in _fuzzy(graph, query, limit=limit):
            hits.setdefault(entity_id, SearchHit(graph.entity(entity_id), "fuzzy", 0.0))
    return list(hits.values())[:limit]


def _name_matches(graph: CodeGraph, query: str) -> list[str]:
    """Ids whose short name, dotted qualname tail or path tail is the query.

    ``mod.py:Class.method`` without its directories matches too, as does a dotted module
    path such as ``pkg.mod.func``.
    """
    tail = "/" + query.strip("/")
    dotted = "/" + query.replace(".", "/")
    found = []
    for entity_id, attrs in graph.graph.nodes(data=True):
        if not entity_id:
            continue
        path, _, qualname = entity_id.partition(":")
        if (
            attrs["name"] == query
            or qualname == query
            or qualname.endswith("." + query)
            or entity_id.endswith(tail)
            or (qualname and f"/{path[:-3]}/{qualname.replace('.', '/')}".endswith(dotted))
        ):
            found.append(entity_id)
    kind_rank = {"class": 0, "function": 1, "file": 2, "directory": 3}
    return sorted(found, key=lambda i: (kind_rank[graph.graph.nodes[i]["kind"]], len(i), i))


def _bm25(graph: CodeGraph, query: str, *, limit: int) -> list[tuple[str, float]]:
    """Okapi BM25 (k1=1.2, b=0.75) over the tokens of every entity id."""
    index = graph.__dict__.get("_id_index")
    if index is None:
        index = _IdIndex([n for n in graph.graph.nodes if n])
        graph.__dict__["_id_index"] = index  # built once per graph; ids never change
    return index.top(split_tokens(query), limit=limit)


class _IdIndex:
    def __init__(self, ids: Sequence[str]) -> None:
        self.ids = list(ids)
        self.postings: dict[str, list[tuple[int, int]]] = {}
        self.lengths = []
        by_path: dict[str, list[str]] = {}  # the ids of one file share its path's words
        for doc, entity_id in enumerate(self.ids):
            path, _, qualname = entity_id.partition(":")
            if path not in by_path:
                by_path[path] = split_tokens(path)
            tokens = Counter(by_path[path] + split_tokens(qualname))
            self.lengths.append(sum(tokens.values()))
            for token, tf in tokens.items():
                self.postings.setdefault(token, []).append((doc, tf))
        self.average = sum(self.lengths) / max(len(self.lengths), 1)

    def top(self, tokens: Iterable[str], *, limit: int) -> list[tuple[str, float]]:
        scores: dict[int, float] = {}
        total = len(self.ids)
        for token in set(tokens):
            posting = self.postings.get(token, [])
            idf = math.log(1 + (total - len(posting) + 0.5) / (len(posting) + 0.5))
            for doc, tf in posting:
                norm = tf + 1.2 * (1 - 0.75 + 0.75 * self.lengths[doc] / self.average)
                scores[doc] = scores.get(doc, 0.0) + idf * tf * 2.2 / norm
        ranked = sorted(scores.items(), key=lambda item: (-item[1], len(self.ids[item[0]])))
        return [(self.ids[doc], round(score, 4)) for doc, score in ranked[:limit]]


def _fuzzy(graph: CodeGraph, query: str, *, limit: int) -> list[str]:
    by_name: dict[str, list[str]] = {}
    for entity_id, name in graph.graph.nodes(data="name"):
        if entity_id:
            by_name.setdefault(name, []).append(entity_id)
    close = difflib.get_close_matches(query.split(".")[-1], list(by_name), n=limit, cutoff=0.6)
    return [entity_id for name in close for entity_id in sorted(by_name[name])][:limit]


def resolve_entity(graph: CodeGraph, query: str) -> str:
    """An exact id, or the one entity a name matches; else :class:`EntityNotFound`."""
    if query in graph.graph:
        return query
    named = _name_matches(graph, query)
    if len(named) == 1:
        return named[0]
    candidates = named[:5] or [h.entity.id for h in search_entity(graph, query, limit=5)]
    if candidates:
        hint = "did you mean: " + ", ".join(candidates)
    else:
        hint = "find ids with `swe-agent graph query search NAME`"
    what = "is ambiguous" if named else "is not an entity of the graph"
    raise EntityNotFound(f"{query!r} {what}", hint=hint)


def retrieve(graph: CodeGraph, entity_id: str, *, max_lines: int | None = None) -> Retrieved:
    """The code of an entity with line numbers (a directory: its entries).

    With ``max_lines``, a longer entity keeps its first and last lines around a marker
    that says how many were left out.
    """
    entity = graph.entity(resolve_entity(graph, entity_id))
    if entity.kind == NodeKind.DIRECTORY:
        children = sorted(
            v for _, v, k in graph.graph.out_edges(entity.id, keys=True) if k == "contains"
        )
        return Retrieved(entity, "\n".join(children))
    lines = graph.source(entity.path).splitlines()
    start = max(entity.start_line, 1)
    end = min(entity.end_line or len(lines), len(lines))
    width = len(str(end))
    numbered = [f"{n:>{width}} | {lines[n - 1]}" for n in range(start, end + 1)]
    if max_lines is not None and len(numbered) > max_lines:
        head = max(max_lines // 2, 1)
        tail = max(max_lines - head, 0)
        left_out = len(numbered) - head - tail
        marker = f"{'':>{width}} | ... {left_out} lines left out ..."
        numbered = [*numbered[:head], marker, *(numbered[-tail:] if tail else [])]
    return Retrieved(entity, "\n".join(numbered))
