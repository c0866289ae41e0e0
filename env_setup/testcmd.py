"""The test command of an instance as the SWE-bench harness builds it, and its log family.

For a repository the harness knows, the command is its spec's ``test_cmd`` followed by the
test directives of the test patch (``get_test_directives``: the files it touches, data files
left out; django's as module labels), with the spec's ``export`` lines before it and the
environment's venv first on PATH. ``tox --current-env`` (sphinx) is run as what it runs: the
testenv's commands from tox.ini with its setenv, ``pytest`` given ``-rA`` as the harness's
pre-install step makes it. Any other repository gets the generic command: pytest ``-rA`` on
the test files the named tests live in (or the test patch touches).

    command = harness_test_command("sympy/sympy", "1.4", test_patch=patch)
    command.command   # "export PATH=/opt/swe-venv/bin:$PATH; PYTHONWARNINGS=... bin/test -C ..."
"""

from __future__ import annotations

import configparser
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from env_setup.known import KnownSpec, Reader, known_versions, spec_for, specs_data, version_at
from env_setup.testlogs import parser_family

VENV = "/opt/swe-venv"
_DIFF_TARGET = re.compile(r"diff --git a/.* b/(.*)")
_TOX_ENV = re.compile(r"\{env:([^:}]+)(?::([^}]*))?\}")


@dataclass(frozen=True)
class TestCommand:
    """A shell command that runs an instance's tests, and how to read its output."""

    __test__ = False

    command: str  # run in the workspace
    parser: str  # a family of env_setup.testlogs.PARSERS
    directives: tuple[str, ...] = ()  # what the command names (files, labels)
    version: str | None = None  # the specs' version it was taken from; None: generic


def patch_directives(repo: str, test_patch: str) -> tuple[str, ...]:
    """The files (django: module labels) a test patch touches, as the harness passes them."""
    skip = tuple(specs_data().get("non_test_exts", ()))
    found = [d for d in _DIFF_TARGET.findall(test_patch) if not d.endswith(skip)]
    if repo.lower() == "django/django":
        found = [_django_label(d) for d in found]
    return tuple(found)


def _django_label(path: str) -> str:
    path = path.removesuffix(".py")
    return path.removeprefix("tests/").replace("/", ".")


def harness_test_command(
    repo: str,
    version: str | None,
    *,
    test_patch: str = "",
    named: Iterable[str] = (),
    read: Reader | None = None,
    venv: str = VENV,
) -> TestCommand:
    """The command that runs ``repo``'s tests at ``version`` (the generic one when unknown).

    ``named``: the instance's FAIL_TO_PASS and PASS_TO_PASS (the generic command's targets);
    ``read``: the repository's files at the commit (tox.ini, for ``tox --current-env``).
    """
    spec = _spec(repo, version)
    path = f"export PATH={shlex.quote(venv + '/bin')}:$PATH"
    if spec is None or not spec.test_cmd:
        targets = pytest_files(named) or [
            d for d in patch_directives(repo, test_patch) if d.endswith(".py")
        ]
        args = " ".join(shlex.quote(t) for t in targets)
        command = f"{path}; python -m pytest -rA -p no:cacheprovider {args}".rstrip()
        return TestCommand(command, "pytest", tuple(targets))
    directives = tuple(shlex.quote(d) for d in patch_directives(repo, test_patch))
    exports = [line for line in spec.eval_commands if line.startswith("export ")]
    if spec.test_cmd.startswith("tox "):
        run = _tox_run(spec.test_cmd, directives, read)
    else:
        run = " ".join([spec.test_cmd, *directives])
    if run.startswith("pytest "):
        exports.append(_OLD_PYTEST)
    command = "; ".join([path, *exports, run])
    return TestCommand(command, parser_family(spec.log_parser), directives, spec.version)


# pytest before 3.0 installs its command as py.test only (requests' pins of 2015: 2.8.1).
_OLD_PYTEST = 'command -v pytest >/dev/null || pytest() { py.test "$@"; }'


def pytest_files(named: Iterable[str]) -> list[str]:
    """The test files named tests live in, in order (ids that name no file are left out)."""
    files: list[str] = []
    for test in named:
        file = test.split("::", 1)[0]
        if file.endswith(".py") and " " not in file and file not in files:
            files.append(file)
    return files


def _spec(repo: str, version: str | None) -> KnownSpec | None:
    """The spec of ``version``, else of the nearest known version (the command rarely moves)."""
    versions = known_versions(repo)
    if not versions:
        return None
    exact = spec_for(repo, version)
    if exact is not None or not version:
        return exact or spec_for(repo, versions[-1])
    near = version_at(repo, lambda _path: None, describe=version)
    return spec_for(repo, near or versions[-1])


def _tox_run(test_cmd: str, directives: tuple[str, ...], read: Reader | None) -> str:
    """``tox --current-env -eENV -- ARGS`` as the commands it runs in the current environment.

    The testenv's setenv is exported (``{env:NAME:default}`` read from the environment), its
    commands run in order with the directives where ``{posargs}`` stands, and ``pytest`` gets
    ``-rA`` (the harness's pre-install ``sed -i 's/pytest/pytest -rA/' tox.ini``).
    """
    text = read("tox.ini") if read is not None else None
    env = re.search(r"-e\s*(\S+)", test_cmd)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text or "")
    except configparser.Error:
        text = None
    name = f"testenv:{env.group(1)}" if env else "testenv"
    section = name if parser.has_section(name) else "testenv"
    posargs = " ".join(directives)
    if not text or not parser.has_option(section, "commands"):
        return f"python -m pytest -rA {posargs}".rstrip()
    exports = [_export(line) for line in _lines(parser.get(section, "setenv", fallback=""))]
    commands = [
        line.replace("pytest", "pytest -rA", 1).replace("{posargs}", posargs).strip()
        for line in _lines(parser.get(section, "commands"))
    ]
    return "; ".join([*(e for e in exports if e), " && ".join(commands)])


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _export(line: str) -> str | None:
    name, sep, value = line.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip()):
        return None
    quoted = value.strip()
    for char in ("\\", '"', "`", "$"):
        quoted = quoted.replace(char, "\\" + char)
    expanded = _TOX_ENV.sub(lambda m: f"${{{m.group(1)}:-{m.group(2) or ''}}}", quoted)
    return f'export {name.strip()}="{expanded}"'
