"""Detection: read a repository's packaging, test and CI files into one `Detection`."""

from __future__ import annotations

import os
from pathlib import Path

from common import git_stdout
from env_setup.errors import BadRepository
from env_setup.facts import DEV_EXTRA_NAMES, TEST_EXTRA_NAMES, Facts, add_unique
from env_setup.model import Detection, TestRunner
from env_setup.read_pyproject import read_pipfile, read_pyproject
from env_setup.read_requirements import read_conda_env, read_requirement_files
from env_setup.read_setup import read_noxfile, read_setup_cfg, read_setup_py
from env_setup.read_tools import (
    read_docs,
    read_makefile,
    read_pytest_ini,
    read_tox_ini,
    read_workflows,
)

_SKIP_DIRS = {
    ".git",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "env",
    "node_modules",
    "build",
    "dist",
    "docs",
    "doc",
    "examples",
    "example",
    "benchmarks",
    "scripts",
    "tools",
    "site-packages",
    ".swe-agent",
    "__pycache__",
    ".eggs",
    "tests",
    "test",
    "testing",
}
_TEST_DIRS = ("tests", "test", "testing", "t")
# The files readers take in; the order matters only for which name wins (first one sticks).
_READERS = (
    ("pyproject.toml", read_pyproject),
    ("setup.cfg", read_setup_cfg),
    ("setup.py", read_setup_py),
    ("Pipfile", read_pipfile),
    ("environment.yml", read_conda_env),
    ("environment.yaml", read_conda_env),
    ("tox.ini", read_tox_ini),
    ("pytest.ini", read_pytest_ini),
    ("noxfile.py", read_noxfile),
    ("Makefile", read_makefile),
)
# Among runners with evidence, the one we would rather drive: pytest runs unittest and nose-style
# suites too and has a collect-only mode; tox and make re-create environments we already built.
_RUNNER_PREFERENCE = (
    TestRunner.PYTEST,
    TestRunner.NOSE,
    TestRunner.UNITTEST,
    TestRunner.SCRIPT,
    TestRunner.MAKE,
    TestRunner.TOX,
)


def detect(root: Path, *, commit_date: str | None = None) -> Detection:
    """Read every packaging, test and CI file of the repository at `root` (nothing is run)."""
    root = root.resolve()
    if not root.is_dir():
        raise BadRepository(f"{root} is not a directory", hint="pass the path of a repository")
    facts = Facts()
    for name, reader in _READERS:
        path = root / name
        if path.is_file():
            add_unique(facts.dependency_files, [name])
            reader(path, facts)
    read_requirement_files(root, facts)
    read_workflows(root, facts)
    read_docs(root, facts)
    packages = top_level_packages(root, facts.package_name)
    test_files = find_test_files(root)
    return _freeze(
        facts,
        packages=packages,
        test_files=test_files,
        root=root,
        commit_date=commit_date or commit_date_of(root),
    )


def _freeze(
    facts: Facts, *, packages: list[str], test_files: list[str], root: Path, commit_date: str | None
) -> Detection:
    runner, evidence, command = choose_runner(facts, has_tests=bool(test_files))
    test_paths = [p for p in facts.test_paths if (root / p).exists()] or _test_dirs(root)
    return Detection(
        packaging=tuple(facts.packaging),
        installable=facts.installable,
        requires_python=",".join(spec for spec, _ in facts.requires_python[:1]) or None,
        classifier_pythons=tuple(facts.classifier_pythons),
        ci_pythons=tuple(facts.ci_pythons),
        commit_date=commit_date,
        dependencies=tuple(r for r in facts.dependencies if is_requirement(r)),
        test_extras=tuple(choose_test_extras(facts)),
        extras=tuple(facts.extras),
        test_requirements=tuple(r for r in facts.test_requirements if is_requirement(r)),
        requirement_files=tuple(facts.requirement_files),
        file_requirements=tuple(r for r in facts.file_requirements if is_requirement(r)),
        constraint_files=tuple(facts.constraint_files),
        dependency_files=tuple(facts.dependency_files),
        build_requires=tuple(r for r in facts.build_requires if is_requirement(r)),
        uses_scm=facts.uses_scm,
        uses_versioneer=facts.uses_versioneer,
        test_runner=runner,
        test_runner_evidence=evidence,
        test_command_hint=command,
        test_plugins=tuple(facts.test_plugins),
        test_paths=tuple(test_paths),
        top_level_packages=tuple(packages),
        has_tests=bool(test_files),
        compiles=has_compiled_sources(root),
        make_test_target=facts.make_test_target,
        install_snippets=tuple(facts.install_snippets),
        notes=tuple(facts.notes),
    )


def is_requirement(text: str) -> bool:
    """True for a PEP 508 requirement pip can take as an argument (no URL, path or option)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text).url is None
    except InvalidRequirement:
        return False


def choose_runner(facts: Facts, *, has_tests: bool) -> tuple[TestRunner | None, str, str | None]:
    """The runner with evidence that we prefer, why, and a concrete command if one was seen."""
    for runner in _RUNNER_PREFERENCE:
        votes = [v for v in facts.runner_votes if v[0] is runner]
        if votes:
            command = next((c for _, _, c in votes if c), None)
            return runner, votes[0][1], command
    if has_tests:
        return (
            TestRunner.PYTEST,
            "test files found and no runner named (pytest runs unittest too)",
            None,
        )
    return None, "no tests found", None


def choose_test_extras(facts: Facts) -> list[str]:
    """Extras that carry test tools: named like tests, or named by CI / tox / docs installs."""
    chosen = [name for name in facts.extras if name.lower() in TEST_EXTRA_NAMES]
    chosen += [n for n in facts.mentioned_extras if n in facts.extras and n not in chosen]
    if not any(_has_pytest(facts.extras[name]) for name in chosen):
        chosen += [n for n in facts.extras if n.lower() in DEV_EXTRA_NAMES and n not in chosen]
    if not chosen:
        chosen = [n for n, reqs in facts.extras.items() if _has_pytest(reqs)][:1]
    return chosen


def _has_pytest(requirements: list[str]) -> bool:
    return any(r.lower().startswith(("pytest", "nose")) for r in requirements)


def top_level_packages(root: Path, package_name: str | None) -> list[str]:
    """Importable top-level packages at the root or under src/ (tests and tooling excluded)."""
    found: list[str] = []
    for base in (root, root / "src", root / "lib"):
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            name = child.name
            if name in _SKIP_DIRS or name.startswith((".", "_")) or not name.isidentifier():
                continue
            if child.is_dir() and (child / "__init__.py").is_file():
                found.append(name)
    if not found and package_name:
        module = package_name.replace("-", "_").lower()
        if (root / f"{module}.py").is_file() or (root / "src" / f"{module}.py").is_file():
            found.append(module)
    return found


def find_test_files(root: Path, *, limit: int = 50) -> list[str]:
    """Up to `limit` files that look like tests (test_*.py, *_test.py, tests/*.py)."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [
            d
            for d in dirnames
            if d
            not in {
                ".git",
                ".tox",
                ".nox",
                ".venv",
                "node_modules",
                ".swe-agent",
                "__pycache__",
                "build",
            }
        ]
        for name in filenames:
            if name.endswith(".py") and (
                name.startswith("test_")
                or name.endswith("_test.py")
                or (name.startswith("test") and name != "testing.py")
            ):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
                if len(found) >= limit:
                    return found
    return found


_COMPILED = (".pyx", ".c", ".cc", ".cpp", ".cxx", ".f", ".f90")
_NOT_BUILT = {"docs", "doc", "examples", "tests", "test", "benchmarks", "build", "node_modules"}


def has_compiled_sources(root: Path) -> bool:
    """Whether the repository holds C, C++, Cython or Fortran sources outside docs and tests.

    Such code is built against its dependencies' headers and Cython of the day it is installed.
    """
    for _dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _NOT_BUILT and not d.startswith(".")]
        if any(name.endswith(_COMPILED) for name in filenames):
            return True
    return False


def _test_dirs(root: Path) -> list[str]:
    return [name for name in _TEST_DIRS if (root / name).is_dir()]


def commit_date_of(root: Path, rev: str = "HEAD") -> str | None:
    """The committer date (ISO) of `rev`, or None when `root` is not a git repository."""
    return git_stdout("log", "-1", "--format=%cI", rev, cwd=root, timeout=30) or None
