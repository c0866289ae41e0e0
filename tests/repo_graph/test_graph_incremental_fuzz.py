"""Random edit sequences: after every edit, the refreshed graph equals a cold build."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from repo_graph import build_graph

NAMES = ["helper", "setup", "create", "stop", "main", "go", "mixed", "Engine", "Model", "Base"]
MODULES = ["app", "app.util", "app.base", "app.core", "app.models", "app.models.model"]


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if ".swe-agent" not in p.parts)


def edit(root: Path, rng: random.Random, step: int) -> None:
    files = python_files(root)
    target = rng.choice(files)
    action = rng.choice(["append_call", "append_import", "rename", "delete", "new_file"])
    if action == "append_call":
        name = rng.choice(NAMES)
        target.write_text(target.read_text() + f"\n\ndef added_{step}():\n    return {name}()\n")
    elif action == "append_import":
        module, name = rng.choice(MODULES), rng.choice(NAMES)
        target.write_text(f"from {module} import {name}\n" + target.read_text())
    elif action == "rename":
        text = target.read_text()
        defs = re.findall(r"(?:def|class) (\w+)", text)
        if defs:
            old = rng.choice(defs)
            target.write_text(re.sub(rf"\b{old}\b", f"{old}_{step}", text, count=1))
    elif action == "delete" and len(files) > 3:
        target.unlink()
    else:
        module, name = rng.choice(MODULES), rng.choice(NAMES)
        (root / "app" / f"new_{step}.py").parent.mkdir(exist_ok=True)
        (root / "app" / f"new_{step}.py").write_text(
            f"from {module} import {name}\n\n\nclass New{step}({name}):\n"
            f"    def run(self):\n        return self.setup()\n"
        )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_edits_refresh_like_cold_builds(
    seed: int, fixture_repo: Callable[[str], Path]
) -> None:
    rng = random.Random(seed)
    root = fixture_repo("resolution")
    graph = build_graph(root)
    for step in range(8):
        edit(root, rng, step)
        graph = graph.refresh()
        cold = build_graph(root, use_cache=False)
        assert graph.to_json() == cold.to_json(), f"seed {seed}, step {step}"
    assert build_graph(root).to_json() == build_graph(root, use_cache=False).to_json()
