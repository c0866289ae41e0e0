"""A code-aware tokenizer: identifiers split on snake_case, CamelCase, dots and digits."""

from __future__ import annotations

import functools
import re
from typing import Any

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")
# Splits "HTTPServerError2" into HTTP, Server, Error, 2 and "parse_url" into parse, url.
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

# English glue words and Python keywords carry no evidence of where a bug lives.
_STOPWORD_TEXT = (
    "a an and are as at be but by can could do does for from has have how i if in into is it "
    "its me my no not of on or our should so such that the their then there these this those "
    "to was we were what when where which while who will with would you your self cls def "
    "return none true false pass else elif try except finally raise import class lambda "
    "yield assert del global nonlocal get set use using used also just like want need thanks"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def distinctive(word: str) -> bool:
    """Whether a name is distinctive enough to point at one place ("id", "get" and
    "__init__" are not)."""
    return len(word) > 3 and not (word.startswith("__") and word.endswith("__"))


def split_identifier(word: str) -> list[str]:
    """Split one identifier into its lower-cased parts (snake_case, CamelCase, digits)."""
    parts: list[str] = []
    for chunk in word.split("_"):
        parts.extend(p.lower() for p in _PART.findall(chunk))
    return parts


@functools.lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=262_144)
def stem(part: str) -> str:
    """The English stem of one identifier part ("intersection" and "intersect" -> "intersect"):
    an issue's prose and the code name one thing with different word forms."""
    return str(_stemmer().stemWord(part))


@functools.lru_cache(maxsize=262_144)
def word_tokens(word: str) -> tuple[str, ...]:
    """The tokens of one identifier: its parts and their stems, plus the whole compound when it
    has several."""
    parts = split_identifier(word)
    kept = [p for p in parts if len(p) > 1 and p not in STOPWORDS]
    # The word as written and, when it differs, its stem: exact forms still match best.
    out = kept + [s for p in kept if (s := stem(p)) != p]
    whole = word.lower().strip("_")
    # The whole compound ("parse_url") is kept too: an exact hit is stronger evidence.
    if len(parts) > 1 and whole not in STOPWORDS:
        out.append(whole)
    return tuple(out)


def tokenize(text: str) -> list[str]:
    """Tokens of ``text`` for BM25: identifier parts, plus whole compound identifiers."""
    out: list[str] = []
    for word in _WORD.findall(text):
        out.extend(word_tokens(word))
    return out
