"""Named features of the places an issue may be about, each with the reasons behind it.

Every matcher reads the issue and the repository and writes what it found as a feature value
of a key (an entity id, or a file path): ``ledger.add(key, Feature.FRAME, 1.0, "traceback
frame a.py:3 in f")``. Values are plain measurements (a match or not, a normalized BM25
score, an ambiguity discount); how much each feature is worth is not decided here but by the
weights table (``localization/weights.json``), fitted on benchmark instances.
"""

from __future__ import annotations

import math
from collections import defaultdict
from enum import StrEnum


class Feature(StrEnum):
    """What one piece of evidence is. Values are in [0, 1] unless said otherwise."""

    # Text match (BM25 scaled so that the best entity scores 1).
    TEXT = "text"  # the whole text against the entity's name, signature, doc, body
    TITLE = "title"  # the first line
    NAMES = "names"  # the identifiers the issue emphasizes (backticks, CamelCase, snake_case)
    FILE_TEXT = "file_text"  # the text against the whole file
    # Places the issue quotes.
    FRAME = "frame"  # the code at a traceback frame of this repository
    FRAME_DEPTH = "frame_depth"  # 1 / (1 + frames between it and the deepest)
    FRAME_OUTER = "frame_outer"  # 1 / (1 + frames from the outermost), when interrupted by hand
    FRAME_NAME = "frame_name"  # a traceback function found by name only (not by path)
    LINK = "link"  # the code at the line of a permalink (github .../blob/REF/a.py#L12)
    PATH = "path"  # a file named by a path with a folder
    BARE_PATH = "bare_path"  # a file named by its bare file name ("conf.py")
    MODULE = "module"  # a file named by a dotted module name
    DOTTED = "dotted"  # an entity named by a dotted name (its last two parts match)
    # Names the issue writes.
    IDENTIFIER = "identifier"  # an emphasized identifier equal to the entity's name
    IDENTIFIER_CODE = "identifier_code"  # an identifier only in a code block
    CLASS_WORD = "class_word"  # a capitalized prose word equal to a class name ("Dataset")
    STEM = "stem"  # an identifier equal to a file's stem ("L031" -> rules/L031.py)
    STEM_PLAIN = "stem_plain"  # a plain word equal to a file's stem
    TITLE_WORD = "title_word"  # a word of the title equal to a file's stem, any case
    TITLE_TAG = "title_tag"  # the title's component tag ("[youtube]", "feat(api):")
    PAIR = "pair"  # a method of a class the issue names, its name named too ("Add" + "is_zero")
    PAIR_HOOK = "pair_hook"  # the same for a method dispatching on the name (_eval_is_zero)
    PAIR_CODE = "pair_code"  # either, with a name only in the code
    MESSAGE = "message"  # an error message or quoted string found verbatim in the code
    CONSTANT = "constant"  # code using the named constant that holds such a message
    LITERAL = "literal"  # a flag or quoted key spelled as a string literal in few files
    MARKUP = "markup"  # a directive or role name (".. include::") spelled so
    # The example code.
    CALLS_FUNCTION = "calls_function"  # a function the code calls by its public name
    CALLS_CLASS = "calls_class"  # a class the code uses
    CALLS_MODULE = "calls_module"  # a module (or other entity) the code names
    HOOK = "hook"  # the hook (_eval_as_set) of a method the code calls (as_set)
    # The repository's history.
    HISTORY = "history"  # touched by past commits whose messages read like the issue
    # Where the code lives (1 or absent; their weights are negative).
    TEST = "test"  # in a test file, and the issue names no test file of this repository
    AUX = "aux"  # in documentation, examples or benchmarks
    # Derived from the first ranking (see ``localization.scoring``).
    GRAPH = "graph"  # score carried one hop along calls, inheritance and imports
    MEMBER = "member"  # the score of the best entity inside
    RUNNER_UP = "runner_up"  # the scores of the 2nd and 3rd best entities inside
    TWIN = "twin"  # a namesake of one of the best functions in one or two other files
    TABLE = "table"  # a parser generator's table next to one of the best files
    NEAR = "near"  # the score of one of the best files whose code is one graph edge away
    FILE_PRIOR = "file_prior"  # the score of the entity's file, relative to the best file's
    IN_FILE = "in_file"  # BM25 among the functions of one of the best files only
    REACHED = "reached"  # run by the code: its score / (1 + calls away)
    RAN = "ran"  # run by the example in the sandbox: its score


def spread(count: int) -> float:
    """Ambiguity discount: a name that names ``count`` entities says less about each."""
    return 1.0 / math.sqrt(max(count, 1))


class Ledger:
    """Feature values per key, with the reasons they came from.

    ``add`` sums contributions to one feature (two messages found in one function count
    twice); ``raise_to`` keeps the strongest (a file's deepest traceback frame)."""

    def __init__(self) -> None:
        self.values: dict[str, dict[Feature, float]] = defaultdict(dict)
        self.reasons: dict[str, dict[Feature, list[tuple[float, str]]]] = defaultdict(dict)

    def add(self, key: str, feature: Feature, value: float, reason: str) -> None:
        """Add ``value`` to ``key``'s ``feature``, remembering why (empty reasons are not kept)."""
        if value <= 0:
            return
        row = self.values[key]
        row[feature] = row.get(feature, 0.0) + value
        if reason:
            self.reasons[key].setdefault(feature, []).append((value, reason))

    def raise_to(self, key: str, feature: Feature, value: float, reason: str) -> None:
        """Lift ``key``'s ``feature`` to at least ``value`` (evidence that should not pile up)."""
        current = self.values.get(key, {}).get(feature, 0.0)
        if value > current:
            self.add(key, feature, value - current, reason)

    def get(self, key: str, feature: Feature) -> float:
        """One feature value of one key (0 when absent)."""
        return self.values.get(key, {}).get(feature, 0.0)
