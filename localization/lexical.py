"""BM25 over entity documents and over whole files, with the code-aware tokenizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localization.graphview import GraphLike, Node, iter_nodes
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

    def scores(self, query: list[str]) -> list[float]:
        """One BM25 score per document, in index order."""
        terms = list(dict.fromkeys(query))
        if not self._size or not terms:
            return [0.0] * self._size
        return [float(s) for s in self._index.get_scores(terms)]


def _body(lines: list[str], node: Node) -> str:
    if node.kind == "class":
        return ""  # a class is described by its header, docstring and member names
    return "\n".join(lines[max(node.start_line - 1, 0) : node.end_line])


def entity_document(node: Node, body: str, members: Sequence[str] = ()) -> list[str]:
    """Tokens describing one class or function: id, name (twice), signature, doc, body."""
    name_tokens = tokenize(node.qualname.replace(".", " "))
    text = " ".join([node.path, node.signature, node.docstring, " ".join(members)])
    return name_tokens + name_tokens + tokenize(text) + tokenize(body)


class LexicalIndex:
    """BM25 over the classes and functions of a graph, and over its whole files."""

    def __init__(self, graph: GraphLike) -> None:
        nodes = list(iter_nodes(graph))
        self.nodes: dict[str, Node] = {n.id: n for n in nodes}
        self.entities = [n for n in nodes if n.kind != "file"]
        self.files = sorted(n.path for n in nodes if n.kind == "file")
        self.texts = {path: _safe_source(graph, path) for path in self.files}
        members: dict[str, list[str]] = {}
        for node in self.entities:
            owner = node.id.rpartition(".")[0]
            if "." in node.qualname:
                members.setdefault(owner, []).append(node.name)
        split = {path: text.splitlines() for path, text in self.texts.items()}
        self.entity_index = Bm25(
            [
                entity_document(n, _body(split.get(n.path, []), n), members.get(n.id, ()))
                for n in self.entities
            ]
        )
        self.file_index = Bm25([tokenize(f"{p}\n{self.texts[p]}") for p in self.files])

    def entity_scores(self, query: list[str]) -> dict[str, float]:
        """BM25 score of every class and function for the query tokens."""
        scores = self.entity_index.scores(query)
        return {n.id: s for n, s in zip(self.entities, scores, strict=True) if s > 0}

    def file_scores(self, query: list[str]) -> dict[str, float]:
        """BM25 score of every whole file for the query tokens."""
        scores = self.file_index.scores(query)
        return {p: s for p, s in zip(self.files, scores, strict=True) if s > 0}


def _safe_source(graph: GraphLike, path: str) -> str:
    try:
        return graph.source(path)
    except (OSError, KeyError, ValueError):
        return ""  # a file the graph lists but cannot read again: no text, still rankable
