"""The import-graph counts of code_metrics.py: cycles (lazy imports included), imports of
another package's inner modules, and the import-linter contracts."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

Item = str

# The project's packages, as import-linter's root_packages name them (one list, in pyproject).
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PACKAGES = tuple(tomllib.loads(_PYPROJECT.read_text())["tool"]["importlinter"]["root_packages"])


_GRAPH_SCRIPT = """
import grimp, importlib.util, json, sys
pkgs = [p for p in sys.argv[1:] if importlib.util.find_spec(p)]
g = grimp.build_graph(*pkgs, include_external_packages=False)
out = {}
for m in g.modules:
    for o in g.find_modules_directly_imported_by(m):
        lines = [d["line_contents"] for d in g.get_import_details(importer=m, imported=o)]
        out.setdefault(m, {})[o] = lines
print(json.dumps(out))
"""


@functools.cache
def _graph(root: Path) -> dict[str, dict[str, list[str]]]:
    """module -> {module it imports: the import lines}, lazy imports included, for our
    packages under ``root`` (grimp, run with ``root`` first on the path)."""
    done = subprocess.run(
        [sys.executable, "-c", _GRAPH_SCRIPT, *PACKAGES],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    return dict(json.loads(done.stdout))


def import_cycles(root: Path) -> list[Item]:
    """Cycles among modules (lazy imports included), leaving out a module's import of its own
    package's ``__init__`` (which re-exports it): each strongly connected group once."""
    import networkx as nx

    graph = nx.DiGraph()
    for module, imported in _graph(root).items():
        for other in imported:
            if module.startswith(other + "."):
                continue  # a submodule importing its package's public surface
            graph.add_edge(module, other)
    groups = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    return [" <-> ".join(group) for group in sorted(groups)]


def private_imports(root: Path) -> list[Item]:
    """Imports of another top-level package's inner modules, past its public surface (the
    package's ``__init__``; for swe_agent, its subpackages and top modules)."""
    items = []
    for module, imported in sorted(_graph(root).items()):
        top = module.split(".")[0]
        for other, lines in sorted(imported.items()):
            other_top = other.split(".")[0]
            public = 2 if other_top == "swe_agent" else 1
            if other_top in (top, "common") or other.count(".") < public:
                continue
            surface = ".".join(other.split(".")[:public])
            if all(line.startswith(f"from {surface} import ") for line in lines):
                continue  # a name the surface exports that shares a module's name
            items.append(f"{module} -> {other}")
    return items


def contracts(root: Path) -> list[Item]:
    """The import-linter contracts in pyproject.toml."""
    import tomllib

    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    found = data.get("tool", {}).get("importlinter", {}).get("contracts", [])
    return [str(c.get("name")) for c in found]
