"""What running an issue's example did, as evidence: the code it called and where it raised.

The ranking reads the issue's text; this reads what its example does. An interpreter session
(``>>> Eq(x, 1).as_set()``) or a script that imports the project is run in the sandbox under
a profiler (``trace_example.py``, run by the application layer). The functions it called,
and the frames of an exception it raised, then count as evidence
(``GraphLocalizer.localize(..., execution=...)``): a bug that shows when the example runs
lies, most often, in code the example ran.

    chunks = example_chunks(issue_text, main_package="sympy")  # [] when there is no example
    execution = parse_trace(json.loads(out_json))
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localization.reproducer import reproducer_chunks
from localization.signals import FENCE, Frame, IssueSignals

TRACER = Path(__file__).with_name("trace_example.py")  # the script the sandbox runs
# One statement of an interpreter session, with its continuation lines.
_STATEMENT = re.compile(
    r"^[ \t]*(?:>>>|In \[\d+\]:)[ \t]?(.*)$((?:\n[ \t]*(?:\.\.\.|\s*\.\.\.:)(?:[ \t].*)?$)*)",
    re.M,
)
_CONTINUATION = re.compile(r"^[ \t]*(?:\.\.\.:?)[ \t]?")
_IMPORT = re.compile(r"^(?:import|from)[ \t]+[\w.]+", re.M)
_PYTHON_TAGS = ("", "python", "py", "python3", "pycon", "ipython")
MAX_CHUNKS = 40


@dataclass(frozen=True)
class Execution:
    """What running the issue's example did: the repository's code it called, as (path, first
    line, name) in the order first called, and the frames of the exceptions it raised
    (outermost first), each as (path, line, function)."""

    calls: tuple[tuple[str, int, str], ...] = ()
    raised: tuple[tuple[str, int, str], ...] = ()
    errors: tuple[str, ...] = ()  # the type names of the exceptions ``raised`` came from
    imports_failed: bool = False  # the example's imports failed: the environment lacks something


def with_raised(signals: IssueSignals, execution: Execution) -> IssueSignals:
    """The issue's signals with the frames and exception types the example raised, when they
    can be the issue's: an issue that names exceptions reports one of them; another raised by
    its example is the sandbox's (no network, an optional dependency missing), and its frames
    would point at the wrong code."""
    named = set(signals.exceptions)
    if not execution.raised or (named and not named & set(execution.errors)):
        return signals
    return dataclasses.replace(
        signals,
        frames=signals.frames + tuple(Frame(p, ln, fn) for p, ln, fn in execution.raised),
        exceptions=signals.exceptions + tuple(e for e in execution.errors if e),
    )


def example_chunks(
    text: str, *, main_package: str | None, scripts: Mapping[str, str] | None = None
) -> list[str]:
    """The code to run for an issue: the statements of its interpreter sessions, else its
    shell reproducer (its files, then its first command running the project: one of its
    console ``scripts`` or ``python -m`` its package; see ``localization.reproducer``), else
    its Python code blocks that import something; [] when it has none of these.

    A session that imports nothing (``>>> Eq(x, 1)``, ``>>> xarray.Dataset()``) starts with an
    import and a star import of the repository's main package, as its reporter's interpreter
    evidently had them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    session = [
        "\n".join(
            [m.group(1)] + [_CONTINUATION.sub("", line) for line in m.group(2).split("\n")[1:]]
        ).rstrip()
        for m in _STATEMENT.finditer(text)
    ]
    session = [s for s in session if s.strip()]
    if session:
        if main_package and not any(_IMPORT.match(s.lstrip()) for s in session):
            session[:0] = [f"import {main_package}", f"from {main_package} import *"]
        return session[:MAX_CHUNKS]
    packages = {target.partition(":")[0].split(".")[0] for target in (scripts or {}).values()}
    packages |= {main_package} if main_package else set()
    reproducer = reproducer_chunks(text, scripts=scripts or {}, packages=packages)
    if reproducer:
        return reproducer
    blocks = []
    for match in FENCE.finditer(text):
        tag = match.group(0)[3:].split("\n", 1)[0].strip().lower()
        code = match.group(1)
        if tag in _PYTHON_TAGS and _IMPORT.search(code):
            blocks.append(code)
    return blocks[:MAX_CHUNKS]


# Exceptions of the example's own making: its names not defined, its syntax, the time limit.
# A command's exit (SystemExit) says how it ended, not where a fault is.
_NOT_THE_PROJECT = {
    "NameError",
    "SyntaxError",
    "TimeoutError",
    "ModuleNotFoundError",
    "SystemExit",
}


def parse_trace(data: Any) -> Execution:
    """The Execution of the tracer's output (see ``trace_example.py``); malformed entries are
    dropped, so a partial file still gives what it holds. Exceptions the example made itself
    (undefined names, syntax) or its environment did (a failing import) are not evidence."""
    calls: list[tuple[str, int, str]] = []
    raised: list[tuple[str, int, str]] = []
    errors: list[str] = []
    failed = False
    if not isinstance(data, dict):
        return Execution()
    for entry in data.get("calls") or ():
        if isinstance(entry, list) and len(entry) == 3:
            calls.append((str(entry[0]), int(entry[1]), str(entry[2])))
    for error in data.get("raised") or ():
        if not isinstance(error, dict):
            continue
        if error.get("setup"):
            failed = True  # the environment's problem, not the issue's
            continue
        if error.get("type") in _NOT_THE_PROJECT:
            continue
        errors.append(str(error.get("type") or ""))
        for frame in error.get("frames") or ():
            if isinstance(frame, list) and len(frame) == 3:
                raised.append((str(frame[0]), int(frame[1]), str(frame[2])))
    return Execution(
        calls=tuple(calls), raised=tuple(raised), errors=tuple(errors), imports_failed=failed
    )
