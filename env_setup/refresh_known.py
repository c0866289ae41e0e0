"""Regenerate env_setup/data/swebench_specs.json from the official SWE-bench harness.

    pip download --no-deps swebench==4.1.0 && unzip swebench-4.1.0-*.whl -d sb
    python -m env_setup.refresh_known sb/swebench

The harness's constants are plain literals (no imports), so they are loaded from their files
without importing the package (whose core pulls modal, ghapi and more). The output is data only:
it is read with json, never executed.
"""

from __future__ import annotations

import ast
import json
import runpy
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("data") / "swebench_specs.json"
_SPEC_KEYS = (
    "python",
    "packages",
    "install",
    "pip_packages",
    "pre_install",
    "eval_commands",
    "test_cmd",
    "no_use_env",
    "execute_test_as_nonroot",
)


def _parsers(path: Path) -> dict[str, str]:
    """repo -> log parser function name, read from MAP_REPO_TO_PARSER_PY's source."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == (
            "MAP_REPO_TO_PARSER_PY"
        ):
            table = node.value
            assert isinstance(table, ast.Dict)
            return {
                ast.literal_eval(k): v.id  # type: ignore[arg-type, attr-defined]
                for k, v in zip(table.keys, table.values, strict=True)
            }
    raise SystemExit(f"MAP_REPO_TO_PARSER_PY not found in {path}")


def _literals(path: Path, *names: str) -> dict[str, Any]:
    """Module-level constants of ``path`` that are literals (the module imports the package)."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in names:
            found[node.targets[0].id] = ast.literal_eval(node.value)  # type: ignore[attr-defined]
    missing = set(names) - set(found)
    if missing:
        raise SystemExit(f"{', '.join(sorted(missing))} not found in {path}")
    return found


def _parser_aliases(path: Path) -> dict[str, str]:
    """Parser name -> the function it names (``parse_log_flask = parse_log_pytest``)."""
    aliases: dict[str, str] = {}
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("parse_log_"):
            aliases[node.name] = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
            name = getattr(node.targets[0], "id", "")
            if name.startswith("parse_log_"):
                aliases[name] = aliases.get(node.value.id, node.value.id)
    return aliases


def build(package: Path) -> dict[str, Any]:
    """The data file's content from an unpacked ``swebench`` package folder."""
    constants = runpy.run_path(str(package / "harness/constants/python.py"))
    versioning = runpy.run_path(str(package / "versioning/constants.py"))
    parsers = _parsers(package / "harness/log_parsers/python.py")
    repos: dict[str, Any] = {}
    for repo, versions in sorted(constants["MAP_REPO_VERSION_TO_SPECS_PY"].items()):
        repos[repo] = {
            "log_parser": parsers.get(repo),
            "reqs_paths": constants["MAP_REPO_TO_REQS_PATHS"].get(repo, []),
            "env_yml_paths": constants["MAP_REPO_TO_ENV_YML_PATHS"].get(repo, []),
            "version_paths": versioning["MAP_REPO_TO_VERSION_PATHS"].get(repo, []),
            "version_patterns": versioning["MAP_REPO_TO_VERSION_PATTERNS"].get(repo, []),
            "versions": {
                version: {k: spec[k] for k in _SPEC_KEYS if k in spec}
                for version, spec in versions.items()
            },
        }
    constants_init = package / "harness/constants/__init__.py"
    harness = _literals(constants_init, "NON_TEST_EXTS", "FAIL_ONLY_REPOS")
    return {
        "source": "swebench 4.1.0 (MIT licence), harness/constants/python.py",
        "repos": repos,
        # The parser functions the repositories' parser names stand for (log_parsers/python.py)
        "log_parsers": _parser_aliases(package / "harness/log_parsers/python.py"),
        # harness/constants/__init__.py: what get_test_directives drops, what grades fail-only
        "non_test_exts": list(harness["NON_TEST_EXTS"]),
        "fail_only_repos": sorted(harness["FAIL_ONLY_REPOS"]),
    }


def main(argv: list[str]) -> None:
    """Write the data file from the package folder named on the command line."""
    if len(argv) != 1:
        raise SystemExit("usage: python -m env_setup.refresh_known PATH/TO/swebench")
    data = build(Path(argv[0]))
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {OUT}: {len(data['repos'])} repositories")


if __name__ == "__main__":
    main(sys.argv[1:])
