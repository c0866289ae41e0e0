"""Signals in an issue's text: traceback frames, paths, dotted names, identifiers, errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from localization.tokens import STOPWORDS, distinctive

# CPython traceback frame: File "pkg/mod.py", line 12, in func
_PY_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>[\w<>.]+))?')
# pytest's short frames: pkg/mod.py:12: in func
_PYTEST_FRAME = re.compile(
    r"^(?P<path>[\w./\\-]+\.py):(?P<line>\d+):(?: in (?P<func>[\w<>.]+))?", re.M
)
# IPython / Jupyter frame: File ~/env/site-packages/pkg/mod.py:12, in Class.func(args)
_IPY_FRAME = re.compile(r"File (?P<path>[^\s\"]+\.py):(?P<line>\d+), in (?P<func>[\w<>.]+)")
# cProfile / pstats row: ... 0.512 pkg/mod.py:41(__init__)
_PROFILE_FRAME = re.compile(r"(?P<path>[\w./\\~-]+\.py):(?P<line>\d+)\((?P<func>[\w<>]+)\)")
# A permalink to source lines: github.com/OWNER/NAME/blob/REF/pkg/mod.py#L12 (GitLab: /-/blob/)
_LINK = re.compile(r"/blob/[\w.-]+/(?P<path>[\w./-]+\.py)#L(?P<line>\d+)")
_PATH = re.compile(r"(?<![\w.])((?:[\w.-]+[/\\])*[\w-]+\.pyi?)(?![\w])")
_DOTTED = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)(?![\w(]?\w)")
_BACKTICK = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)  # a fenced code block; group 1 is its code
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Warning|Exit|Interrupt))\b")
_MESSAGE = re.compile(r"^\s*(?:[\w.]+\.)?([A-Z]\w*(?:Error|Exception|Warning)): (?P<msg>.+)$", re.M)
# A checker's, compiler's or builder's report line: "mod.py:5:13: error: Bad location  [misc]",
# "index.rst:28: WARNING: more than one target found".
_REPORT = re.compile(
    r"^\S+?:\d+(?::\d+)?: (?i:error|warning|note): (?P<msg>.+?)\s*(?:\[[\w-]+\])?\s*$",
    re.M,
)
_QUOTED = re.compile(r"\"([^\"\n]{12,120})\"|'([^'\n]{12,120})'")
_FILE_SUFFIXES = ("py", "pyi", "txt", "md", "rst", "cfg", "toml", "json", "yaml", "yml", "html")
# A title's component tag: "[YouTube] ...", "feat(snowflake): ...", "order: ...".
_TAG = re.compile(r"^\s*(?:\[([^\]]{2,40})\]|(\w[\w-]*)(?:\(([\w, -]{2,40})\))?!?:\s)")
_TEST_WORDS = re.compile(r"\b(tests?|pytest|unittest|test suite|testing)\b", re.I)


@dataclass(frozen=True)
class Frame:
    """One stack-trace frame named in the issue."""

    path: str
    line: int
    function: str


@dataclass(frozen=True)
class IssueSignals:
    """Everything in an issue that can point at code, strongest evidence first."""

    frames: tuple[Frame, ...] = ()
    links: tuple[Frame, ...] = ()  # permalinks to source lines (no function name)
    paths: tuple[str, ...] = ()
    dotted: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()  # names from backticks, code blocks, Camel/snake words
    emphasized: tuple[str, ...] = ()  # names in backticks or prose (not only in code blocks)
    exceptions: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()  # error messages ("ValueError: <message>")
    quoted: tuple[str, ...] = ()  # quoted strings of the issue's prose, likely literal output
    words: tuple[str, ...] = ()  # every distinct word of the issue, as written
    title: tuple[str, ...] = ()  # the words of the issue's first line, lower-cased
    tags: tuple[str, ...] = ()  # the title's component tags ("[youtube]", "order:", "fix(api):")
    mentions_tests: bool = False


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


def normalize_path(path: str) -> str:
    """A path as written in an issue, relative and POSIX (site-packages prefix dropped)."""
    path = path.replace("\\", "/")
    for marker in ("site-packages/", "dist-packages/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return path.lstrip("./") if path.startswith("./") else path


def _frames(text: str) -> list[Frame]:
    frames = []
    for regex in (_PY_FRAME, _PYTEST_FRAME, _IPY_FRAME, _PROFILE_FRAME):
        for m in regex.finditer(text):
            func = (m.group("func") or "").rpartition(".")[2]
            frames.append(Frame(normalize_path(m.group("path")), int(m.group("line")), func))
    return frames


def _looks_like_code(word: str) -> bool:
    """CamelCase (an upper-case letter after the first) or snake_case (an inner underscore)."""
    inner = word.strip("_")
    has_lower = any(c.islower() for c in inner)
    return ("_" in inner and distinctive(inner)) or (
        has_lower and any(c.isupper() for c in inner[1:])
    )


def _is_name(word: str) -> bool:
    return len(word) > 2 and word.lower() not in STOPWORDS and not word.isdigit()


def _dotted(text: str) -> list[str]:
    found = []
    for m in _DOTTED.finditer(text):
        name = m.group(1)
        last = name.rsplit(".", 1)[1]
        # "e.g", "i.e" and file names ("setup.py") are not dotted code names.
        if last in _FILE_SUFFIXES:
            continue
        if all(len(p) > 1 for p in name.split(".")):
            found.append(name)
    return found


def _code_spans(text: str) -> tuple[list[str], list[str]]:
    """Inline code spans and fenced code blocks, separately."""
    blocks = FENCE.findall(text)
    prose = FENCE.sub(" ", text)
    return _BACKTICK.findall(prose), blocks


def _identifiers(text: str) -> tuple[list[str], list[str]]:
    spans, blocks = _code_spans(text)
    prose = _BACKTICK.sub(" ", FENCE.sub(" ", text))
    emphasized = [w for s in spans for w in _IDENT.findall(s) if _is_name(w)]
    emphasized += [w for w in _IDENT.findall(prose) if _looks_like_code(w) and _is_name(w)]
    in_code = [w for b in blocks for w in _IDENT.findall(b) if _is_name(w)]
    return emphasized, emphasized + in_code


_KEY_VALUE = re.compile(r"^\s*[\w.\-/ ]{1,40}\s*[:=]\s*\S.{0,80}$")


def query_text(text: str) -> str:
    """The issue without environment dumps (8+ lines in a row of ``name: version``), whose
    package names would make BM25 favour the project's version-report module."""
    lines = text.splitlines()
    keep: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if _KEY_VALUE.match(line):
            run.append(line)
            continue
        if len(run) < 8:
            keep.extend(run)
        run = []
        keep.append(line)
    return "\n".join(keep[:-1])  # the last line kept is the sentinel


def _title(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The first line's words and its component tags, lower-cased (file names are)."""
    first = text.strip().split("\n", 1)[0]
    words = [w.lower() for w in _IDENT.findall(first) if _is_name(w)]
    m = _TAG.match(first)
    tag = (m.group(3) or m.group(1) or m.group(2) or "") if m else ""
    if m and not m.group(3) and m.group(2) and m.group(2).isupper():
        tag = ""  # "BUG:", "ENH:", "API:" say what kind of change, not where
    return _unique(words), _unique([w.lower() for w in _IDENT.findall(tag) if _is_name(w)])


def extract_signals(text: str) -> IssueSignals:
    """Extract traceback frames, paths, dotted names, identifiers and errors from an issue."""
    emphasized, identifiers = _identifiers(text)
    frames = _frames(text)
    title, tags = _title(text)
    paths = [normalize_path(p) for p in _PATH.findall(text)]
    links = [Frame(m["path"], int(m["line"]), "") for m in _LINK.finditer(text)]
    return IssueSignals(
        frames=tuple(dict.fromkeys(frames)),
        links=tuple(dict.fromkeys(links)),
        paths=_unique(paths + [f.path for f in frames]),
        dotted=_unique(_dotted(text)),
        identifiers=_unique(identifiers),
        emphasized=_unique(emphasized),
        exceptions=_unique(_EXCEPTION.findall(text)),
        messages=_unique(
            [m.group("msg").strip()[:200] for r in (_MESSAGE, _REPORT) for m in r.finditer(text)]
        ),
        quoted=_unique(
            [q for a, b in _QUOTED.findall(FENCE.sub(" ", text)) if " " in (q := a or b)]
        ),
        words=_unique([w for w in _IDENT.findall(text) if _is_name(w)]),
        title=title,
        tags=tags,
        mentions_tests=bool(_TEST_WORDS.search(FENCE.sub(" ", text))),
    )
