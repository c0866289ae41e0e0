"""Run an issue's example under a profiler and write what it called (a standalone script).

This file runs inside the sandbox, on the repository's own Python (3.6 and later), so it
imports nothing of swe-agent. Usage, from the repository's root::

    python trace_example.py CHUNKS.json OUT.json SECONDS [PACKAGE]

CHUNKS.json is a list of code strings, run in order in one namespace (a statement of an
interpreter session each, or a whole script). OUT.json receives::

    {"calls": [[path, first_line, name], ...],   # the repository's code, in first-call order
     "raised": [{"type": ..., "message": ..., "frames": [[path, line, name], ...],
                 "setup": true when an import statement raised}, ...],
     "defined": {name: module that provided it, or null}}

Paths are relative to the repository root; code outside it (the standard library, installed
packages, the example itself) is left out. A chunk runs statement by statement (the rest of
it is skipped once one raises), and import statements run unprofiled: module set-up is not
what the example ran.

A session often uses names its reporter defined off-screen (``x`` in ``>>> Eq(x, 1)``). When
a statement fails on an undefined name, the module of PACKAGE that binds that name at its top
level (the shortest such path, tests left out) provides it, and the statement runs again.
"""

import ast
import contextlib
import importlib
import io
import json
import os
import re
import signal
import sys
import traceback

MAX_CALLS = 20000
MAX_DEFINED = 8
_UNDEFINED = re.compile(r"name '(\w+)' is not defined")
_OWN_FILE = os.path.realpath(__file__)  # this script may sit inside the repository
_SKIP_DIRS = ("tests", "test", "testing", "examples", "doc", "docs")


def _binders(root, package, name):
    """Modules of ``package`` binding ``name`` at their top level, shortest path first."""
    binds = re.compile(
        rf"^(?:[A-Za-z_]\w*\s*,\s*)*{re.escape(name)}(?:\s*,\s*[A-Za-z_]\w*)*\s*=[^=]",
        re.M,
    )
    found = []
    for folder, subfolders, files in os.walk(os.path.join(root, package)):
        subfolders[:] = [d for d in subfolders if d not in _SKIP_DIRS]
        for file in files:
            if not file.endswith(".py") or file.startswith("test_"):
                continue
            path = os.path.join(folder, file)
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            if binds.search(text):
                found.append(path[len(root) : -len(".py")].replace(os.sep, "."))
    found = [m[: -len(".__init__")] if m.endswith(".__init__") else m for m in found]
    return sorted(found, key=lambda m: (m.count("."), len(m)))


def _define(root, package, name, namespace):
    """Put ``name`` into ``namespace`` from the package module binding it; that module or None."""
    if not package:
        return None
    for module in _binders(root, package, name):
        try:
            value = getattr(importlib.import_module(module), name)
        except Exception:  # a module that does not import is simply not the one
            continue
        namespace[name] = value
        return module
    return None


def _import_roots(root, package):
    """The checkout, and its src/ folder for a src layout not installed in this Python."""
    if os.path.isdir(root + "src") and not (package and os.path.isdir(root + package)):
        return [root, root + "src"]
    return [root]


def main(argv):
    # Absolute: an example may change the working folder (a reproducer runs in a temporary one).
    chunks_path, out_path, seconds = (
        os.path.abspath(argv[1]),
        os.path.abspath(argv[2]),
        int(argv[3]),
    )
    package = "".join(argv[4:5])
    root = os.path.realpath(os.getcwd()) + os.sep
    sys.path[:0] = _import_roots(root, package)
    with open(chunks_path, encoding="utf-8") as handle:
        chunks = json.load(handle)
    calls = {}  # type: dict  # (path, first line, name) -> order of the first call

    def profile(frame, event, arg):
        if event == "call" and len(calls) < MAX_CALLS:
            code = frame.f_code
            if code.co_filename.startswith(root) and not code.co_name.startswith("<"):
                key = (code.co_filename[len(root) :], code.co_firstlineno, code.co_name)
                calls.setdefault(key, len(calls))

    def out_of_time(*_):
        raise TimeoutError("the example ran out of time")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(seconds)
    namespace = {"__name__": "__main__"}
    raised = []
    defined = {}  # type: dict  # name -> the module that provided it (None: none did)
    for chunk in chunks:
        for code, is_import in _statements(chunk):
            error = None
            while True:
                error = _run(code, namespace, None if is_import else profile, root)
                missing = _UNDEFINED.search(error["message"]) if error else None
                if missing is None or len(defined) >= MAX_DEFINED or missing.group(1) in defined:
                    break
                defined[missing.group(1)] = _define(root, package, missing.group(1), namespace)
                if defined[missing.group(1)] is None:
                    break
            if error is not None:
                error["setup"] = is_import  # an import failed: the environment lacks something
                raised.append(error)
                break  # the rest of a script depends on this statement
        if raised and raised[-1]["type"] in ("TimeoutError", "KeyboardInterrupt", "SystemExit"):
            break
    signal.alarm(0)
    ordered = sorted(calls, key=lambda key: calls[key])
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(
            {"calls": [list(k) for k in ordered], "raised": raised, "defined": defined}, handle
        )


def _statements(chunk):
    """Each top-level statement of ``chunk`` compiled alone, and whether it is an import (run
    unprofiled: module set-up is not what the example ran); [] when it does not parse."""
    try:
        tree = ast.parse(chunk)
    except (SyntaxError, ValueError):
        return []
    extra = {"type_ignores": []} if sys.version_info >= (3, 8) else {}  # type: dict
    out = []
    for node in tree.body:
        module = ast.Module(body=[node], **extra)
        out.append(
            (compile(module, "<issue>", "exec"), isinstance(node, (ast.Import, ast.ImportFrom)))
        )
    return out


def _run(code, namespace, profile, root):
    """Run one chunk (profiled unless ``profile`` is None); the exception it raised or None."""
    if profile is not None:
        sys.setprofile(profile)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, namespace)
    except BaseException as exc:  # whatever the example raises is the data
        sys.setprofile(None)
        frames = [
            [f.filename[len(root) :], f.lineno, f.name]
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.startswith(root) and f.filename != _OWN_FILE
        ]
        return {"type": type(exc).__name__, "message": str(exc)[:300], "frames": frames}
    finally:
        sys.setprofile(None)
    return None


if __name__ == "__main__":
    main(sys.argv)
