"""Readers for pyproject.toml (PEP 621, poetry, hatch, flit, pdm, setuptools) and Pipfile."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from env_setup.facts import Facts, add_unique
from env_setup.model import Packaging, TestRunner

_BACKENDS = {
    "poetry": Packaging.POETRY,
    "hatchling": Packaging.HATCH,
    "flit": Packaging.FLIT,
    "pdm": Packaging.PDM,
    "setuptools": Packaging.SETUPTOOLS,
}
_TEST_GROUPS = ("test", "tests", "testing", "dev", "develop")


def load_toml(path: Path, facts: Facts) -> dict[str, Any]:
    """Parse a TOML file; a broken file is a note, not a failure."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as exc:
        facts.notes.append(f"{path.name}: not valid TOML ({exc})")
        return {}


def read_pyproject(path: Path, facts: Facts) -> None:
    """Take in pyproject.toml: metadata, build backend, tool sections."""
    data = load_toml(path, facts)
    build = data.get("build-system") or {}
    backend = str(build.get("build-backend", ""))
    for key, kind in _BACKENDS.items():
        if key in backend:
            facts.add_packaging(kind)
    if build or "project" in data:
        facts.installable = True
    add_unique(facts.build_requires, [str(r) for r in build.get("requires") or []])
    scm_names = ("setuptools_scm", "setuptools-scm", "hatch-vcs", "hatch_vcs")
    if any(r.lower().startswith(scm_names) for r in facts.build_requires):
        facts.uses_scm = True
    _read_project_table(data.get("project") or {}, facts)
    _read_dependency_groups(data.get("dependency-groups") or {}, facts)
    tool = data.get("tool") or {}
    _read_poetry(tool.get("poetry") or {}, facts)
    _read_hatch(tool.get("hatch") or {}, facts)
    _read_flit(tool.get("flit") or {}, facts)
    _read_pdm(tool.get("pdm") or {}, facts)
    if "setuptools" in tool:
        facts.add_packaging(Packaging.SETUPTOOLS)
    pytest = (tool.get("pytest") or {}).get("ini_options")
    if isinstance(pytest, dict):
        facts.add_pytest_ini(pytest, "pyproject.toml")
    legacy_tox = (tool.get("tox") or {}).get("legacy_tox_ini")
    if isinstance(legacy_tox, str):
        from env_setup.read_tools import read_tox_text

        read_tox_text(legacy_tox, facts, source="pyproject.toml [tool.tox]")


def _read_project_table(project: dict[str, Any], facts: Facts) -> None:
    if not project:
        return
    facts.add_packaging(Packaging.PEP621)
    facts.package_name = facts.package_name or project.get("name")
    if project.get("requires-python"):
        facts.requires_python.append((str(project["requires-python"]), "pyproject.toml"))
    facts.add_classifiers(list(project.get("classifiers") or []))
    add_unique(facts.dependencies, [str(d) for d in project.get("dependencies") or []])
    for extra, reqs in (project.get("optional-dependencies") or {}).items():
        facts.extras[str(extra)] = [str(r) for r in reqs]


def _read_dependency_groups(groups: dict[str, Any], facts: Facts) -> None:
    """PEP 735 groups are not installed by `pip install -e .`; test groups become requirements."""
    for name in _TEST_GROUPS:
        for item in groups.get(name) or []:
            if isinstance(item, str):
                add_unique(facts.test_requirements, [item])


def _read_poetry(poetry: dict[str, Any], facts: Facts) -> None:
    if not poetry:
        return
    facts.add_packaging(Packaging.POETRY)
    facts.installable = True
    facts.package_name = facts.package_name or poetry.get("name")
    deps = dict(poetry.get("dependencies") or {})
    python = deps.pop("python", None)
    if isinstance(python, str):
        facts.requires_python.append((poetry_constraint(python), "pyproject.toml [tool.poetry]"))
    facts.add_classifiers(list(poetry.get("classifiers") or []))
    add_unique(facts.dependencies, _poetry_requirements(deps))
    dev_tables = [poetry.get("dev-dependencies") or {}]
    for name, group in (poetry.get("group") or {}).items():
        if name in _TEST_GROUPS:
            dev_tables.append(group.get("dependencies") or {})
    for table in dev_tables:
        add_unique(facts.test_requirements, _poetry_requirements(table))
    for extra, names in (poetry.get("extras") or {}).items():
        facts.extras[str(extra)] = [str(n) for n in names]
    scripts = poetry.get("scripts") or {}
    if "test" in scripts:
        facts.notes.append("poetry defines a `test` script")


def _poetry_requirements(table: dict[str, Any]) -> list[str]:
    """Poetry's `name = "^1.2"` tables as PEP 508 strings; git and path dependencies are skipped."""
    out = []
    for name, spec in table.items():
        if name == "python":
            continue
        if isinstance(spec, list):
            spec = spec[0] if spec else "*"
        if isinstance(spec, dict):
            if any(key in spec for key in ("git", "path", "url")):
                continue
            extras = spec.get("extras") or []
            version = str(spec.get("version", "*"))
            name = f"{name}[{','.join(extras)}]" if extras else name
            spec = version
        out.append(f"{name}{poetry_constraint(str(spec))}")
    return out


def poetry_constraint(spec: str) -> str:
    """Translate poetry's caret / tilde / wildcard constraints into PEP 440 specifiers."""
    parts = [p.strip() for p in re.split(r",|\s+(?=[<>=!~^])", spec.strip()) if p.strip()]
    if "||" in spec:
        # An "or" has no PEP 440 spelling; keeping the lowest alternative is a good enough guide.
        parts = [spec.split("||")[0].strip()]
    out = [_one_poetry_constraint(p) for p in parts]
    return ",".join(o for o in out if o)


def _one_poetry_constraint(part: str) -> str:
    if part in ("*", ""):
        return ""
    if part.startswith("^"):
        nums = [int(n) for n in re.findall(r"\d+", part)[:3]]
        upper = _caret_upper(nums)
        return f">={part[1:]},<{upper}"
    if part.startswith("~") and not part.startswith("~="):
        nums = [int(n) for n in re.findall(r"\d+", part)[:3]]
        upper = f"{nums[0] + 1}.0" if len(nums) == 1 else f"{nums[0]}.{nums[1] + 1}"
        return f">={part[1:]},<{upper}"
    if part.endswith(".*") and not part.startswith(("=", "!")):
        return f"=={part}"
    if re.match(r"^\d", part):
        return f"=={part}"
    return part


def _caret_upper(nums: list[int]) -> str:
    for index, value in enumerate(nums):
        if value != 0 or index == len(nums) - 1:
            bumped = nums[:index] + [value + 1]
            return ".".join(str(n) for n in bumped)
    return "1"


def _read_hatch(hatch: dict[str, Any], facts: Facts) -> None:
    envs = hatch.get("envs") or {}
    if not envs:
        return
    facts.add_packaging(Packaging.HATCH)
    for name in ("default", *_TEST_GROUPS):
        env = envs.get(name) or {}
        add_unique(facts.test_requirements, [str(d) for d in env.get("dependencies") or []])
        for extra in env.get("features") or []:
            add_unique(facts.mentioned_extras, [str(extra)])
        for script_name, script in (env.get("scripts") or {}).items():
            if "test" in script_name or "cov" in script_name:
                for line in script if isinstance(script, list) else [script]:
                    facts.add_test_command(str(line), f"hatch script {name}:{script_name}")
        for matrix in env.get("matrix") or []:
            facts.add_ci_python(matrix.get("python") or [])


def _read_flit(flit: dict[str, Any], facts: Facts) -> None:
    metadata = flit.get("metadata") or {}
    if not (metadata or flit.get("module")):
        return
    facts.add_packaging(Packaging.FLIT)
    facts.installable = True
    module = metadata.get("module")
    facts.package_name = facts.package_name or module
    if metadata.get("requires-python"):
        facts.requires_python.append((str(metadata["requires-python"]), "[tool.flit.metadata]"))
    facts.add_classifiers(list(metadata.get("classifiers") or []))
    add_unique(facts.dependencies, [str(d) for d in metadata.get("requires") or []])
    for extra, reqs in (metadata.get("requires-extra") or {}).items():
        facts.extras[str(extra)] = [str(r) for r in reqs]


def _read_pdm(pdm: dict[str, Any], facts: Facts) -> None:
    if not pdm:
        return
    facts.add_packaging(Packaging.PDM)
    dev = pdm.get("dev-dependencies") or {}
    for name in _TEST_GROUPS:
        add_unique(facts.test_requirements, [str(d) for d in dev.get(name) or []])
    for script_name, script in (pdm.get("scripts") or {}).items():
        if "test" in script_name:
            text = script if isinstance(script, str) else str(script.get("cmd", ""))
            facts.add_test_command(text, f"pdm script {script_name}")


def read_pipfile(path: Path, facts: Facts) -> None:
    """Take in a Pipfile: packages are dependencies, dev-packages test requirements."""
    data = load_toml(path, facts)
    facts.add_packaging(Packaging.PIPFILE)
    version = (data.get("requires") or {}).get("python_version")
    if version:
        facts.requires_python.append((f"=={version}.*", "Pipfile"))
        facts.add_ci_python(str(version))
    add_unique(facts.dependencies, _pipfile_requirements(data.get("packages") or {}))
    dev = _pipfile_requirements(data.get("dev-packages") or {})
    add_unique(facts.test_requirements, dev)
    for req in dev:
        if req.lower().startswith("pytest"):
            facts.vote(TestRunner.PYTEST, "pytest in Pipfile dev-packages")


def _pipfile_requirements(table: dict[str, Any]) -> list[str]:
    out = []
    for name, spec in table.items():
        if isinstance(spec, dict):
            if any(key in spec for key in ("git", "path", "file", "editable")):
                continue
            extras = spec.get("extras") or []
            name = f"{name}[{','.join(extras)}]" if extras else name
            spec = spec.get("version", "*")
        spec = str(spec)
        out.append(name if spec in ("*", "") else f"{name}{spec}")
    return out
