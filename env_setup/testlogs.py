"""Test logs -> per-test status, read the way the SWE-bench harness reads them.

One pure function per log family, each ``log text -> {test id: status}``, with the harness's
(swebench 4.1.0, harness/log_parsers/python.py) rules reproduced rule for rule, quirks
included: a FAILURES banner of sympy counts as a failed test, pytest ids end at their first
space, django's "ok" on a line of its own belongs to the test named above it. The parity
corpus in tests/fixtures/testlogs holds real logs with the official package's results.

    statuses = parse_test_log(log_parser("sympy/sympy"), text)   # {"test_foo": "PASSED", ...}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import Any

from env_setup.known import specs_data


class TestStatus(StrEnum):
    """What the harness's parsers say of a test."""

    __test__ = False

    FAILED = "FAILED"
    PASSED = "PASSED"
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"
    XFAIL = "XFAIL"


Parser = Callable[[str], dict[str, str]]
_STATUSES = tuple(status.value for status in TestStatus)
_OPTION = re.compile(r"(.*?)\[(.*)\]")
_COLOUR = re.compile(r"\[(\d+)m")
_CONTROL = str.maketrans("", "", "".join(chr(code) for code in range(1, 32)))
_SYMPY_BANNER = re.compile(r"(_*) (.*)\.py:(.*) (_*)")
_DJANGO_7188 = "Applying sites.0002_alter_domain_unique...test_no_migrations"
_DJANGO_PASS = (" ... ok", " ... OK", " ...  OK")
# A test's "ok" pushed to the next line by a message the test run printed (the harness's list)
_DJANGO_INTERRUPTED = (
    re.compile(
        r"^(.*?)\s\.\.\.\sTesting\ against\ Django\ installed\ in\ ((?s:.*?))\ silenced\)\.\nok$",
        re.MULTILINE,
    ),
    re.compile(r"^(.*?)\s\.\.\.\sInternal\ Server\ Error:\ \/(.*)\/\nok$", re.MULTILINE),
    re.compile(
        r"^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$", re.MULTILINE
    ),
)


def _summary_line(line: str) -> tuple[str, str] | None:
    """(id, status) of a pytest ``-rA`` summary line (``STATUS id [- message]``), else None."""
    if not line.startswith(_STATUSES):
        return None
    if line.startswith(TestStatus.FAILED):
        line = line.replace(" - ", " ")
    words = line.split()
    return (words[1], words[0]) if len(words) > 1 else None


def parse_pytest(log: str) -> dict[str, str]:
    """pytest's ``-rA`` short summary: ``PASSED path::test``, ``FAILED path::test - why``."""
    statuses: dict[str, str] = {}
    for line in log.split("\n"):
        found = _summary_line(line)
        if found:
            statuses[found[0]] = found[1]
    return statuses


def parse_pytest_options(log: str) -> dict[str, str]:
    """pytest, with a parameter that is an absolute path cut to its last part (``[/x/y]``)."""
    statuses: dict[str, str] = {}
    for line in log.split("\n"):
        found = _summary_line(line)
        if found:
            statuses[_short_option(found[0])] = found[1]
    return statuses


def _short_option(test: str) -> str:
    option = _OPTION.search(test)
    if option is None:
        return test
    main, value = option.groups()
    if value.startswith("/") and not value.startswith("//") and "*" not in value:
        value = "/" + value.split("/")[-1]
    return f"{main}[{value}]"


def parse_pytest_v2(log: str) -> dict[str, str]:
    """pytest with colours and control characters removed; also ``id STATUS`` (verbose) lines."""
    statuses: dict[str, str] = {}
    for raw in log.split("\n"):
        line = _COLOUR.sub("", raw).translate(_CONTROL)
        if line.startswith(_STATUSES):
            if line.startswith(TestStatus.FAILED):
                line = line.replace(" - ", " ")
            words = line.split()
            if len(words) >= 2:
                statuses[words[1]] = words[0]
        elif line.endswith(_STATUSES):
            words = line.split()
            if len(words) >= 2:
                statuses[words[0]] = words[1]
    return statuses


def parse_matplotlib(log: str) -> dict[str, str]:
    """pytest, with mouse buttons spelled as numbers (ids were recorded that way)."""
    lines = (
        line.replace("MouseButton.LEFT", "1").replace("MouseButton.RIGHT", "3")
        for line in log.split("\n")
    )
    return parse_pytest("\n".join(lines))


def parse_seaborn(log: str) -> dict[str, str]:
    """seaborn's runs: FAILED summary lines, and PASSED either before or after the id."""
    statuses: dict[str, str] = {}
    for line in log.split("\n"):
        if line.startswith(TestStatus.FAILED):
            statuses[line.split()[1]] = TestStatus.FAILED
        elif f" {TestStatus.PASSED} " in line:
            words = line.split()
            if words[1] == TestStatus.PASSED:
                statuses[words[0]] = TestStatus.PASSED
        elif line.startswith(TestStatus.PASSED):
            statuses[line.split()[1]] = TestStatus.PASSED
    return statuses


def parse_sympy(log: str) -> dict[str, str]:
    """sympy's ``bin/test --verbose``: ``test_x ok`` / ``F`` / ``E`` lines, failure banners."""
    statuses: dict[str, str] = {
        f"{banner[1]}.py:{banner[2]}": TestStatus.FAILED for banner in _SYMPY_BANNER.findall(log)
    }
    for raw in log.split("\n"):
        line = raw.strip()
        if not line.startswith("test_"):
            continue
        for suffix, status in ((" E", "ERROR"), (" F", "FAILED"), (" ok", "PASSED")):
            if line.endswith(suffix):
                statuses[line.split()[0]] = status
    return statuses


def parse_django(log: str) -> dict[str, str]:
    """django's ``runtests.py --verbosity 2``: ``test_x (module.Class) ... ok|FAIL|ERROR``."""
    statuses: dict[str, str] = {}
    previous: str | None = None
    for raw in log.split("\n"):
        line = raw.strip()
        if "--version is equivalent to version" in line:
            statuses["--version is equivalent to version"] = TestStatus.PASSED
        if " ... " in line:
            previous = line.split(" ... ")[0]
        line = _django_line(line, statuses)
        if line.lstrip().startswith("ok") and previous is not None:
            statuses[previous] = TestStatus.PASSED  # output came between "..." and "ok"
    for pattern in _DJANGO_INTERRUPTED:
        for match in pattern.finditer(log):
            statuses[match.group(1)] = TestStatus.PASSED
    return statuses


def _django_line(line: str, statuses: dict[str, str]) -> str:
    """Record what one stripped line says; the line as the later checks see it."""
    for suffix in _DJANGO_PASS:
        if line.endswith(suffix):
            # A migration's message glued before a test (django__django-7188, in the harness)
            if line.strip().startswith(_DJANGO_7188):
                line = line.split("...", 1)[-1].strip()
            statuses[line.rsplit(suffix, 1)[0]] = TestStatus.PASSED
            break
    if " ... skipped" in line:
        statuses[line.split(" ... skipped")[0]] = TestStatus.SKIPPED
    if line.endswith(" ... FAIL"):
        statuses[line.split(" ... FAIL")[0]] = TestStatus.FAILED
    if line.startswith("FAIL:"):
        statuses[line.split()[1].strip()] = TestStatus.FAILED
    if line.endswith(" ... ERROR"):
        statuses[line.split(" ... ERROR")[0]] = TestStatus.ERROR
    if line.startswith("ERROR:"):
        statuses[line.split()[1].strip()] = TestStatus.ERROR
    return line


PARSERS: dict[str, Parser] = {
    "pytest": parse_pytest,
    "pytest_options": parse_pytest_options,
    "pytest_v2": parse_pytest_v2,
    "matplotlib": parse_matplotlib,
    "seaborn": parse_seaborn,
    "sympy": parse_sympy,
    "django": parse_django,
}
"""The log families, by the harness's function name without ``parse_log_``."""


def parser_family(name: str | None) -> str:
    """The family of a harness parser name (``parse_log_flask`` -> ``pytest``); default pytest."""
    if not name:
        return "pytest"
    if name in PARSERS:
        return name
    function = _aliases().get(name, name)
    family = function.removeprefix("parse_log_")
    return family if family in PARSERS else "pytest"


def parse_test_log(parser: str | None, log: str) -> dict[str, str]:
    """Per-test status of ``log`` as the named harness parser reads it (pytest when unknown)."""
    return PARSERS[parser_family(parser)](log)


@cache
def _aliases() -> dict[str, str]:
    data: dict[str, Any] = specs_data()
    aliases: dict[str, str] = data.get("log_parsers", {})
    return aliases
