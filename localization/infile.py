"""Second stage: rank the functions inside the best files against the issue, file by file.

The repository-wide BM25 weighs a word by how rare it is in the whole repository, so inside one
large module every method shares the module's vocabulary and the one the issue describes is
drowned by its neighbours. Scored again among the functions of its own file only, a word common
in that file says nothing, and the words that single one function out (a parameter, a format
code, a word of its docstring) decide.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

from localization.graphview import Node
from localization.lexical import line_tokens
from localization.tokens import tokenize

Documents = list[tuple[str, Counter[str], int]]  # (function id, term counts, length)


def unit_documents(
    functions: Sequence[Node], text: str, *, is_unit: Callable[[Node], bool]
) -> Documents:
    """One bag of tokens per editable function of a file: name, signature, docstring, body."""
    lines = text.splitlines()
    out: Documents = []
    for node in functions:
        if node.kind != "function" or not is_unit(node):
            continue
        words = tokenize(f"{node.qualname.replace('.', ' ')} {node.signature}")
        for line in lines[max(node.start_line - 1, 0) : node.end_line]:
            words.extend(line_tokens(line.strip()))
        out.append((node.id, Counter(words), len(words)))
    return out


def local_bm25(documents: Documents, query: Sequence[str]) -> dict[str, float]:
    """BM25 of each document for ``query`` with document frequencies counted in this file: a
    term weighs log(N / df) (a word every function has weighs nothing), its count saturates
    as tf / (tf + length / average length) (BM25 with k1 = b = 1)."""
    terms = list(dict.fromkeys(query))
    size = len(documents)
    if not documents[1:] or not terms:
        return {}
    average = sum(length for _, _, length in documents) / size or 1.0
    scores: dict[str, float] = {}
    for term in terms:
        df = sum(1 for _, counts, _ in documents if term in counts)
        if df == 0 or df == size:
            continue  # a word every function of the file has singles none out
        idf = math.log(size / df)
        for key, counts, length in documents:
            tf = counts.get(term, 0)
            if tf:
                scores[key] = scores.get(key, 0.0) + idf * tf / (tf + length / average)
    return scores
