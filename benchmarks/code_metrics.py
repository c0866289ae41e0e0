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
(``localization/weights.json``) are data written by ``benchmarks/fit_ranking.py`` and
``benchmarks/blend_ranking.py``; they are counted apart, and so is the hand-set prior
(``benchmarks/ranking_start.json``) the blend stores beside them.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_metrics import PACKAGES, contracts, import_cycles, private_imports

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


def _table_weights(data: dict[str, Any]) -> list[Item]:
    items = [f"{key}: {data[key]}" for key in ("test", "aux") if key in data]
    for level, weights in data.items():
        if isinstance(weights, dict) and level != "prior":
            items += [f"{level}.{name}: {value}" for name, value in weights.items()]
    return items


def _weights_json(root: Path) -> dict[str, Any]:
    path = root / "localization" / "weights.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def fitted_weights(root: Path) -> list[Item]:
    """The weights of localization/weights.json (data, fitted), with the blend's shares (fitted
    too): one item per weight."""
    return _table_weights(_weights_json(root))


def prior_weights(root: Path) -> list[Item]:
    """The hand-set prior's weights in localization/weights.json (data, set by hand: what every
    fit starts from, blended with the fitted ranking): one item per weight."""
    return _table_weights(_weights_json(root).get("prior", {}))


def _modules(root: Path, package: str) -> list[Path]:
    folder = root / package
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


def _source_modules(root: Path) -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in _modules(root, package):
            if path.name.startswith("runner") and path.parent.name == "sandbox":
                continue  # runs inside the sandbox, stdlib only, on any Python
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _where(root: Path, path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"


def any_in_signatures(root: Path) -> list[Item]:
    """Parameters and returns annotated with a type that mentions ``Any``, in swe_agent/."""
    items = []
    for path in _modules(root, "swe_agent"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            for arg in params:
                if arg is not None and arg.annotation is not None and _mentions_any(arg.annotation):
                    items.append(f"{_where(root, path, arg)}: {node.name}({arg.arg})")
            if node.returns is not None and _mentions_any(node.returns):
                items.append(f"{_where(root, path, node)}: {node.name} -> ...")
    return items


def _mentions_any(annotation: ast.expr) -> bool:
    text = ast.unparse(annotation)
    return any(part == "Any" for part in _names(text))


def _names(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z_][A-Za-z_0-9.]*", text)


def box_any(root: Path) -> list[Item]:
    """Sandboxes typed ``Any`` (a parameter or field named box or sandbox) in swe_agent/."""
    items = []
    for path in _modules(root, "swe_agent"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name, annotation = None, None
            if isinstance(node, ast.arg):
                name, annotation = node.arg, node.annotation
            elif isinstance(node, ast.AnnAssign):
                name, annotation = ast.unparse(node.target), node.annotation
            typed_any = annotation is not None and ast.unparse(annotation) == "Any"
            if name in ("box", "sandbox", "self.box") and typed_any:
                items.append(f"{_where(root, path, node)}: {name}: Any")
    return items


def _definitions(root: Path, test: Callable[[ast.AST], str | None]) -> list[Item]:
    items = []
    for path, tree in _source_modules(root):
        for node in ast.walk(tree):
            label = test(node)
            if label:
                items.append(f"{_where(root, path, node)}: {label}")
    return items


def run_folder_owners(root: Path) -> list[Item]:
    """Definitions of where run folders live or how one is found (RUNS_DIR, run lookups)."""

    def test(node: ast.AST) -> str | None:
        if isinstance(node, ast.Assign) and any(ast.unparse(t) == "RUNS_DIR" for t in node.targets):
            return "RUNS_DIR ="
        if isinstance(node, ast.FunctionDef) and node.name in (
            "find_run",
            "run_dir_for",
            "runs_dir",
        ):
            return f"def {node.name}"
        return None

    return _definitions(root, test)


def test_path_rules(root: Path) -> list[Item]:
    """Functions that decide whether a path is test code (``is_test_*``)."""

    def test(node: ast.AST) -> str | None:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("is_test_"):
            return f"def {node.name}"
        return None

    return _definitions(root, test)


def _functions_where(root: Path, found: Callable[[ast.AST], str | None]) -> list[Item]:
    """Functions holding a node ``found`` names (its label follows the function's name)."""

    def test(node: ast.AST) -> str | None:
        if not isinstance(node, ast.FunctionDef):
            return None
        for inner in ast.walk(node):
            label = found(inner)
            if label is not None:
                return f"def {node.name}{label}"
        return None

    return _definitions(root, test)


def diff_parsers(root: Path) -> list[Item]:
    """Functions that read unified diff text themselves (hunk or file headers)."""
    heads = ("@@", "^@@", "diff --git", "+++ ", "--- ", "^diff --git", r"^\+\+\+")

    def header(node: ast.AST) -> str | None:
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and text.startswith(heads):
            return f" ({text[:12]!r})"
        return None

    return _functions_where(root, header)


def classes_named(*names: str) -> Count:
    def count(root: Path) -> list[Item]:
        def test(node: ast.AST) -> str | None:
            if isinstance(node, ast.ClassDef) and node.name in names:
                return f"class {node.name}"
            return None

        return _definitions(root, test)

    return count


def atomic_writers(root: Path) -> list[Item]:
    """Functions that write a file through a temporary file and ``os.replace`` themselves."""

    def replace(node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.replace", "os.rename"):
            return ""
        return None

    return _functions_where(root, replace)


def git_runners(root: Path) -> list[Item]:
    """Places that start git with subprocess themselves, outside the one runner (common.git)."""

    argvs: set[str] = set()  # names bound to a list that starts with "git" (the module's)

    def starts_git(value: ast.AST | None) -> bool:
        head = value.elts[0] if isinstance(value, ast.List) and value.elts else None
        return isinstance(head, ast.Constant) and head.value == "git"

    def test(node: ast.AST) -> str | None:
        if isinstance(node, ast.Module):
            argvs.clear()
            for inner in ast.walk(node):
                if isinstance(inner, ast.Assign) and starts_git(inner.value):
                    argvs.update(ast.unparse(t) for t in inner.targets)
            return None
        if not isinstance(node, ast.Call) or not ast.unparse(node.func).startswith("subprocess."):
            return None
        first = node.args[0] if node.args else None
        if starts_git(first):
            return ast.unparse(node)[:70]
        if isinstance(first, ast.Name) and first.id in argvs:
            return ast.unparse(node)[:70] + " (a git argv)"
        return None

    return [i for i in _definitions(root, test) if not i.startswith("common/")]


def error_bases(root: Path) -> list[Item]:
    """Exception classes with a ``title`` that derive from a builtin exception, not one base."""

    def test(node: ast.AST) -> str | None:
        if not isinstance(node, ast.ClassDef):
            return None
        bases = [ast.unparse(b) for b in node.bases]
        titled = any(
            isinstance(s, ast.Assign) and ast.unparse(s.targets[0]) == "title" for s in node.body
        )
        if titled and any(b in ("Exception", "RuntimeError", "ValueError") for b in bases):
            return f"class {node.name}({', '.join(bases)})"
        return None

    return _definitions(root, test)


def duck_typed_errors(root: Path) -> list[Item]:
    """Errors recognised by their attributes (``getattr(exc, "title")``), not by type."""

    def test(node: ast.AST) -> str | None:
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) == "getattr"
            and len(node.args) >= 2
        ):
            attr = node.args[1]
            if isinstance(attr, ast.Constant) and attr.value in ("title", "exit_code", "hint"):
                return ast.unparse(node)
        return None

    return _definitions(root, test)


COUNTS: dict[str, Count] = {
    "tuned constants in localization/": tuned_constants,
    "weights in localization/weights.json (fitted data)": fitted_weights,
    "hand-set prior weights in localization/weights.json (data)": prior_weights,
    "`Any` in signatures of swe_agent/": any_in_signatures,
    "sandboxes typed `Any` in swe_agent/": box_any,
    "run-folder definitions (RUNS_DIR, run lookups)": run_folder_owners,
    "diff text parsers": diff_parsers,
    "test-path rules": test_path_rules,
    "StopReason enums": classes_named("StopReason"),
    "Submitted classes": classes_named("Submitted"),
    "atomic writers (temp file + os.replace)": atomic_writers,
    "git started outside the one runner": git_runners,
    "error bases on a builtin exception": error_bases,
    "errors recognised by duck typing": duck_typed_errors,
    "import cycles (lazy imports included)": import_cycles,
    "imports of another package's modules": private_imports,
    "import-linter contracts": contracts,
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
