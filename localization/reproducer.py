"""An issue's shell reproducer as code the tracer can run: its files, then its first command.

Issues against command-line tools rarely hold an interpreter session. They give files
(``conf.py:`` above a code block, or ``cat <<EOF > docs/conf.py``) and a command that runs
the project (``sphinx-build . build``, ``python -m sphinx -b html docs html``, ``pylint
mytest.py -v``). ``reproducer_chunks`` turns that into Python statements for
``trace_example.py``: write the files into a fresh temporary folder, set ``sys.argv``, import
the command's entry point and call it, so the profiler sees the project's code the command ran.

    scripts = console_scripts(checkout)       # {"sphinx-build": "sphinx.cmd.build:main", ...}
    chunks = reproducer_chunks(issue_text, scripts=scripts, packages={"sphinx"})  # [] if none
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path

_FENCED = re.compile(r"^([ \t]*)```([^\n`]*)\n(.*?)^[ \t]*```", re.M | re.S)
# A line that only names a file ("conf.py:", "**index.rst**", "`docs/conf.py`:").
_LABEL = re.compile(r"^[ \t>#*_`]*([\w.-]+(?:/[\w.-]+)*\.\w{1,5})[*_`]*[ \t]*:?[ \t]*$")
_HEREDOC = re.compile(
    r"^[ \t$]*cat\s+(?:<<-?\s*['\"]?(\w+)['\"]?\s*>\s*(\S+)|>\s*(\S+)\s+<<-?\s*['\"]?(\w+)['\"]?)"
    r"[ \t]*\n(.*?)\n[ \t]*(?:\1|\4)[ \t]*$",
    re.M | re.S,
)
_PROMPT = re.compile(r"^[ \t]*[$%>][ \t]+")
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)*)?(?:\.exe)?$")
# Setup scripts list entry points as "name = package.module:function".
_ENTRY = re.compile(r"""["']\s*([\w.-]+)\s*=\s*([\w.]+:[\w.]+)\s*["']""")
_VERSION = re.compile(r"^v?\d+(?:\.\d+)+\S*$")  # "pylint 2.13.7" is a version report, not a command
_NOT_A_RUN = {"--version", "-V", "--help", "-h"}
_DATA_TAGS = {"python", "py", "python3", "pycon", "ipython", "json", "yaml", "yml", "toml"}
MAX_FILES = 12
MAX_FILE_CHARS = 20_000


def console_scripts(root: Path) -> dict[str, str]:
    """The repository's console scripts (name -> "module:function"), from pyproject.toml,
    setup.cfg or setup.py; {} when it declares none or they do not parse."""
    scripts: dict[str, str] = {}
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        project = {}
    scripts.update(project.get("project", {}).get("scripts", {}) or {})
    scripts.update(project.get("tool", {}).get("poetry", {}).get("scripts", {}) or {})
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read(root / "setup.cfg", encoding="utf-8")
        listed = config.get("options.entry_points", "console_scripts", fallback="")
    except (configparser.Error, UnicodeDecodeError):
        listed = ""
    for line in listed.splitlines():
        name, _, target = line.partition("=")
        if ":" in target:
            scripts.setdefault(name.strip(), target.strip())
    try:
        setup_py = (root / "setup.py").read_text(encoding="utf-8", errors="replace")
    except OSError:
        setup_py = ""
    for name, target in _ENTRY.findall(setup_py):
        scripts.setdefault(name, target)
    return {k: v for k, v in scripts.items() if isinstance(v, str) and ":" in v}


def _blocks(text: str) -> list[tuple[str | None, str, str]]:
    """Each fenced code block as (the file name on the line above it or None, its tag
    lower-cased, its body dedented to the fence)."""
    out = []
    for m in _FENCED.finditer(text):
        label = _LABEL.match(text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1])
        body = _dedent(m.group(3), m.group(1))
        out.append((label.group(1) if label else None, m.group(2).strip().lower(), body))
    return out


def issue_files(text: str) -> dict[str, str]:
    """Files an issue spells out: heredocs (``cat <<EOF > path``) and code blocks right under
    a line naming a file ("conf.py:"), path -> content; relative paths only."""
    text = _unix(text)
    found: dict[str, str] = {}
    for m in _HEREDOC.finditer(text):
        found[m.group(2) or m.group(3)] = m.group(5) + "\n"
    for label, _, body in _blocks(text):
        if label:
            found.setdefault(label, body)
    return {
        path: body[:MAX_FILE_CHARS]
        for path, body in list(found.items())[:MAX_FILES]
        if not path.startswith(("/", "~")) and ".." not in path.split("/")
    }


def _unnamed_python(text: str) -> list[str]:
    """Python code blocks with no file name above them, in order."""
    python = {"python", "py", "python3"}
    return [body for label, tag, body in _blocks(_unix(text)) if not label and tag in python]


def _unix(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _dedent(body: str, indent: str) -> str:
    lines = body.split("\n")
    return "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in lines)


def _command_lines(text: str) -> list[str]:
    """Lines that may be commands: shell-ish code blocks, and prompted lines anywhere."""
    lines = [line for line in text.splitlines() if _PROMPT.match(line)]
    for m in _FENCED.finditer(text):
        if m.group(2).strip().lower() not in _DATA_TAGS:
            lines.extend(m.group(3).splitlines())
    return [_PROMPT.sub("", line).strip() for line in lines]


def _argv(line: str) -> list[str]:
    for stop in ("|", ">", "2>", "&&", ";", "#"):
        line = line.split(f" {stop}", 1)[0]
    try:
        return shlex.split(line)
    except ValueError:
        return []


def find_command(
    text: str, *, scripts: Mapping[str, str], packages: Collection[str]
) -> tuple[str, list[str]] | None:
    """The issue's first command that runs the project: ("module:function", argv) for a
    console script, ("-m module", argv) for ``python -m module``; None when there is none."""
    for line in _command_lines(_unix(text)):
        argv = _argv(line)
        if not argv or (argv[1:] and _VERSION.match(argv[1])) or _NOT_A_RUN & set(argv):
            continue
        name = argv[0].rsplit("/", 1)[-1]
        if name in scripts:
            return scripts[name], [name, *argv[1:]]
        if _PYTHON.match(name) and argv[1:2] == ["-m"] and argv[2:]:
            module = argv[2]
            if module.split(".")[0] in packages:
                return f"-m {module}", [module, *argv[3:]]
    return None


def reproducer_chunks(
    text: str, *, scripts: Mapping[str, str], packages: Collection[str]
) -> list[str]:
    """Statements that write the issue's files into a temporary folder and run its first
    command of the project there; [] when the issue has no such command."""
    command = find_command(text, scripts=scripts, packages=packages)
    if command is None:
        return []
    target, argv = command
    files = issue_files(text)
    # "pylint foo.py" with foo.py's code in an unnamed block: that block is the file.
    named = [a for a in argv[1:] if a.endswith(".py") and a not in files]
    files.update(zip(named, _unnamed_python(text), strict=False))
    chunks = [
        "import os, sys, tempfile",
        "os.chdir(tempfile.mkdtemp(prefix='issue-'))",
        f"for _path, _text in {files!r}.items():\n"
        "    os.makedirs(os.path.dirname(_path) or '.', exist_ok=True)\n"
        "    with open(_path, 'w', encoding='utf-8') as _file:\n"
        "        _file.write(_text)",
        # Set before the entry point is imported: some bind sys.argv[1:] as a default then.
        f"sys.argv = {argv!r}",
    ]
    if target.startswith("-m "):
        # ``python -m`` puts the working folder first on the path.
        chunks += ["sys.path.insert(0, os.getcwd())", "import runpy"]
        chunks.append(f"runpy.run_module({target[3:]!r}, run_name='__main__', alter_sys=True)")
    else:
        module, _, function = target.partition(":")
        head, _, rest = function.partition(".")
        chunks.append(f"from {module} import {head} as _entry_point")
        chunks.append(f"_entry_point{'.' + rest if rest else ''}()")
    return chunks
