"""Parse one Python file with tree-sitter into plain records: definitions, imports, calls.

The records are NamedTuples rather than dataclasses because thousands of them cross process
boundaries and the on-disk cache, and tuples pickle several times faster.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from importlib import resources
from typing import Any, NamedTuple

_DOTTED = re.compile(r"[A-Za-z_][\w.]*\Z")
_SPACES = re.compile(r"\s+")
MAX_DOCSTRING = 4000  # characters kept per docstring; enough for search, bounded for cache size


class Definition(NamedTuple):
    """A class or function definition; ``qualname`` is dotted from the module level."""

    qualname: str
    kind: str  # "class" | "function"
    start_line: int
    end_line: int
    signature: str
    docstring: str
    bases: tuple[str, ...]  # dotted base-class expressions (classes only)


class ImportStmt(NamedTuple):
    """One imported name: ``import module [as alias]`` or ``from module import name [as alias]``.

    ``level`` counts the leading dots of a relative import; ``name`` is ``""`` for a plain
    ``import`` and ``"*"`` for a star import.
    """

    scope: str  # qualname of the enclosing definition, "" at module level
    module: str
    name: str
    alias: str
    level: int
    line: int


class CallSite(NamedTuple):
    """A call: the dotted callee as written (``self.save``, ``os.path.join``, ``.strip``)."""

    scope: str
    callee: str  # a leading "." marks an attribute of an expression we cannot name
    line: int
    column: int  # 0-based column of the called name (its last part), where jedi looks


class Assignment(NamedTuple):
    """``target = callee(...)``: ``target`` is a name or ``self.attr``; ``callee`` is dotted."""

    scope: str
    target: str
    callee: str
    line: int


class FileParse(NamedTuple):
    """Everything the graph needs from one file, independent of every other file."""

    path: str
    lines: int
    definitions: tuple[Definition, ...]
    imports: tuple[ImportStmt, ...]
    calls: tuple[CallSite, ...]
    error_nodes: int  # ERROR and MISSING nodes tree-sitter recovered from (0: clean parse)
    docstring: str = ""  # the module's docstring
    assignments: tuple[Assignment, ...] = ()


@functools.lru_cache(maxsize=1)
def _tools() -> tuple[Any, Any]:
    """The tree-sitter parser and tags query, built once per process (they are costly)."""
    import tree_sitter
    import tree_sitter_python

    language = tree_sitter.Language(tree_sitter_python.language())
    text = resources.files("repo_graph").joinpath("queries/python.scm").read_text("utf-8")
    return tree_sitter.Parser(language), tree_sitter.Query(language, text)


def decode_source(data: bytes) -> str:
    """The text of a Python file: UTF-8, else its PEP 263 coding, else UTF-8 with replacement."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass  # not UTF-8: try the file's own coding declaration next
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return data.decode("utf-8", "replace")


def parse_source(path: str, data: bytes) -> FileParse:
    """Parse the bytes of one Python file; syntax errors are recovered from, never raised."""
    import tree_sitter

    parser, query = _tools()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        # tree-sitter reads UTF-8; lines stay where they were, so spans still match the file.
        data = decode_source(data).encode("utf-8")
    tree = parser.parse(data)
    captures = tree_sitter.QueryCursor(query).captures(tree.root_node)
    defs = sorted(
        [(n, "class") for n in captures.get("definition.class", [])]
        + [(n, "function") for n in captures.get("definition.function", [])],
        key=lambda item: item[0].start_byte,
    )
    extractor = _Extractor(data)
    definitions, scopes = extractor.definitions(defs)
    imports, calls, assignments = extractor.scoped_records(captures, scopes)
    return FileParse(
        path=path,
        lines=data.count(b"\n") + 1,
        definitions=tuple(definitions),
        imports=tuple(sorted(imports, key=lambda i: i.line)),
        calls=tuple(sorted(calls, key=lambda c: c.line)),
        assignments=tuple(assignments),
        error_nodes=_count_errors(tree.root_node) if tree.root_node.has_error else 0,
        docstring=extractor.docstring(tree.root_node),
    )


class _Extractor:
    """Reads names and text out of one file's syntax tree.

    Text is sliced from the file's bytes: ``Node.text`` costs several times more, and it is
    read hundreds of thousands of times on a large repository.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data

    def scoped_records(
        self, captures: dict[str, list[Any]], scopes: list[tuple[int, int, str]]
    ) -> tuple[list[ImportStmt], list[CallSite], list[Assignment]]:
        """Imports, calls and assignments, each with the definition it sits in."""
        imports = [
            stmt
            for node in captures.get("import", []) + captures.get("import.from", [])
            for stmt in self._imports(node, _scope_of(scopes, node.start_byte))
        ]
        calls = [
            CallSite(_scope_of(scopes, node.start_byte), callee, *_name_point(node))
            for node in captures.get("call", [])
            if (callee := self._callee(node))
        ]
        assignments = [
            Assignment(_scope_of(scopes, node.start_byte), target, callee, node.start_point[0] + 1)
            for node in captures.get("assignment", [])
            if (pair := self._assignment(node))
            for target, callee in [pair]
        ]
        return imports, calls, assignments

    def definitions(
        self,
        defs: list[tuple[Any, str]],
    ) -> tuple[list[Definition], list[tuple[int, int, str]]]:
        """Definitions with dotted qualnames, and their byte spans for scoping (nesting order)."""
        stack: list[tuple[int, str]] = []  # (end byte, qualname) of the open definitions
        out: list[Definition] = []
        scopes: list[tuple[int, int, str]] = []
        for node, kind in defs:
            while stack and stack[-1][0] <= node.start_byte:
                stack.pop()
            name_node = node.child_by_field_name("name")
            if name_node is None:
                continue
            name = self._text(name_node)
            qualname = f"{stack[-1][1]}.{name}" if stack else name
            body = node.child_by_field_name("body")
            out.append(
                Definition(
                    qualname=qualname,
                    kind=kind,
                    start_line=node.start_point[0] + 1,
                    end_line=node.end_point[0] + 1,
                    signature=self._signature(node, body),
                    docstring=self.docstring(body),
                    bases=self._bases(node) if kind == "class" else (),
                )
            )
            stack.append((node.end_byte, qualname))
            scopes.append((node.start_byte, node.end_byte, qualname))
        return out, scopes

    def _text(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _signature(self, node: Any, body: Any) -> str:
        end = body.start_byte if body is not None else node.end_byte
        raw = self.data[node.start_byte : end].decode("utf-8", "replace")
        return _SPACES.sub(" ", raw).strip().rstrip(":").strip()

    def docstring(self, body: Any) -> str:
        """The docstring of a block or module node ("" when it has none)."""
        if body is None or not body.named_children:
            return ""
        first = body.named_children[0]
        if first.type != "expression_statement" or not first.named_children:
            return ""
        string = first.named_children[0]
        if string.type != "string":
            return ""
        raw = self._text(string)
        try:
            value = ast.literal_eval(raw)
        except (SyntaxError, ValueError):
            value = raw.strip("\"'rRbBuUfF")
        return str(value).strip()[:MAX_DOCSTRING]

    def _bases(self, node: Any) -> tuple[str, ...]:
        args = node.child_by_field_name("superclasses")
        if args is None:
            return ()
        found = []
        for child in args.named_children:
            if child.type in ("identifier", "attribute") and _DOTTED.match(
                text := self._text(child)
            ):
                found.append(text)
        return tuple(found)

    def _assignment(self, node: Any) -> tuple[str, str] | None:
        """(target, callee) of ``x = f(...)`` / ``self.x = f(...)``; None for other shapes."""
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None or right.type != "call":
            return None
        target = self._text(left)
        if left.type == "attribute" and not (target.startswith("self.") and target.count(".") == 1):
            return None
        function = right.child_by_field_name("function")
        callee = self._callee(function) if function is not None else ""
        if not callee or callee.startswith("."):
            return None
        return target, callee

    def _callee(self, node: Any) -> str:
        """The callee of a call as a dotted name; ``.attr`` when the receiver is an expression."""
        if node.type == "identifier":
            return self._text(node)
        if node.type != "attribute":
            return ""
        text = _SPACES.sub("", self._text(node))
        if _DOTTED.match(text):
            return text
        attribute = node.child_by_field_name("attribute")
        receiver = node.child_by_field_name("object")
        if attribute is None:
            return ""
        if (
            receiver is not None
            and receiver.type == "call"
            and self._text(receiver).startswith("super(")
        ):
            return f"super.{self._text(attribute)}"
        return f".{self._text(attribute)}"

    def _imports(self, node: Any, scope: str) -> list[ImportStmt]:
        line = node.start_point[0] + 1
        if node.type == "import_statement":
            return [
                ImportStmt(scope, name, "", alias, 0, line)
                for name, alias in self._imported_names(node.children_by_field_name("name"))
            ]
        module_node = node.child_by_field_name("module_name")
        module, level = "", 0
        if module_node is not None:
            if module_node.type == "relative_import":
                for child in module_node.named_children:
                    if child.type == "import_prefix":
                        level = len(self._text(child).strip())
                    else:
                        module = self._text(child)
            else:
                module = self._text(module_node)
        if any(child.type == "wildcard_import" for child in node.named_children):
            return [ImportStmt(scope, module, "*", "", level, line)]
        names = self._imported_names(node.children_by_field_name("name"))
        return [ImportStmt(scope, module, name, alias, level, line) for name, alias in names]

    def _imported_names(self, nodes: list[Any]) -> list[tuple[str, str]]:
        out = []
        for node in nodes:
            if node.type == "aliased_import":
                name_node, alias_node = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("alias"),
                )
                if name_node is not None:
                    out.append(
                        (self._text(name_node), self._text(alias_node) if alias_node else "")
                    )
            elif node.type == "dotted_name":
                out.append((self._text(node), ""))
        return out


def _scope_of(scopes: list[tuple[int, int, str]], byte: int) -> str:
    """The qualname of the innermost definition containing ``byte`` ("" at module level)."""
    import bisect

    index = bisect.bisect_right(scopes, (byte, float("inf"), "")) - 1
    while index >= 0:
        start, end, qualname = scopes[index]
        if start <= byte < end:
            return qualname
        index -= 1
    return ""


def _name_point(node: Any) -> tuple[int, int]:
    """1-based line and 0-based column of the called name: ``c`` in ``a.b.c(...)``."""
    name = node.child_by_field_name("attribute") if node.type == "attribute" else node
    row, column = (name or node).start_point
    return row + 1, column


def _count_errors(root: Any) -> int:
    """ERROR and MISSING nodes, descending only into subtrees that contain one."""
    count, todo = 0, [root]
    while todo:
        node = todo.pop()
        if node.is_error or node.is_missing:
            count += 1
        todo.extend(child for child in node.children if child.has_error or child.is_missing)
    return count
