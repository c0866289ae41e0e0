"""Exact matches between an issue's signals and the repository: paths, frames, names, messages."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from localization.evidence import Evidence
from localization.graphview import Node
from localization.signals import IssueSignals


@dataclass(frozen=True)
class Weights:
    """How much each kind of exact evidence is worth (BM25 is scaled to at most 1)."""

    frame: float = 1.6  # the function of a traceback frame, found by file and line
    link: float = 0.8  # the function at the line of a permalink to the source (github blob #L)
    frame_name: float = 0.5  # a traceback function found by name only
    path: float = 1.2  # a file named in the issue
    dotted: float = 0.9  # an entity named with its dotted path (last two parts match)
    emphasized: float = 0.7  # an identifier in backticks or prose equal to an entity name
    in_code: float = 0.25  # an identifier only in a code block equal to an entity name
    stem: float = 0.7  # an issue word equal to a file's stem ("L031" -> rules/L031.py)
    message: float = 1.0  # an error message found verbatim in the code
    code_ref: float = 0.6  # a public name the issue's code uses (``xr.where``), resolved
    word_class: float = 0.3  # a capitalized prose word equal to a class name ("Dataset")
    plain_word_share: float = 0.3  # share of ``stem`` for a plain word (not code-like)
    bare_name_share: float = 0.8  # share of ``path`` for a bare file name ("conf.py")
    title_stem: float = 0.9  # a word of the issue's title equal to a file's stem, any case
    tag_stem: float = 1.2  # the title's component tag ("[youtube]") equal to a file's stem
    constant_share: float = 0.8  # share of ``message`` for a function using its constant
    pair: float = 0.9  # a method of a class the issue names, the method's name named too
    dispatch_share: float = 0.5  # share of ``pair`` for a method dispatching on the name
    pair_code_share: float = 0.3  # share of ``pair`` when a name is only in the issue's code
    implements: float = 0.9  # the hook (``_eval_as_set``) of a method the issue's code calls


class Catalog:
    """Lookup tables over the graph's nodes: by name, by file, and by path suffix."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.by_name: dict[str, list[Node]] = defaultdict(list)
        self.by_file: dict[str, list[Node]] = defaultdict(list)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        self.by_lower_stem: dict[str, list[str]] = defaultdict(list)
        self.files: list[str] = []
        self._dispatch: dict[str, list[Node]] | None = None
        for node in nodes:
            if node.kind == "file":
                self.files.append(node.path)
                stem = node.path.rsplit("/", 1)[-1].removesuffix(".py")
                self.by_stem[stem].append(node.path)
                self.by_lower_stem[stem.lower()].append(node.path)
            else:
                self.by_name[node.name].append(node)
                self.by_file[node.path].append(node)

    def match_path(self, mentioned: str) -> list[str]:
        """Files of the graph that a path written in an issue can mean (suffix match)."""
        mentioned = mentioned.lstrip("/")
        exact = [f for f in self.files if f == mentioned or mentioned.endswith("/" + f)]
        if exact:
            return exact
        return [f for f in self.files if f.endswith("/" + mentioned)]

    def dispatching_on(self, name: str) -> list[Node]:
        """Functions whose name ends with ``_<name>`` ("_eval_is_zero", "visit_literal" for
        "is_zero", "literal"): methods a class provides for a name its base dispatches on."""
        if self._dispatch is None:
            self._dispatch = defaultdict(list)
            for full, nodes in self.by_name.items():
                functions = [n for n in nodes if n.kind == "function"]
                parts = full.split("_")
                for cut in range(1, len(parts)):
                    if "_".join(parts[:cut]):  # "_private" has no dispatch prefix
                        self._dispatch["_".join(parts[cut:])].extend(functions)
        return self._dispatch.get(name, [])

    def at_line(self, path: str, line: int) -> Node | None:
        """The innermost class or function of ``path`` whose span holds ``line``."""
        holders = [n for n in self.by_file.get(path, ()) if n.start_line <= line <= n.end_line]
        return min(holders, key=lambda n: n.end_line - n.start_line, default=None)


def spread(count: int) -> float:
    """Ambiguity discount: a name that names many entities says less about each."""
    return 1.0 / math.sqrt(max(count, 1))


FRAME_DECAY = 0.85  # each frame of this repository above the deepest weighs this much less
PATH_DECAY = 0.9  # each frame below the outermost, when stopped by hand (see ``match_frames``)


def interrupted(signals: IssueSignals) -> bool:
    """Whether the issue's frames show where a program was rather than where it failed: the
    only exception it names is ``KeyboardInterrupt`` (a slow call stopped by hand)."""
    return set(signals.exceptions) == {"KeyboardInterrupt"}


def match_frames(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """Traceback frames: the function at the frame's line, deeper frames weigh more. When the
    program was interrupted, not failing, the outer frames weigh more: the deepest is where
    the time went (a loop, an I/O call), the outer ones the call that should not go there."""
    # Depth counts only frames in this repository: library frames below them say nothing.
    located = [(frame, catalog.match_path(frame.path)) for frame in reversed(signals.frames)]
    outermost = sum(1 for _, files in located if files) - 1 if interrupted(signals) else None
    depth = 0
    for index, (frame, files) in enumerate(located):
        decay = FRAME_DECAY**depth if outermost is None else PATH_DECAY ** (outermost - depth)
        depth += 1 if files else 0
        for path in files:
            node = catalog.at_line(path, frame.line)
            label = f"traceback frame {frame.path}:{frame.line} in {frame.function}"
            if node is not None and (node.name == frame.function or not frame.function):
                ev.add(node.id, w.frame * decay, label)
            # A file's strongest frame counts; more frames in one file do not pile up (a deep
            # call chain through one module says little more than its deepest frame).
            ev.raise_to(path, w.frame * decay, label)
        if not files and frame.function in catalog.by_name:
            nodes = catalog.by_name[frame.function]
            value = w.frame_name * FRAME_DECAY**index * spread(len(nodes))
            for node in nodes:
                ev.add(node.id, value, f"traceback function {frame.function}")


def match_links(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """Permalinks to source lines: the function at the line (the link's revision may differ
    from the checkout's, so a link weighs less than a traceback frame)."""
    for link in signals.links:
        for path in catalog.match_path(link.path):
            node = catalog.at_line(path, link.line)
            if node is not None:
                ev.add(node.id, w.link, f"linked at {link.path}#L{link.line}")


def match_paths(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """Files named in the issue (by path or by module dotted name)."""
    for mentioned in signals.paths:
        files = catalog.match_path(mentioned)
        share = 1.0 if "/" in mentioned else w.bare_name_share
        for path in files:
            value = w.path * share * spread(len(files))
            ev.raise_to(path, value, f"path {mentioned} named in the issue")
    for dotted in signals.dotted:
        as_path = dotted.replace(".", "/")
        for candidate in (as_path + ".py", as_path + "/__init__.py"):
            for path in catalog.match_path(candidate) if "/" in as_path else ():
                ev.raise_to(path, w.path * 0.8, f"module {dotted} named in the issue")


def _dotted_id(node: Node) -> list[str]:
    module = node.path.removesuffix(".py").removesuffix("/__init__").split("/")
    return module + node.qualname.split(".")


def _common_tail(a: list[str], b: list[str]) -> int:
    count = 0
    while count < min(len(a), len(b)) and a[-1 - count] == b[-1 - count]:
        count += 1
    return count


def match_dotted(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """Dotted names (``pkg.mod.Class.method``, ``Class.method``) matched from the end."""
    for dotted in signals.dotted:
        parts = dotted.split(".")
        nodes = catalog.by_name.get(parts[-1], [])
        for node in nodes:
            matched = _common_tail(parts, _dotted_id(node))
            if matched >= 2:
                value = w.dotted * min(1.0, 0.6 + 0.2 * matched)
                ev.raise_to(node.id, value, f"dotted name {dotted}")


def match_names(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """Identifiers equal to an entity name; issue words equal to a file stem."""
    emphasized = set(signals.emphasized)
    for name in signals.identifiers:
        nodes = catalog.by_name.get(name, [])
        weight = w.emphasized if name in emphasized else w.in_code
        for node in nodes:
            where = "named in the issue" if name in emphasized else "in the issue's code"
            ev.add(node.id, weight * spread(len(nodes)), f"identifier {name} {where}")
    named = set(signals.identifiers)
    for word in signals.words:
        classes = [n for n in catalog.by_name.get(word, ()) if n.kind == "class"]
        if word[0].isupper() and word not in named and classes:
            for node in classes:
                ev.add(node.id, w.word_class * spread(len(classes)), f"class {word} named")
    for word in named | set(signals.words):
        files = catalog.by_stem.get(word, [])
        if files and len(word) > 3 and word != "__init__":
            # A plain English word that happens to name a module ("project") says little.
            weight = w.stem * (1.0 if word in named else w.plain_word_share)
            for path in files:
                ev.add(path, weight * spread(len(files)), f"file name {word} in the issue")


def match_pairs(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """A method of a class the issue names whose own name the issue names too: "`Add` ...
    `is_zero`" means ``Add.is_zero``, or the ``Add._eval_is_zero`` it dispatches to; the
    issue spelled a dotted name in two pieces. Names only in the issue's code count less."""
    named = set(signals.identifiers)
    classes = {n for n in named if n[:1].isupper() and n in catalog.by_name}
    if w.pair <= 0 or not classes:
        return
    emphasized = set(signals.emphasized)
    for name in named:
        if len(name) < 4:
            continue
        exact = [(n, 1.0) for n in catalog.by_name.get(name, ()) if n.kind == "function"]
        dispatch = [(n, w.dispatch_share) for n in catalog.dispatching_on(name)]
        for node, share in exact + dispatch:
            owner = node.qualname.split(".")[0]
            if owner not in classes or owner == node.name:
                continue
            prose = owner in emphasized and name in emphasized
            value = w.pair * share * (1.0 if prose else w.pair_code_share)
            ev.add(node.id, value, f"method {node.qualname} of the named class {owner}")


def match_title(signals: IssueSignals, catalog: Catalog, ev: Evidence, w: Weights) -> None:
    """A title word naming a module ("[MiTele] fails", "order: ...", "CloudFlareStream ..."):
    titles name the component at fault far more often than bodies do."""
    tags = set(signals.tags)
    for word in signals.title:
        files = catalog.by_lower_stem.get(word, [])
        if not files or len(word) <= 3 or word == "__init__":
            continue
        weight = w.tag_stem if word in tags else w.title_stem
        label = f"title {'tag' if word in tags else 'word'} {word} names the file"
        for path in files:
            ev.raise_to(path, weight * spread(len(files)), label)


_FRAGMENT = re.compile(r"[A-Za-z][A-Za-z ,]{15,}[A-Za-z]")


def _probes(message: str) -> list[str]:
    """What to search for: the message's start, and its longest plain-words fragment (messages
    are often formatted, so the full text is rarely in the code verbatim)."""
    text = message.strip().strip("'\"")
    fragments = sorted(_FRAGMENT.findall(text), key=len, reverse=True)
    probes = [text[:60]] + fragments[:1]
    return [p for p in dict.fromkeys(probes) if len(p) >= 12]


def _find(texts: dict[str, str], probe: str) -> list[tuple[str, int]]:
    hits = []
    for path, text in texts.items():
        at = text.find(probe)
        if at >= 0:
            hits.append((path, text.count("\n", 0, at) + 1))
    return hits


def match_messages(
    signals: IssueSignals, catalog: Catalog, texts: dict[str, str], ev: Evidence, w: Weights
) -> None:
    """Error messages and quoted strings found verbatim in the code: the place that says them,
    or, for a message kept in a named constant, the places that use the constant."""
    for message in signals.messages + signals.quoted:
        hits: list[tuple[str, int]] = []
        for probe in _probes(message):
            hits = _find(texts, probe)
            if hits:
                break
        value = w.message * spread(len(hits)) if hits else 0.0
        for path, line in hits[:20]:
            node = catalog.at_line(path, line)
            label = f"message '{probe[:40]}' found in {path}:{line}"
            ev.add(node.id if node else path, value, label)
            ev.add(path, value * 0.5, label)
            if node is None or node.kind == "class":
                _constant_users(texts[path], line, catalog, texts, ev, value * w.constant_share)


_CONSTANT = re.compile(r"^\s*([A-Za-z_]\w{3,})\s*(?::[^=\n]+)?=[^=]")


def _constant_users(
    text: str, line: int, catalog: Catalog, texts: dict[str, str], ev: Evidence, value: float
) -> None:
    """The functions that use the constant a message is assigned to (``message_registry.X``):
    the message is said where the constant is used, not where it is defined."""
    lines = text.splitlines()
    # The message may sit on a continuation line of the assignment: look a few lines up.
    for above in range(line - 1, max(line - 4, 0) - 1, -1):
        m = _CONSTANT.match(lines[above]) if above < len(lines) else None
        if m:
            break
    else:
        return
    name = m.group(1)
    uses = re.compile(rf"(?<![\w]){re.escape(name)}(?!\w)")
    found: list[tuple[str, str]] = []
    for path, other in texts.items():
        if name not in other:
            continue
        for hit in uses.finditer(other):
            node = catalog.at_line(path, other.count("\n", 0, hit.start()) + 1)
            if node is not None and node.kind == "function":
                found.append((node.id, path))
    users = dict.fromkeys(found)
    for key, path in list(users)[:20]:
        share = value * spread(len(users))
        ev.add(key, share, f"uses {name}, the constant holding the message")
        ev.add(path, share * 0.5, f"uses {name}, the constant holding the message")
