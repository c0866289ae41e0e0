"""Whole-function repair candidates: which functions to rewrite, and a candidate checked and
spliced into its file on the host, before any test runs.

A candidate is the model's complete new definition of one localized function. It is refused
(costing no test time) when it does not parse, defines no function of that name, would leave
the file unparsable, or is the same code (by syntax tree, docstring aside) as the function it
replaces or as a candidate already tried from the same state.
"""

from __future__ import annotations

import ast
import hashlib
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from common import is_test_path

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


class Rejected(Exception):
    """A candidate that cannot be applied; the message says why."""


@dataclass(frozen=True)
class Target:
    """A function to rewrite: its file and its dotted name inside the file (Class.method)."""

    path: str
    qualname: str

    @property
    def id(self) -> str:
        """The graph's entity id, ``path:Qual.name``."""
        return f"{self.path}:{self.qualname}"

    @property
    def name(self) -> str:
        """The bare function name."""
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Span:
    """Where a definition sits in a file: 1-based first line (decorators included), last, indent."""

    start: int
    end: int
    indent: int


def pick_targets(
    locations: Iterable[dict[str, Any]],
    *,
    source_of: Any,
    tests_first: bool = False,
    max_lines: int = 80,
    limit: int = 3,
) -> list[Target]:
    """Ranked functions that a rewrite can replace: found in their file, at most ``max_lines``.

    ``source_of(path)`` gives a file's text (None when unreadable). Test code is left out
    unless the issue is about tests.
    """
    found: list[Target] = []
    for loc in locations:
        if loc.get("kind") != "function" or ":" not in str(loc["id"]):
            continue
        path, qualname = str(loc["id"]).split(":", 1)
        if is_test_path(path) != tests_first:
            continue
        text = source_of(path)
        span = find_definition(text, qualname) if text is not None else None
        if span is not None and span.end - span.start < max_lines:
            found.append(Target(path, qualname))
        if len(found) >= limit:
            break
    return found


def find_definition(text: str, qualname: str) -> Span | None:
    """The span of the function ``qualname`` (``f``, ``Class.f``, ``f.inner``) in ``text``."""
    try:
        body: Sequence[ast.stmt] = ast.parse(text).body
    except (SyntaxError, ValueError):
        return None
    node: ast.stmt | None = None
    for part in qualname.split("."):
        node = next((n for n in body if _named(n, part)), None)
        if node is None:
            return None
        body = node.body  # type: ignore[attr-defined]
    if not isinstance(node, _DEFS):
        return None
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return Span(first, node.end_lineno or node.lineno, node.col_offset)


def _named(node: ast.stmt, name: str) -> bool:
    return isinstance(node, (*_DEFS, ast.ClassDef)) and node.name == name


@dataclass(frozen=True)
class Candidate:
    """A checked candidate: the new definition (dedented), its imports and its fingerprint."""

    definition: str
    imports: tuple[str, ...]
    fingerprint: str


def read_candidate(code: str, target: Target) -> Candidate:
    """The definition of ``target.name`` in the model's block; ``Rejected`` when there is none."""
    code = textwrap.dedent(code)
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise Rejected(f"the code does not parse (line {exc.lineno}: {exc.msg})") from None
    lines = code.splitlines()
    found = _find_def(tree.body, target)
    if found is None:
        raise Rejected(f"the reply defines no function {target.name}")
    first = min([found.lineno, *(d.lineno for d in found.decorator_list)])
    text = textwrap.dedent("\n".join(lines[first - 1 : found.end_lineno]))
    imports = tuple(
        ast.get_source_segment(code, n) or ""
        for n in tree.body
        if isinstance(n, (ast.Import, ast.ImportFrom))
    )
    return Candidate(text, imports, fingerprint(found))


def read_candidate_in(code: str, target: Target, text: str) -> tuple[Candidate, Target]:
    """The candidate for ``target``, or else for the one other function of its file the reply
    defines: a helper nested in the target, or one beside it (a small model rewrites the
    helper it finds wrong). ``text`` is the file; ``Rejected`` when neither is there."""
    try:
        return read_candidate(code, target), target
    except Rejected as exc:
        other = _other_function(code, target, text)
        if other is None:
            raise exc from None
        return read_candidate(code, other), other


def _other_function(code: str, target: Target, text: str) -> Target | None:
    try:
        body = ast.parse(textwrap.dedent(code)).body
    except SyntaxError:
        return None
    names = [n.name for n in body if isinstance(n, _DEFS)]
    if len(names) != 1:
        return None
    owner = target.qualname.rsplit(".", 1)[0] if "." in target.qualname else ""
    for qualname in (f"{target.qualname}.{names[0]}", f"{owner}.{names[0]}".lstrip(".")):
        if find_definition(text, qualname) is not None:
            return Target(target.path, qualname)
    return None


def _find_def(
    body: Sequence[ast.stmt], target: Target
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in body:
        if isinstance(node, _DEFS) and node.name == target.name:
            return node
    owner = target.qualname.split(".")[0]
    for node in body:  # the whole class written out around the method
        if isinstance(node, ast.ClassDef) and node.name == owner and "." in target.qualname:
            return _find_def(node.body, Target(target.path, target.qualname.split(".", 1)[1]))
    return None


def fingerprint(node: ast.AST) -> str:
    """A digest of a definition's syntax tree, docstring left out: formatting does not count."""
    node = _without_docstring(node)
    return hashlib.sha1(ast.dump(node, annotate_fields=False).encode()).hexdigest()[:16]


def _without_docstring(node: ast.AST) -> ast.AST:
    body = getattr(node, "body", None)
    if (
        isinstance(body, list)
        and body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        clone = ast.parse(ast.unparse(node)).body[0]
        clone.body = clone.body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        return clone
    return node


def current_fingerprint(text: str, target: Target) -> str | None:
    """The fingerprint of ``target`` as it is in ``text`` (None when it is not found)."""
    span = find_definition(text, target.qualname)
    if span is None:
        return None
    segment = textwrap.dedent("\n".join(text.splitlines()[span.start - 1 : span.end]))
    try:
        return read_candidate(segment, Target(target.path, target.name)).fingerprint
    except Rejected:
        return None


def splice(text: str, target: Target, candidate: Candidate) -> tuple[str, Span]:
    """``text`` with ``target`` replaced by the candidate (re-indented) and its imports added."""
    span = find_definition(text, target.qualname)
    if span is None:
        raise Rejected(f"{target.id} is no longer in {target.path}")
    lines = text.splitlines()
    new = textwrap.indent(candidate.definition, " " * span.indent).splitlines()
    lines[span.start - 1 : span.end] = new
    body = "\n".join(lines) + "\n"
    try:
        tree = ast.parse(body)
    except SyntaxError as exc:
        raise Rejected(f"{target.path} would not parse (line {exc.lineno}: {exc.msg})") from None
    added = [i for i in candidate.imports if i and i not in lines]
    at = _after_imports(tree)
    lines[at:at] = added
    start = span.start + (len(added) if at < span.start else 0)
    return "\n".join(lines) + "\n", Span(start, start + len(new) - 1, span.indent)


def _after_imports(tree: ast.Module) -> int:
    """The line index after the module's last top-level import (0 when it has none)."""
    ends = [
        n.end_lineno or n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
    ]
    return max(ends, default=0)
