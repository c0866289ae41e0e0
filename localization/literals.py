"""Keys an issue writes that the code spells as short string literals.

An issue names a command-line flag (``--fixtures``), a markup directive (``.. include::``), a
role or field (``:rtype:``) or a quoted option value (``'description'``). Code that handles
such a key holds it as a literal (``names=('rtype',)``, ``register_directive('include', ...)``),
and when only a few source files do, they are likely where the behaviour lives. A markup name
counts double: a directive or role is registered under exactly its name, next to the code that
implements it, where a flag or a quoted word is also spelled by whatever passes it on: it is
a feature of its own (``Feature.MARKUP``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from localization.features import Feature, Ledger, spread
from localization.matching import MAX_PLACES, Catalog
from localization.signals import FENCE

_DIRECTIVE = re.compile(r"^[ \t>]*\.\.\s+(?:[\w-]+:)?([\w-]+)::", re.M)
_ROLE = re.compile(r"(?<![\w`:]):(?:[\w-]+:)?([a-z][\w-]+):(?=`)")
_FIELD = re.compile(r"^[ \t>]*:([a-z][\w-]*)(?=[\s:])", re.M)
_FLAG = re.compile(r"(?<![\w-])(--[a-z][\w-]+)")
_QUOTED = re.compile(r"""(?<![\w'"])['"]([A-Za-z_][\w.-]{2,40})['"](?![\w'"])""")
_LITERAL = re.compile(r"""(['"])(-{0,2}[A-Za-z_][\w.:-]{1,40})\1""")
_INLINE = re.compile(r"`(-{0,2}[A-Za-z_][\w.:-]{1,40})`")  # inline code that could be a literal
MAX_FILES = 5  # a key spelled in more source files than this points nowhere in particular
OPTION_TABLE = 20  # a file spelling more distinct flags than this defines options, not behaviour
MAX_KEYS = 18  # keys of one issue looked up (inline code last)


def issue_keys(text: str) -> dict[str, Feature]:
    """Flags, directive, role and field names of the whole issue, short quoted names of its
    prose (a quoted word inside example code is more often data than a key), then the inline
    code of its prose (`py:class`, `chunks`: an option, role or key the code spells as a
    string), each with its feature: ``MARKUP`` for a directive or role name, else ``LITERAL``."""
    prose = FENCE.sub(" ", text)
    markup = [m.group(1) for regex in (_DIRECTIVE, _ROLE) for m in regex.finditer(text)]
    found = markup + [m.group(1) for regex in (_FIELD, _FLAG) for m in regex.finditer(text)]
    found += _QUOTED.findall(prose)
    keys = list(dict.fromkeys(found + _INLINE.findall(prose)))[:MAX_KEYS]
    return {key: Feature.MARKUP if key in markup else Feature.LITERAL for key in keys}


class LiteralIndex:
    """Short string literals of the source files (tests left out) -> where they are."""

    def __init__(self, texts: Mapping[str, str], *, skip: set[str]) -> None:
        self.places: dict[str, list[tuple[str, int]]] = defaultdict(list)
        flags: dict[str, set[str]] = defaultdict(set)
        for path, text in texts.items():
            if path in skip or not path.endswith(".py"):
                continue
            line, counted = 1, 0
            for m in _LITERAL.finditer(text):
                line += text.count("\n", counted, m.start())  # counted on from the last one
                counted = m.start()
                self.places[m.group(2)].append((path, line))
                if m.group(2).startswith("--"):
                    flags[path].add(m.group(2))
        # An option table (an argparse setup naming every flag) says nothing about one flag.
        self.option_tables = {path for path, names in flags.items() if len(names) > OPTION_TABLE}

    def match(self, keys: Mapping[str, Feature], catalog: Catalog, ev: Ledger) -> None:
        """Credit the functions (and files) that spell a key (``keys``: key -> its feature),
        when few files do; a place spelling several keys counts its strongest."""
        credit: dict[tuple[str, Feature], tuple[float, str]] = {}
        for key, feature in keys.items():
            places = self.places.get(key, [])
            if key.startswith("--"):
                places = [p for p in places if p[0] not in self.option_tables]
            files = {path for path, _ in places}
            if not files or len(files) > MAX_FILES:
                continue
            value = spread(len(files))
            holders = [catalog.at_line(path, line) for path, line in places[:MAX_PLACES]]
            for where in [n.id for n in holders if n] + sorted(files):
                if value > credit.get((where, feature), (0.0, ""))[0]:
                    credit[where, feature] = (value, f"'{key}' spelled in the code")
        for (where, feature), (value, label) in credit.items():
            ev.add(where, feature, value, label)
