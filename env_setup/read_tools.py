"""Readers for tool configuration: tox.ini, pytest.ini, Makefile, CI workflows, README snippets."""

from __future__ import annotations

import configparser
import re
from pathlib import Path
from typing import Any

from env_setup.facts import Facts, add_unique
from env_setup.model import TestRunner

_MAKE_TEST_TARGETS = ("test", "tests", "check", "unittest", "unit", "pytest")
_MAKE_TARGET = re.compile(r"^([A-Za-z0-9_.\-]+)\s*:(?!=)")
_PIP_INSTALL = re.compile(r"(?:^|[\s;&|`$(])((?:python\d?(?:\.\d+)? -m )?pip3? install [^\n;&|`]+)")
_EXTRAS = re.compile(r"\.\[([A-Za-z0-9_,\- ]+)\]")


def read_tox_ini(path: Path, facts: Facts) -> None:
    """Take in tox.ini."""
    read_tox_text(path.read_text(encoding="utf-8", errors="replace"), facts, source="tox.ini")


def read_tox_text(text: str, facts: Facts, *, source: str) -> None:
    """Take in tox configuration text: env list, test deps, extras, commands, [pytest]."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        facts.notes.append(f"{source}: unreadable ({exc.__class__.__name__})")
        return
    if parser.has_section("tox"):
        facts.add_ci_python(parser.get("tox", "envlist", fallback=""))
    for section in ("testenv", "testenv:py", "testenv:test", "testenv:tests", "testenv:unit"):
        if parser.has_section(section):
            _read_testenv(dict(parser.items(section)), facts, f"{source} [{section}]")
    if parser.has_section("pytest"):
        facts.add_pytest_ini(dict(parser.items("pytest")), f"{source} [pytest]")


def _read_testenv(env: dict[str, str], facts: Facts, source: str) -> None:
    for line in env.get("deps", "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "{" in line:
            continue  # `{[base]deps}` substitutions and factor conditions are tox's business
        if line.startswith(("-r", "-c")):
            continue  # requirement files are found by the requirements reader
        add_unique(facts.test_requirements, [line.split(" #")[0].strip()])
    for extra in re.split(r"[\s,]+", env.get("extras", "")):
        if extra and "{" not in extra and ":" not in extra:
            add_unique(facts.mentioned_extras, [extra])
    commands = env.get("commands", "")
    for line in commands.splitlines():
        facts.add_test_command(line.replace("{posargs}", "").strip(), source)
    facts.vote(TestRunner.TOX, f"{source} exists")


def read_pytest_ini(path: Path, facts: Facts) -> None:
    """Take in pytest.ini (its [pytest] section)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        facts.vote(TestRunner.PYTEST, f"{path.name} exists")
        return
    section = "pytest" if parser.has_section("pytest") else "tool:pytest"
    options = dict(parser.items(section)) if parser.has_section(section) else {}
    facts.add_pytest_ini(options, path.name)


def read_makefile(path: Path, facts: Facts) -> None:
    """Find a test target in a Makefile and what its recipe runs."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    targets: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        match = _MAKE_TARGET.match(line)
        if match:
            current = match[1]
            targets.setdefault(current, [])
        elif current and line.startswith("\t"):
            targets[current].append(line.strip().lstrip("@-"))
        elif line.strip() and not line.startswith("#"):
            current = None
    for name in _MAKE_TEST_TARGETS:
        if name in targets:
            facts.make_test_target = name
            facts.vote(TestRunner.MAKE, f"Makefile target `{name}`", f"make {name}")
            for recipe in targets[name]:
                facts.add_test_command(recipe, f"Makefile `{name}` recipe")
            return


def read_workflows(root: Path, facts: Facts) -> None:
    """Take in GitHub Actions workflows and .travis.yml: Python matrix, install and test steps."""
    import yaml

    paths = sorted((root / ".github" / "workflows").glob("*.y*ml")) + [root / ".travis.yml"]
    for path in paths:
        if not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))
        except yaml.YAMLError:
            facts.notes.append(f"{path.name}: not valid YAML")
            continue
        if isinstance(data, dict):
            _walk_ci(data, facts, source=path.name)


def _walk_ci(node: Any, facts: Facts, *, source: str) -> None:
    """Visit every mapping: python-version keys, `run:` scripts, travis `python:` lists."""
    if isinstance(node, list):
        for item in node:
            _walk_ci(item, facts, source=source)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("python-version", "python_version", "python", "python-versions"):
            facts.add_ci_python(value if isinstance(value, list) else str(value))
        elif key in ("run", "script", "install", "before_install") and _script_lines(value):
            # Only text or a list of text is a script; a job may be named `install` too.
            for line in _script_lines(value):
                _take_shell_line(line, facts, source=source)
        else:
            _walk_ci(value, facts, source=source)


def _script_lines(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.splitlines()
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float)]
    return []


def _take_shell_line(line: str, facts: Facts, *, source: str) -> None:
    for match in _PIP_INSTALL.finditer(line):
        snippet = match[1].strip()
        add_unique(facts.install_snippets, [snippet])
        for extras in _EXTRAS.findall(snippet):
            add_unique(facts.mentioned_extras, [e.strip() for e in extras.split(",") if e.strip()])
    facts.add_test_command(line, source)


def read_docs(root: Path, facts: Facts) -> None:
    """Collect `pip install` snippets from README and CONTRIBUTING (extras they name count)."""
    for pattern in ("README*", "CONTRIBUTING*", "docs/CONTRIBUTING*", ".github/CONTRIBUTING*"):
        for path in sorted(root.glob(pattern)):
            if not path.is_file() or path.stat().st_size > 512_000:
                continue
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                for match in _PIP_INSTALL.finditer(line.strip().lstrip("$> ")):
                    snippet = match[1].strip().rstrip("`")
                    add_unique(facts.install_snippets, [snippet])
                    for extras in _EXTRAS.findall(snippet):
                        names = [e.strip() for e in extras.split(",") if e.strip()]
                        add_unique(facts.mentioned_extras, names)
