"""Counts that say how the code reads, re-measured from the source (issue #28's "Done when").

    .venv/bin/python benchmarks/code_metrics.py              # a table
    .venv/bin/python benchmarks/code_metrics.py --details    # every counted item, one a line
    .venv/bin/python benchmarks/code_metrics.py --json

Each count is a function from the repository root to (number, items); add one to ``COUNTS``
to measure another idea (``Any`` in signatures, duplicated definitions, import cycles, ...).

**Tuned constants in localization/**: numeric literals other than 0 and 1 (and -1) that set
how the ranking behaves (weights, shares, thresholds, limits), in every module of
``localization/``. Literals that only say where something is (an index or slice, a regex
group, a ``str.split`` count), how a value is shown or stored (``round`` digits, an
``lru_cache`` size, an ``exit_code``, a ``*_VERSION``), or check a shape (``len(x) == 3``,
``sys.version_info``) are not tuning and are not counted. The fitted weights
(``localization/weights.json``) are data written by ``benchmarks/fit_ranking.py``; they are
counted apart.
"""

from __future__ import annotations

import argparse
import ast
import json
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Item = str
Count = Callable[[Path], list[Item]]

_STRUCTURAL_CALLS = {"group", "split", "rsplit", "partition", "round", "lru_cache", "range"}
_STRUCTURAL_NAMES = {"exit_code", "maxsize"}


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _structural(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether a literal only locates, shows or checks the shape of something."""
    up = parents.get(node)
    if isinstance(up, ast.UnaryOp):  # -1
        node, up = up, parents.get(up)  # type: ignore[assignment]
    while isinstance(up, ast.Tuple | ast.Slice):
        if isinstance(up, ast.Slice):
            return True
        if isinstance(parents.get(up), ast.Compare) and "version_info" in ast.unparse(parents[up]):
            return True
        node, up = up, parents.get(up)  # type: ignore[assignment]
    if isinstance(up, ast.Subscript) and up.slice is node:
        return True
    if isinstance(up, ast.Call):
        name = up.func.attr if isinstance(up.func, ast.Attribute) else ast.unparse(up.func)
        # range(a, b, -1) steps and str.split counts; a range's bound is a limit: counted.
        if name == "range":
            return isinstance(node, ast.UnaryOp)
        return name.rsplit(".", 1)[-1] in _STRUCTURAL_CALLS
    if isinstance(up, ast.keyword):
        return up.arg in _STRUCTURAL_NAMES
    if isinstance(up, ast.Assign | ast.AnnAssign):
        targets = up.targets if isinstance(up, ast.Assign) else [up.target]
        names = {ast.unparse(t).rsplit(".", 1)[-1] for t in targets}
        return bool(names & _STRUCTURAL_NAMES) or any(n.endswith("_VERSION") for n in names)
    if isinstance(up, ast.Compare) and isinstance(up.ops[0], ast.Eq | ast.NotEq):
        return ast.unparse(up.left).startswith("len(")
    return False


def _literals(path: Path) -> Iterator[tuple[int, object]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
            continue
        if not isinstance(node.value, int | float) or node.value in (0, 1):
            continue
        if not _structural(node, parents):
            yield node.lineno, node.value


def tuned_constants(root: Path) -> list[Item]:
    """Numeric literals that tune the ranking, in every module of localization/."""
    items = []
    for path in sorted((root / "localization").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for line, value in sorted(_literals(path), key=lambda item: item[0]):
            where = f"{path.relative_to(root)}:{line}"
            items.append(f"{where}: {value!r}  | {lines[line - 1].strip()[:90]}")
    return items


def fitted_weights(root: Path) -> list[Item]:
    """The weights of localization/weights.json (data, fitted): one item per weight."""
    path = root / "localization" / "weights.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    items = [f"{key}: {data[key]}" for key in ("test", "aux") if key in data]
    for level, weights in data.items():
        if isinstance(weights, dict):
            items += [f"{level}.{name}: {value}" for name, value in weights.items()]
    return items


COUNTS: dict[str, Count] = {
    "tuned constants in localization/": tuned_constants,
    "weights in localization/weights.json (fitted data)": fitted_weights,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--details", action="store_true", help="list every counted item")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    measured = {name: count(args.root) for name, count in COUNTS.items()}
    if args.json:
        print(json.dumps({k: {"count": len(v), "items": v} for k, v in measured.items()}))
        return
    print("| count | value |\n|---|---|")
    for name, items in measured.items():
        print(f"| {name} | {len(items)} |")
    if args.details:
        for name, items in measured.items():
            print(f"\n{name}:")
            print("\n".join(f"  {item}" for item in items))


if __name__ == "__main__":
    main()
