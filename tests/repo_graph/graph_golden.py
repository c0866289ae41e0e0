"""Golden graphs of the fixture repositories under tests/fixtures/graph/.

Regenerate them after an intended change of the graph, then review the diff:

    .venv/bin/python tests/repo_graph/graph_golden.py
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graph"
GOLDEN_REPOS = ("resolution", "bad", "srclayout")


def golden_path(name: str) -> Path:
    """Where the golden graph of one fixture repository is kept."""
    return FIXTURES / f"{name}.golden.json"


def graph_json(root: Path) -> dict[str, Any]:
    """The graph of a directory as golden JSON (a copy outside git, so no cache or git state)."""
    from repo_graph import build_graph

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(".swe-agent"))
        return build_graph(copy, use_cache=False).to_json()


def render(data: dict[str, Any]) -> str:
    """The stable text of a golden file: one node, edge or caller per line, for readable diffs."""

    def one(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    edges = [f"{e['kind']}: {e['source']} -> {e['target']}" for e in data["edges"]]
    sections = [
        ("nodes", [one(n) for n in data["nodes"]]),
        ("edges", [one(e) for e in edges]),
        ("unresolved_calls", [f"{one(k)}: {one(v)}" for k, v in data["unresolved_calls"].items()]),
    ]
    parts = []
    for name, lines in sections:
        opener, closer = ("{", "}") if name == "unresolved_calls" else ("[", "]")
        body = ",\n".join(f"  {line}" for line in lines)
        parts.append(
            f' "{name}": {opener}\n{body}\n {closer}' if lines else f' "{name}": {opener}{closer}'
        )
    return "{\n" + ",\n".join(parts) + "\n}\n"


def as_golden(data: dict[str, Any]) -> dict[str, Any]:
    """The parsed form of a golden file for ``data`` (edges as ``kind: source -> target``)."""
    return json.loads(render(data))


def main() -> None:
    """Rewrite every golden file."""
    for name in GOLDEN_REPOS:
        golden_path(name).write_text(render(graph_json(FIXTURES / name)), encoding="utf-8")
        print(f"wrote {golden_path(name)}")


if __name__ == "__main__":
    main()
