"""The agent's tool API, second part: rewriting whole definitions (``replace_definitions``).

Runs in the sandbox runner's namespace right after sandbox_tools.py (the host sends the two as
one text), so it uses that part's names (``_read``, ``_write``, ``_walk``, ``ToolError``, ``ast``,
``re``, ...) as its own. Stdlib only and Python 3.6 compatible, as that part; never imported.
"""

import ast
import itertools
import os
import re


def _definition_spans(text, name):
    """(start, end, indent) of every `def name` / `class name` in text, 1-based lines."""
    lines = text.splitlines()
    head = re.compile(r"^(\s*)(?:async\s+def|def|class)\s+%s\b" % re.escape(name))
    spans = []
    for i, line in enumerate(lines):
        found = head.match(line)
        if not found:
            continue
        indent = len(found.group(1))
        start = i
        while start > 0 and lines[start - 1].strip().startswith("@"):
            start -= 1
        end = i + 1
        while end < len(lines):
            stripped = lines[end].strip()
            width = len(lines[end]) - len(lines[end].lstrip())
            if stripped and width <= indent and not stripped.startswith(("#", ")", "]", "}")):
                break
            end += 1
        while end > i + 1 and not lines[end - 1].strip():
            end -= 1
        spans.append((start + 1, end, indent))
    return spans


def _where_defined(name):
    """(path, span) of the definition a rewrite of `name` replaces: best-ranked file first."""
    best = None
    for order, rel in enumerate(_walk("*.py")):
        if "test" in os.path.basename(rel):
            continue
        try:
            spans = _definition_spans(_read(rel), name)
        except (ToolError, UnicodeDecodeError):
            continue
        rank = FOCUS.index(rel) if rel in FOCUS else len(FOCUS)
        for span in spans:
            key = (rank, span[2], order)
            if best is None or key < best[0]:
                best = (key, (rel, span))
    return best[1] if best else None


def replace_definitions(source):
    """Replace each function or class that `source` defines with its new definition in place."""
    import textwrap

    tree = ast.parse(source)
    chunks = source.splitlines()
    done = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        found = _where_defined(node.name)
        if found is None:
            continue
        path, (start, end, indent) = found
        if _subclasses_itself(node):
            print(
                "class %s subclasses the %s it is named after, so it cannot replace %s in %s: "
                "nothing changed there. To change %s, rewrite that class itself."
                % (node.name, node.name, node.name, path, node.name)
            )
            continue
        first = node.lineno - 1 - len(node.decorator_list)
        last = getattr(node, "end_lineno", None) or len(chunks)
        new = textwrap.indent(textwrap.dedent("\n".join(chunks[first:last])), " " * indent)
        lines = _read(path).splitlines()
        if lines[start - 1 : end] == new.splitlines():
            print("%s in %s is already exactly this: nothing changed" % (node.name, path))
            continue
        lines[start - 1 : end] = new.splitlines()
        _write(path, "\n".join(lines) + "\n")
        done.append((node.name, path, start, start + new.count("\n")))
    if not done and any(_where_defined(n.name) for n in tree.body if hasattr(n, "name")):
        return
    if not done:
        taken = [n.name for n in tree.body if getattr(n, "name", None) in TOOLS]
        if taken:  # a session-only definition would replace the tool for every later step
            raise ToolError("%s is a tool: call it, do not define it" % taken[0])
        exec(compile(source, "<action>", "exec"), globals())
        names = [n.name for n in tree.body if hasattr(n, "name")]
        print(_session_only_note(names))
        return
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    for path in sorted({d[1] for d in done}):
        _add_imports(path, [chunks[n.lineno - 1].strip() for n in imports])
    for name, path, start, end in done:
        print("replaced %s in %s, now lines %d-%d:" % (name, path, start, end))
        print(_numbered(_read(path).splitlines()[start - 1 : end], start))


def _session_only_note(names):
    """Why no file changed: the names are no file's definitions; where the first one is used."""
    for name in names:
        used = _where_used(name)
        if used is None:
            continue
        path, qualname, line, how = used
        return (
            "no file defines %s, so no file changed: %s is %s %s in %s (line %d). To change "
            "what it does, write the whole corrected %s."
            % (name, name, how, qualname, path, line, qualname.rsplit(".", 1)[-1])
        )
    return "defined in this session only (no file has these names); use edit() to change files"


def _where_used(name):
    """(path, Qual.name, line, how) of the innermost function using `name` (a parameter, a
    local, an attribute) in a non-test file, ranked files first; None when no function does."""
    word = re.compile(r"\b%s\b" % re.escape(name))
    rest = (rel for rel in _walk("*.py") if rel not in FOCUS)
    for rel in itertools.chain([r for r in FOCUS if os.path.isfile(r)], rest):
        if "test" in os.path.basename(rel):
            continue
        try:
            text = _read(rel)
            found = word.search(text) and _user_in(ast.parse(text).body, name, "")
        except (ToolError, SyntaxError, ValueError):
            continue
        if found:
            return (rel,) + found
    return None


def _user_in(body, name, prefix):
    """(Qual.name, line, how) of the innermost function in `body` that uses `name`."""
    for node in body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        qualname = prefix + node.name
        inner = _user_in(node.body, name, qualname + ".")
        if inner is not None:
            return inner
        if isinstance(node, ast.ClassDef):
            continue
        args = node.args
        every = args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
        if any(arg.arg == name for arg in every):
            return qualname, node.lineno, "a parameter of"
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Name) and sub.id == name) or (
                isinstance(sub, ast.Attribute) and sub.attr == name
            ):
                return qualname, node.lineno, "a name used in"
    return None


def _subclasses_itself(node):
    """True for `class List(fields.List)`: user code built on the class, not a new version."""
    for base in getattr(node, "bases", ()):
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        if name == node.name:
            return True
    return False


def _add_imports(path, lines):
    """Put import lines that a rewrite needs after the file's own imports, once each."""
    text = _read(path)
    missing = [line for line in lines if line and line not in text.splitlines()]
    if not missing:
        return
    rows = text.splitlines()
    after = 0
    for i, row in enumerate(rows):
        if row.startswith(("import ", "from ")) and not row.startswith("from __future__"):
            after = i + 1
    rows[after:after] = missing
    _write(path, "\n".join(rows) + "\n")
    print("added to %s: %s" % (path, "; ".join(missing)))
