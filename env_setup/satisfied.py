"""Pip installs the venv already satisfies, answered without pip.

Without ``--upgrade``, ``pip install REQ...`` changes nothing when every requirement, and every
dependency of theirs (extras and markers included), is installed in a version it accepts; it
still takes a second or more to say so (pylint-8898's dated ``setuptools`` and its test runner
step, 1.0 and 1.1 s at load 5). A short script in the venv answers the same question from the
installed metadata first; anything it cannot judge (a URL, a requirement it cannot parse, an
interpreter before 3.8 without ``importlib.metadata``) leaves the step to pip.
"""

from __future__ import annotations

import shlex
from typing import Any

# Options that leave pip a no-op when every requirement is satisfied: a date cutoff or less
# output only choose among versions to download.
_VALUED = ("--uploaded-prior-to",)
SATISFIED = "already satisfied in the venv (its installed metadata says so; pip not run)"
_FLAGS = ("-q", "--quiet")
_EXPANSIONS = set("`$\n")

# argv: requirements. Exit 0 and print `name version` for each distribution looked at when all
# are satisfied; exit 1 at the first that is not, or on anything it cannot judge.
_SCRIPT = """
import sys
try:
    from importlib import metadata
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    found = {}
    for dist in metadata.distributions():
        found.setdefault(canonicalize_name(dist.metadata["Name"] or ""), dist)
    todo, seen = [Requirement(arg) for arg in sys.argv[1:]], set()
    while todo:
        req = todo.pop()
        dist = found.get(canonicalize_name(req.name))
        if req.url or dist is None or not req.specifier.contains(dist.version, prereleases=True):
            sys.exit(1)
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        print(dist.metadata["Name"], dist.version)
        for line in dist.requires or ():
            dep = Requirement(line)
            wanted = dep.marker is None or any(
                dep.marker.evaluate({"extra": extra}) for extra in ("", *sorted(req.extras))
            )
            if wanted:
                dep.marker = None
                todo.append(dep)
except SystemExit:
    raise
except Exception:
    sys.exit(1)
"""


def plain_install(command: str) -> tuple[str, tuple[str, ...]] | None:
    """``(python, requirements)`` of ``PY -m pip install [options] REQ...`` when the options
    are only a date cutoff or quiet and every other word is a requirement; else None."""
    if _EXPANSIONS & set(command):
        return None
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        words = list(lexer)
    except ValueError:
        return None
    if any(word and set(word) <= set(lexer.punctuation_chars) for word in words):
        return None  # an unquoted ; & | ( ) < >: more than one plain command
    if len(words) < 5 or words[1:4] != ["-m", "pip", "install"]:
        return None
    requirements: list[str] = []
    rest = iter(words[4:])
    for word in rest:
        if word in _FLAGS or (word.split("=", 1)[0] in _VALUED and "=" in word):
            continue
        if word in _VALUED:
            next(rest, None)
            continue
        if word.startswith("-") or "/" in word or word.startswith(".") or "@" in word:
            return None
        requirements.append(word)
    return (words[0], tuple(requirements)) if requirements else None


def already_satisfied(box: Any, command: str) -> str | None:
    """What the venv holds when ``command`` is a plain pip install it already satisfies (the
    distributions looked at, one per line); None when pip must run."""
    parsed = plain_install(command)
    if parsed is None:
        return None
    python, requirements = parsed
    words = " ".join(shlex.quote(word) for word in (python, "-c", _SCRIPT, *requirements))
    obs = box.run(words, timeout=120)
    return obs.stdout.strip() if obs.exit_code == 0 and obs.stdout.strip() else None
