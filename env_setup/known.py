"""Known repositories: the SWE-bench harness's per-repository, per-version specs, as a prior.

The data (env_setup/data/swebench_specs.json) is extracted from the official harness by
``python -m env_setup.refresh_known``; it is read with json, never executed. For a repository
it knows, the specs say which Python, pins, pre-install steps, install and test command make its
SWE-bench instances run, and which log parser reads its test output. Every other repository
gets none and the generic rules decide.

    spec = spec_for("sympy/sympy", version_at("sympy/sympy", read_at(root, commit)))
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from common import git_stdout, run_git

# Reads a file of the repository by its relative path; None when it is absent.
Reader = Callable[[str], str | None]
_NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class KnownSpec:
    """What the harness records for one repository at one version."""

    repo: str
    version: str
    python: str
    install: str | None = None
    packages: str | None = None  # conda packages, or "requirements.txt" / "environment.yml"
    pip_packages: tuple[str, ...] = ()
    pre_install: tuple[str, ...] = ()
    eval_commands: tuple[str, ...] = ()
    test_cmd: str | None = None
    log_parser: str | None = None  # the harness's parser function name, e.g. parse_log_sympy
    reqs_paths: tuple[str, ...] = ()
    env_yml_paths: tuple[str, ...] = ()
    no_use_env: bool = False
    execute_test_as_nonroot: bool = False


@cache
def specs_data() -> dict[str, Any]:
    """The whole data file: ``repos``, ``log_parsers``, ``non_test_exts``, ``fail_only_repos``."""
    text = resources.files("env_setup").joinpath("data/swebench_specs.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _data() -> dict[str, Any]:
    repos: dict[str, Any] = specs_data()["repos"]
    return repos


def known_repos() -> tuple[str, ...]:
    """Every repository (OWNER/NAME) the specs cover."""
    return tuple(sorted(_data()))


def known_versions(repo: str) -> tuple[str, ...]:
    """The versions the specs cover for ``repo``, oldest first (none for an unknown one)."""
    versions = _data().get(_canonical(repo), {}).get("versions", {})
    return tuple(sorted(versions, key=_order))


def log_parser(repo: str) -> str | None:
    """The harness's log parser name for ``repo`` (None when it is not known)."""
    parser: str | None = _data().get(_canonical(repo), {}).get("log_parser")
    return parser


def spec_for(repo: str, version: str | None) -> KnownSpec | None:
    """The spec of ``repo`` at ``version`` (a key of the specs), or None."""
    entry = _data().get(_canonical(repo))
    if entry is None or version is None or version not in entry["versions"]:
        return None
    raw = entry["versions"][version]
    return KnownSpec(
        repo=_canonical(repo),
        version=version,
        python=raw["python"],
        install=raw.get("install"),
        packages=raw.get("packages"),
        pip_packages=tuple(raw.get("pip_packages", ())),
        pre_install=tuple(raw.get("pre_install", ())),
        eval_commands=tuple(raw.get("eval_commands", ())),
        test_cmd=_test_cmd(raw.get("test_cmd")),
        log_parser=entry.get("log_parser"),
        reqs_paths=tuple(entry.get("reqs_paths", ())),
        env_yml_paths=tuple(entry.get("env_yml_paths", ())),
        no_use_env=bool(raw.get("no_use_env", False)),
        execute_test_as_nonroot=bool(raw.get("execute_test_as_nonroot", False)),
    )


def version_at(repo: str, read: Reader, *, describe: str | None = None) -> str | None:
    """The specs' version key that fits the repository as ``read`` sees it.

    The version is what the project's version file says (the harness's own paths and patterns),
    else ``describe`` (``git describe --tags`` of the commit); it is cut to the precision of
    the specs' keys ("1.4.dev" -> "1.4", "2022.03.0" -> "2022.03"), and a version between two
    keys takes the lower one (a development version belongs to the release line it starts from).
    """
    entry = _data().get(_canonical(repo))
    if entry is None:
        return None
    raw = _from_files(entry, read) or describe
    return _nearest(raw, tuple(entry["versions"])) if raw else None


def read_at(root: Path, commit: str | None = None) -> Reader:
    """A reader of ``root``'s files: at ``commit`` through git, else from the work tree."""

    def read(path: str) -> str | None:
        if commit is None:
            file = root / path
            return file.read_text("utf-8", errors="replace") if file.is_file() else None
        shown = run_git("show", f"{commit}:{path}", cwd=root)
        return shown.stdout.decode("utf-8", "replace") if shown.returncode == 0 else None

    return read


def describe_at(root: Path, commit: str = "HEAD") -> str | None:
    """``git describe --tags`` of ``commit`` without its leading "v" (None when no tag reaches)."""
    tag = git_stdout("describe", "--tags", "--abbrev=0", commit, cwd=root)
    return tag.lstrip("vV") or None if tag is not None else None


def _canonical(repo: str) -> str:
    for known in _data():
        if known.lower() == repo.lower():
            return known
    return repo


def _test_cmd(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return " && ".join(value)
    return value


# Where a project without the harness's version paths states its version (astropy's setup.py
# says VERSION = '3.1.dev' while its release tags sit on branches git describe does not reach).
_PACKAGING_VERSION = (
    ("setup.py", r"^VERSION\s*=\s*['\"]([\w.+\-]+)['\"]"),
    ("setup.py", r"^\s*version\s*=\s*['\"](\d[\w.+\-]*)['\"]"),
    ("setup.cfg", r"^version\s*=\s*(\d[\w.+\-]*)\s*$"),
)


def _from_files(entry: dict[str, Any], read: Reader) -> str | None:
    for path in entry.get("version_paths", ()):
        text = read(path)
        if text is None:
            continue
        for pattern in entry.get("version_patterns", ()):
            found = re.search(pattern, text)
            if found:
                return _tuple_version(found.group(1)) if "(" in pattern else found.group(1)
    for path, pattern in _PACKAGING_VERSION:
        text = read(path)
        found = re.search(pattern, text, re.MULTILINE) if text else None
        if found:
            return found.group(1)
    return None


def _tuple_version(text: str) -> str:
    """Django's ``VERSION = (3, 0, 0, "alpha", 0)`` and the like, as "3.0.0"."""
    return ".".join(_NUMBERS.findall(text)[:3])


def _order(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in _NUMBERS.findall(version))


def _nearest(raw: str, keys: tuple[str, ...]) -> str | None:
    """The key ``raw`` belongs to: the same numbers at the keys' precision, else the lower key."""
    numbers = _order(raw)
    if not numbers or not keys:
        return None
    by_order = sorted(keys, key=_order)
    lower = [k for k in by_order if _order(k) <= numbers[: len(_order(k))]]
    return lower[-1] if lower else by_order[0]
