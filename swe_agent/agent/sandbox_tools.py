"""The agent's tool API, executed once in the sandbox runner's namespace.

Stdlib only and Python 3.6 compatible: project environments can be old. The host reads this file
as text and runs it in the runner; it is never imported by the host. Paths are relative to the
workspace (the runner's working directory); writes outside it are refused.
"""

import difflib
import fnmatch
import os
import re
import shlex
import subprocess

MAX_MATCHES = 50
MAX_VIEW_CHARS = 8000  # one view fits the observation (10,000), whole lines, no middle cut
MAX_LINE_CHARS = 1000
SKIP_DIRS = {".git", ".swe-agent", "__pycache__", ".venv", "node_modules", ".tox", ".mypy_cache"}
TEST_COMMAND = globals().get("TEST_COMMAND") or "python -m pytest -q -x"
# Files that localization ranked, best first: a rewrite of a name defined in several files
# goes to the best-ranked one (a repository may hold copies, vendored or reference versions).
FOCUS = globals().get("FOCUS") or []
# The tools' names: an action may call them but not define them for the session.
TOOLS = ("view", "grep", "edit", "insert", "create", "run", "run_tests", "submit",
         "search_entity", "traverse", "retrieve", "replace_definitions")  # fmt: skip


class ToolError(Exception):
    """A tool was called in a way it cannot honour; the message says what to do instead."""


class Submitted(globals().get("Finished", Exception)):  # type: ignore[misc]
    """Raised by submit(): a ``Finished`` of the runner, which reports it as the observation's
    ``finished``, and the agent loop stops."""


def _inside(path):
    root = os.path.realpath(os.getcwd())
    full = os.path.realpath(os.path.join(root, path))
    if full != root and not full.startswith(root + os.sep):
        raise ToolError("%s is outside the workspace %s" % (path, root))
    return full


def _read(path):
    full = _inside(path)
    if not os.path.isfile(full):
        raise ToolError("no such file: %s (use view('.') to list files)" % path)
    with open(full, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def _write(path, text):
    full = _inside(path)
    if path.endswith(".py"):
        try:
            compile(text, path, "exec")
        except SyntaxError as exc:
            raise ToolError(
                "refused: %s would not parse (line %s: %s); nothing was written"
                % (path, exc.lineno, exc.msg)
            ) from None
    parent = os.path.dirname(full)
    if parent and not os.path.isdir(parent):
        os.makedirs(parent)
    with open(full, "w", encoding="utf-8") as handle:
        handle.write(text)


def _numbered(lines, first):
    width = len(str(first + len(lines)))
    return "\n".join("%*d| %s" % (width, first + i, line) for i, line in enumerate(lines))


def view(path=".", start=None, end=None):
    """Print a file with line numbers (lines start..end, 1-based), or list a directory."""
    full = _inside(path)
    if os.path.isdir(full):
        names = sorted(n for n in os.listdir(full) if n not in SKIP_DIRS)
        print("\n".join(n + "/" if os.path.isdir(os.path.join(full, n)) else n for n in names))
        return
    lines = _read(path).splitlines()
    first = max(1, int(start or 1))
    last = min(len(lines), int(end or len(lines)))
    shown = []  # type: list[str]
    size = 0
    for line in lines[first - 1 : last]:
        line = line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " [... line cut]"
        size += len(line) + 8
        if shown and size > MAX_VIEW_CHARS:
            break
        shown.append(line)
    print(_numbered(shown, first))
    stop = first + len(shown) - 1
    if stop < last:
        print(
            "... lines %d-%d of %d not shown; view(%r, %d, %d) shows the next ones"
            % (stop + 1, last, len(lines), path, stop + 1, min(last, stop + len(shown)))
        )


def _walk(glob):
    for folder, dirs, files in os.walk("."):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            rel = os.path.relpath(os.path.join(folder, name))
            if glob is None or fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(name, glob):
                yield rel


def grep(pattern, glob=None):
    """Print lines matching a regular expression, as path:line: text (at most 50)."""
    regex = re.compile(pattern)
    shown = 0
    for rel in _walk(glob):
        try:
            with open(rel, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if regex.search(line):
                        print("%s:%d: %s" % (rel, number, line.rstrip()[:200]))
                        shown += 1
                        if shown >= MAX_MATCHES:
                            print("... more matches; narrow the pattern or pass glob=")
                            return
        except (UnicodeDecodeError, OSError):
            continue
    if not shown:
        print("no matches for %r" % pattern)


def _closest(text, old):
    lines = text.splitlines()
    first = old.strip().splitlines()[0] if old.strip() else old
    scored = difflib.get_close_matches(first, lines, n=3, cutoff=0.4)
    spots = [i for i, line in enumerate(lines) if line in scored]
    return "\n".join(_numbered(lines[max(0, i - 1) : i + 2], max(1, i)) for i in spots[:3])


def edit(path, old, new):
    """Replace the one exact occurrence of `old` in a file with `new`."""
    text = _read(path)
    count = text.count(old)
    if count == 0:
        near = _closest(text, old)
        hint = ("\nclosest lines:\n" + near) if near else ""
        raise ToolError("`old` was not found in %s; copy it exactly from view()%s" % (path, hint))
    if count > 1:
        raise ToolError("`old` occurs %d times in %s; include more context" % (count, path))
    _write(path, text.replace(old, new, 1))
    start = text[: text.index(old)].count("\n") + 1
    updated = _read(path).splitlines()
    print("edited %s:" % path)
    print(_numbered(updated[max(0, start - 3) : start + new.count("\n") + 3], max(1, start - 2)))


def insert(path, line, text):
    """Insert text after the given line number (0 inserts at the top)."""
    lines = _read(path).splitlines(True)
    if not 0 <= int(line) <= len(lines):
        raise ToolError("line %s is outside 0..%d of %s" % (line, len(lines), path))
    if not text.endswith("\n"):
        text += "\n"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines.insert(int(line), text)
    _write(path, "".join(lines))
    print("inserted %d line(s) into %s after line %s" % (text.count("\n"), path, line))


def create(path, text):
    """Create a new file (refuses to overwrite an existing one)."""
    if os.path.exists(_inside(path)):
        raise ToolError("%s exists; use edit() to change it" % path)
    _write(path, text)
    print("created %s (%d lines)" % (path, text.count("\n") + 1))


def run(cmd, timeout=60):
    """Run a shell command in the workspace; print its output and exit code."""
    wrapped = "timeout -s KILL %d sh -c %s" % (int(timeout), shlex.quote(cmd))
    proc = subprocess.run(
        wrapped,
        shell=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        errors="replace",
    )
    print(proc.stdout.rstrip())
    status = "timed out after %ss" % timeout if proc.returncode == 137 else proc.returncode
    print("[exit code: %s]" % status)
    return proc.returncode


def run_tests(selector=None, timeout=600):
    """Run the project's tests: one file, test id or -k expression; by default, once files
    changed, the test files related to the change (the whole suite when none is known)."""
    if not selector:
        related = _related_test_files()
        if related:
            print("the %d test files related to your change:" % len(related), *related)
            selector = " ".join(shlex.quote(path) for path in related)
    cmd = TEST_COMMAND if not selector else "%s %s" % (TEST_COMMAND, selector)
    return run(cmd, timeout=timeout)


def _related_test_files():
    """Test files the code graph relates to the workspace's change (a whole suite can outlast
    an action: sqlfluff's did, three times in one run); none without a change or a graph."""
    host = globals().get("_host_related_tests")
    if host is None:
        return []
    diff = subprocess.run(
        ["git", "diff", "HEAD"], stdout=subprocess.PIPE, universal_newlines=True, errors="replace"
    ).stdout
    return [line for line in host(diff).splitlines() if line.strip()] if diff.strip() else []


def submit(summary=""):
    """Finish: the current workspace becomes the proposed patch."""
    raise Submitted(summary)


def _graph_tool(name):
    host = globals().get("_host_" + name)

    def tool(*args, **kwargs):
        if host is None:
            raise ToolError("%s is not available in this run (no code graph)" % name)
        print(host(*args, **kwargs))

    tool.__name__ = name
    return tool


search_entity = _graph_tool("search_entity")
search_entity.__doc__ = "Find code entities by id, name or words: search_entity('median')."
traverse = _graph_tool("traverse")
traverse.__doc__ = "Show callers/callees: traverse('pkg/mod.py:func', 'upstream', 2)."
retrieve = _graph_tool("retrieve")
retrieve.__doc__ = "Print an entity's code with line numbers: retrieve('pkg/mod.py:Class.meth')."
