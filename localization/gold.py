"""Gold locations from a reference patch, following LocAgent's rules for SWE-bench patches.

A changed line counts where it lives: removed lines in the old file, added lines in the new file
(kept only when their entity already existed in the old file, so new functions are not gold).
Blank lines, comments, import statements, class docstrings and module-level assignments are
ignored. A line maps to its method (``Class.method``) or top-level function; nested functions
count as their outermost function or method; a line in a class body outside every method counts
for the class only. Only ``.py`` files that exist before the patch are gold files.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from localization.errors import BadPatch


@dataclass(frozen=True)
class GoldLocations:
    """The files, classes and functions a reference patch edits, as ids of the old tree."""

    files: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Span:
    qualname: str  # "Class", "Class.method", "func"
    start: int
    end: int
    is_class: bool


@dataclass(frozen=True)
class _Structure:
    spans: tuple[_Span, ...]  # classes, their direct methods, top-level functions
    ignored: frozenset[int]  # imports, class docstrings, module-level assignments
    names: frozenset[str]


def _start(node: ast.AST) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([d.lineno for d in decorators] + [node.lineno])  # type: ignore[attr-defined]


def _lines(node: ast.AST) -> range:
    return range(node.lineno, (node.end_lineno or node.lineno) + 1)  # type: ignore[attr-defined]


def _class_parts(node: ast.ClassDef) -> tuple[list[_Span], list[int]]:
    spans = [_Span(node.name, _start(node), node.end_lineno or node.lineno, True)]
    ignored: list[int] = []
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        ignored.extend(_lines(body[0]))
    for item in body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            end = item.end_lineno or item.lineno
            spans.append(_Span(f"{node.name}.{item.name}", _start(item), end, False))
    return spans, ignored


def _structure(text: str) -> _Structure | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    spans: list[_Span] = []
    ignored: list[int] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            class_spans, class_ignored = _class_parts(node)
            spans.extend(class_spans)
            ignored.extend(class_ignored)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            spans.append(_Span(node.name, _start(node), node.end_lineno or node.lineno, False))
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            ignored.extend(_lines(node))
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Import | ast.ImportFrom):
            ignored.extend(_lines(sub))
    return _Structure(tuple(spans), frozenset(ignored), frozenset(s.qualname for s in spans))


def enclosing(structure: _Structure, line: int) -> str | None:
    """The method or top-level function holding ``line``; else its class; else None."""
    holder = None
    for span in structure.spans:
        if span.start <= line <= span.end:
            if not span.is_class:
                return span.qualname
            holder = span.qualname
    return holder


def _apply(old: str, patched_file: Iterable) -> str:
    """The new text of one file: the old text with every hunk of the patch applied."""
    old_lines = old.splitlines(keepends=True)
    out: list[str] = []
    cursor = 0
    for hunk in patched_file:
        start = max(hunk.source_start - 1, 0)
        out.extend(old_lines[cursor:start])
        out.extend(line.value for line in hunk if not line.is_removed)
        cursor = start + hunk.source_length
    out.extend(old_lines[cursor:])
    return "".join(out)


def _changed(patched_file: Iterable, *, removed: bool) -> list[tuple[int, str]]:
    lines = []
    for hunk in patched_file:
        for line in hunk:
            wanted = line.is_removed if removed else line.is_added
            content = line.value.strip()
            if wanted and content and not content.startswith("#"):
                number = line.source_line_no if removed else line.target_line_no
                lines.append((int(number), content))
    return lines


def _entities_of_file(patched_file: Iterable, old: str) -> set[str]:
    old_structure = _structure(old)
    new_structure = _structure(_apply(old, patched_file))
    if old_structure is None or new_structure is None:
        return set()
    found: set[str] = set()
    for structure, removed in ((old_structure, True), (new_structure, False)):
        for number, _content in _changed(patched_file, removed=removed):
            if number in structure.ignored:
                continue
            name = enclosing(structure, number)
            if name and name in old_structure.names:
                found.add(name)
            elif name and name.split(".", 1)[0] in old_structure.names:
                found.add(name.split(".", 1)[0])  # a method added to an existing class
    return found


def _class_names(old: str) -> frozenset[str]:
    structure = _structure(old)
    if structure is None:
        return frozenset()
    return frozenset(s.qualname for s in structure.spans if s.is_class)


def gold_from_patch(patch: str, *, read_old: Callable[[str], str | None]) -> GoldLocations:
    """Gold files, classes and functions of ``patch``; ``read_old(path)`` gives old file text."""
    import unidiff

    try:
        patch_set = unidiff.PatchSet(patch)
    except unidiff.UnidiffParseError as exc:
        raise BadPatch(f"the patch is not a unified diff: {exc}") from None
    files: list[str] = []
    classes: set[str] = set()
    functions: set[str] = set()
    for patched_file in patch_set:
        path = patched_file.source_file.removeprefix("a/")
        old = read_old(path) if path.endswith(".py") and not patched_file.is_added_file else None
        if old is None:
            continue
        files.append(path)
        class_names = _class_names(old)
        for name in _entities_of_file(patched_file, old):
            owner = name.split(".", 1)[0]
            if owner in class_names:
                classes.add(f"{path}:{owner}")
            if name not in class_names:
                functions.add(f"{path}:{name}")
    unique_files = tuple(dict.fromkeys(files))
    return GoldLocations(unique_files, tuple(sorted(classes)), tuple(sorted(functions)))
