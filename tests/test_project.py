"""Project-wide rules that a tool can check: module size, import hygiene, CLI start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from swe_agent.cli import app

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "swe_agent",
    "repo_graph",
    "localization",
    "search",
    "sandbox",
    "env_setup",
    "patches",
    "tui",
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
