"""Importing repo_graph is cheap and pure: no UI, container or provider libraries, no files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("textual", "docker", "litellm", "jedi", "tree_sitter", "networkx")


def test_import_repo_graph_loads_no_heavy_library(tmp_path: Path) -> None:
    code = f"import sys, repo_graph\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.strip() == ""
    assert done.stderr == ""
    assert list(tmp_path.iterdir()) == []  # import created nothing


def test_building_a_graph_loads_none_of_the_ui_or_provider_libraries(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("def f():\n    return 1\n")
    code = (
        "import sys, repo_graph\n"
        f"repo_graph.build_graph({str(tmp_path)!r}, use_cache=False)\n"
        "print(','.join(m for m in ('textual', 'docker', 'litellm') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
