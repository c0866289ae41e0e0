"""Project-wide rules that a tool can check: module size, import hygiene, CLI start-up."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app

ROOT = Path(__file__).resolve().parents[1]
# import-linter's root_packages (pyproject.toml): the one list of the project's packages
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
HEAVY = ["textual", "docker", "litellm", "jedi", "llama_cpp", "ray"]
MAX_MODULE_LINES = 400


def test_no_module_over_the_size_limit() -> None:
    oversize = [
        f"{path.relative_to(ROOT)} ({n} lines)"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not oversize, f"split these modules into named parts: {oversize}"


def test_no_import_cycles() -> None:
    """No module reaches itself through imports, lazy and type-only ones included (a module's
    import of its own package's __init__, which re-exports it, aside)."""
    import grimp
    import networkx as nx

    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    edges = nx.DiGraph(
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if not module.startswith(other + ".")
    )
    cycles = [sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1]
    assert not cycles, f"break these import cycles: {cycles}"


def test_one_definition_of_each_idea() -> None:
    """Ideas that had several homes have one: every user-facing error derives from
    common.UserError (none is recognised by its attributes), one atomic writer, one git
    runner, one rule of what a test path is, run folders in swe_agent/runs.py, diff text read
    in patches/, one StopReason and one Submitted."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import code_metrics
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert code_metrics.error_bases(ROOT) == ["common/errors.py:6: class UserError(Exception)"]
    duck = code_metrics.duck_typed_errors(ROOT)
    assert all(item.startswith("swe_agent/cli/__init__.py") for item in duck)  # click's errors
    writers = [w for w in code_metrics.atomic_writers(ROOT) if not w.startswith("common/")]
    # A checkout moved into place, where another worker's whole one may already be.
    assert [w.split(": ", 1)[1] for w in writers] == ["def _move_into_place"]
    # git in the sandbox (no project code there) and one long-lived `cat-file --batch`.
    gits = sorted(g.split(":")[0] for g in code_metrics.git_runners(ROOT))
    assert gits == ["sandbox/workspace.py", "swe_agent/agent/sandbox_tools.py"]
    assert all(i.startswith("common/paths.py") for i in code_metrics.test_path_rules(ROOT))
    assert all(i.startswith("swe_agent/runs.py") for i in code_metrics.run_folder_owners(ROOT))
    assert all(i.startswith("patches/") for i in code_metrics.diff_parsers(ROOT))
    assert code_metrics.classes_named("StopReason")(ROOT) == [
        "search/budget.py:17: class StopReason"
    ]
    (submitted,) = code_metrics.classes_named("Submitted")(ROOT)
    assert submitted.startswith("swe_agent/agent/sandbox_tools.py")  # the in-sandbox submit()'s


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return {name.split(".")[0] for name in json.loads(out)}


@pytest.mark.parametrize("package", ["repo_graph", "localization", "search", "patches"])
def test_base_packages_import_no_heavy_library(package: str) -> None:
    loaded = _loaded_after(f"import {package}")
    assert not loaded & {"textual", "docker", "litellm", "llama_cpp", "ray"}


def test_cli_help_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import swe_agent.cli")
    assert not loaded & set(HEAVY)


def test_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("swe-agent ")
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Examples" in result.output


def _commands(group, prefix=()):  # type: ignore[no-untyped-def]
    import typer.main

    click_group = typer.main.get_command(group)
    stack = [(click_group, list(prefix))]
    while stack:
        command, path = stack.pop()
        yield path
        for name, sub in getattr(command, "commands", {}).items():
            stack.append((sub, [*path, name]))


@pytest.mark.parametrize("path", list(_commands(app)), ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
