"""BM25 over entity documents and over whole files, with the code-aware tokenizer."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from itertools import chain
from typing import Any

from common import is_test_path
from localization.graphview import GraphLike, Node, iter_nodes
from localization.literals import LiteralIndex
from localization.tokens import tokenize


class Bm25:
    """A bm25s index over token lists; scores every document for one query."""

    def __init__(self, documents: Sequence[list[str]]) -> None:
        import bm25s

        self._size = len(documents)
        self._index: Any = bm25s.BM25()
        if documents:
            # bm25s drops empty documents; a pad token keeps document ids aligned.
            padded = [doc or ["<empty>"] for doc in documents]
            self._index.index(padded, show_progress=False)

    def top(self, query: list[str], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (document number, score) pairs with a positive score, best first."""
        import numpy as np

        terms = list(dict.fromkeys(query))
        if not self._size or not terms:
            return []
        scores = self._index.get_scores(terms)
        if limit < len(scores):
            best = np.argpartition(-scores, limit)[:limit]
        else:
            best = np.arange(len(scores))
        ranked = sorted(((int(i), float(scores[i])) for i in best), key=lambda p: -p[1])
        return [(i, s) for i, s in ranked if s > 0]


def entity_document(node: Node, body: list[str], members: Sequence[str] = ()) -> list[str]:
    """Tokens describing one class or function: id, name (twice), signature, doc, body."""
    name_tokens = tokenize(node.qualname.replace(".", " "))
    text = " ".join([node.path, node.signature, node.docstring, " ".join(members)])
    return name_tokens + name_tokens + tokenize(text) + body


@functools.lru_cache(maxsize=262_144)
def line_tokens(line: str) -> tuple[str, ...]:
    """Tokens of one stripped line; lines repeat a lot ("return self", "pass", blank)."""
    return tuple(tokenize(line))


class _FileTokens:
    """Each line of a file tokenized once; entity bodies and whole files are slices of it."""

    def __init__(self, text: str) -> None:
        self.lines = [line_tokens(line.strip()) for line in text.splitlines()]

    def span(self, start: int, end: int) -> list[str]:
        return list(chain.from_iterable(self.lines[max(start - 1, 0) : end]))


INDEX_VERSION = 4  # bump when documents, tokens or the index layout change


def lexical_index(graph: GraphLike) -> LexicalIndex:
    """The graph's index: loaded from next to its cache when this exact tree was indexed
    before, else built (and stored there when the graph has a cache)."""
    load = getattr(graph, "load_artifact", None)
    stored = load("lexical", allowed=index_globals()) if load is not None else None
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == INDEX_VERSION:
        index = stored[1]
        if isinstance(index, LexicalIndex):
            return index
    index = LexicalIndex(graph)
    save = getattr(graph, "save_artifact", None)
    if save is not None:
        save("lexical", (INDEX_VERSION, index))
    return index


def index_globals() -> frozenset[tuple[str, str]]:
    """The classes a stored index holds: ours, bm25s's and numpy's array pieces (1.x and 2.x)."""
    ours = {(c.__module__, c.__qualname__) for c in (LexicalIndex, Bm25, LiteralIndex, Node)}
    arrays = {
        ("bm25s", "BM25"),
        ("numpy", "dtype"),
        ("numpy", "ndarray"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.multiarray", "scalar"),
    }
    return frozenset(ours | arrays)


class LexicalIndex:
    """BM25 over the classes and functions of a graph and over its whole files, and the short
    string literals of its source files."""

    def __init__(self, graph: GraphLike) -> None:
        nodes = list(iter_nodes(graph))
        self.nodes: dict[str, Node] = {n.id: n for n in nodes}
        self.entities = [n for n in nodes if n.kind != "file"]
        self.files = sorted(n.path for n in nodes if n.kind == "file")
        self.texts = {path: _safe_source(graph, path) for path in self.files}
        tokens = {path: _FileTokens(text) for path, text in self.texts.items()}
        members: dict[str, list[str]] = {}
        for node in self.entities:
            if "." in node.qualname:
                members.setdefault(node.id.rpartition(".")[0], []).append(node.name)
        empty = _FileTokens("")
        documents = []
        for n in self.entities:
            # A class is described by its header, docstring and member names, not its body.
            body = (
                []
                if n.kind == "class"
                else tokens.get(n.path, empty).span(n.start_line, n.end_line)
            )
            documents.append(entity_document(n, body, members.get(n.id, ())))
        self.entity_index = Bm25(documents)
        self.file_index = Bm25(
            [tokenize(p) + tokens[p].span(1, len(tokens[p].lines)) for p in self.files]
        )
        tests = {path for path in self.files if is_test_path(path)}
        self.literals = LiteralIndex(self.texts, skip=tests)

    def entity_scores(self, query: list[str], *, limit: int = 1000) -> dict[str, float]:
        """BM25 scores of the best classes and functions for the query tokens, best first."""
        return {self.entities[i].id: s for i, s in self.entity_index.top(query, limit)}

    def file_scores(self, query: list[str], *, limit: int = 200) -> dict[str, float]:
        """BM25 scores of the best whole files for the query tokens, best first."""
        return {self.files[i]: s for i, s in self.file_index.top(query, limit)}


def _safe_source(graph: GraphLike, path: str) -> str:
    try:
        return graph.source(path)
    except (OSError, KeyError, ValueError):
        return ""  # a file the graph lists but cannot read again: no text, still rankable
