"""Exact matches between an issue's signals and the repository: paths, frames, names, messages."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from localization.features import Feature, Ledger, spread
from localization.graphview import Node
from localization.signals import IssueSignals
from localization.tokens import distinctive


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


def interrupted(signals: IssueSignals) -> bool:
    """Whether the issue's frames show where a program was rather than where it failed: the
    only exception it names is ``KeyboardInterrupt`` (a slow call stopped by hand)."""
    return set(signals.exceptions) == {"KeyboardInterrupt"}


def match_frames(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """Traceback frames: the code at each frame's line, and how near it is to the deepest
    frame (where it failed) or, when the program was interrupted, to the outermost (the call
    that should not have gone where the time went)."""
    # Depth counts only frames in this repository: library frames below them say nothing.
    located = [(frame, catalog.match_path(frame.path)) for frame in reversed(signals.frames)]
    count = sum(1 for _, files in located if files)
    outer = interrupted(signals)
    depth = 0
    for frame, files in located:
        label = f"traceback frame {frame.path}:{frame.line} in {frame.function}"
        if files:
            measures = {Feature.FRAME: 1.0, Feature.FRAME_DEPTH: 1 / (1 + depth)}
            if outer:
                measures[Feature.FRAME_OUTER] = 1 / (count - depth)
            depth += 1
        for path in files:
            node = catalog.at_line(path, frame.line)
            for feature, value in measures.items():
                if node is not None and (node.name == frame.function or not frame.function):
                    ev.raise_to(node.id, feature, value, label)
                # A file's strongest frame counts; more frames in one file do not pile up.
                ev.raise_to(path, feature, value, label)
        if not files and frame.function in catalog.by_name:
            nodes = catalog.by_name[frame.function]
            label = f"traceback function {frame.function}"
            for node in nodes:
                ev.raise_to(node.id, Feature.FRAME_NAME, spread(len(nodes)), label)


def match_links(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """Permalinks to source lines: the function at the line (the link's revision may differ
    from the checkout's)."""
    for link in signals.links:
        for path in catalog.match_path(link.path):
            node = catalog.at_line(path, link.line)
            if node is not None:
                ev.raise_to(node.id, Feature.LINK, 1.0, f"linked at {link.path}#L{link.line}")


def match_paths(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """Files named in the issue (by path, by bare file name or by module dotted name)."""
    for mentioned in signals.paths:
        files = catalog.match_path(mentioned)
        feature = Feature.PATH if "/" in mentioned else Feature.BARE_PATH
        for path in files:
            value = spread(len(files))
            ev.raise_to(path, feature, value, f"path {mentioned} named in the issue")
    for dotted in signals.dotted:
        as_path = dotted.replace(".", "/")
        for candidate in (as_path + ".py", as_path + "/__init__.py"):
            for path in catalog.match_path(candidate) if "/" in as_path else ():
                ev.raise_to(path, Feature.MODULE, 1.0, f"module {dotted} named in the issue")


def _dotted_id(node: Node) -> list[str]:
    module = node.path.removesuffix(".py").removesuffix("/__init__").split("/")
    return module + node.qualname.split(".")


def _common_tail(a: list[str], b: list[str]) -> int:
    count = 0
    while count < min(len(a), len(b)) and a[-1 - count] == b[-1 - count]:
        count += 1
    return count


def match_dotted(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """Dotted names (``pkg.mod.Class.method``, ``Class.method``) matched from the end: the
    name and at least its owner."""
    for dotted in signals.dotted:
        parts = dotted.split(".")
        for node in catalog.by_name.get(parts[-1], []):
            if _common_tail(parts, _dotted_id(node)) > 1:
                ev.raise_to(node.id, Feature.DOTTED, 1.0, f"dotted name {dotted}")


def match_names(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """Identifiers equal to an entity name; issue words equal to a file stem."""
    emphasized = set(signals.emphasized)
    for name in signals.identifiers:
        nodes = catalog.by_name.get(name, [])
        feature = Feature.IDENTIFIER if name in emphasized else Feature.IDENTIFIER_CODE
        where = "named in the issue" if name in emphasized else "in the issue's code"
        for node in nodes:
            ev.add(node.id, feature, spread(len(nodes)), f"identifier {name} {where}")
    named = set(signals.identifiers)
    for word in signals.words:
        classes = [n for n in catalog.by_name.get(word, ()) if n.kind == "class"]
        if word[0].isupper() and word not in named and classes:
            for node in classes:
                ev.add(node.id, Feature.CLASS_WORD, spread(len(classes)), f"class {word} named")
    for word in named | set(signals.words):
        files = catalog.by_stem.get(word, [])
        if files and distinctive(word):
            # A plain English word that happens to name a module ("project") says less.
            feature = Feature.STEM if word in named else Feature.STEM_PLAIN
            for path in files:
                ev.add(path, feature, spread(len(files)), f"file name {word} in the issue")


def match_pairs(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """A method of a class the issue names whose own name the issue names too: "`Add` ...
    `is_zero`" means ``Add.is_zero``, or the ``Add._eval_is_zero`` it dispatches to; the
    issue spelled a dotted name in two pieces. Names only in the issue's code count apart."""
    named = set(signals.identifiers)
    classes = {n for n in named if n[:1].isupper() and n in catalog.by_name}
    if not classes:
        return
    emphasized = set(signals.emphasized)
    for name in named:
        if not distinctive(name):
            continue
        exact = [(n, Feature.PAIR) for n in catalog.by_name.get(name, ()) if n.kind == "function"]
        dispatch = [(n, Feature.PAIR_HOOK) for n in catalog.dispatching_on(name)]
        for node, feature in exact + dispatch:
            owner = node.qualname.split(".")[0]
            if owner not in classes or owner == node.name:
                continue
            prose = owner in emphasized and name in emphasized
            label = f"method {node.qualname} of the named class {owner}"
            ev.raise_to(node.id, feature if prose else Feature.PAIR_CODE, 1.0, label)


def match_title(signals: IssueSignals, catalog: Catalog, ev: Ledger) -> None:
    """A title word naming a module ("[MiTele] fails", "order: ...", "CloudFlareStream ..."):
    titles name the component at fault far more often than bodies do."""
    tags = set(signals.tags)
    for word in signals.title:
        files = catalog.by_lower_stem.get(word, [])
        if not files or not distinctive(word):
            continue
        feature = Feature.TITLE_TAG if word in tags else Feature.TITLE_WORD
        label = f"title {'tag' if word in tags else 'word'} {word} names the file"
        for path in files:
            ev.raise_to(path, feature, spread(len(files)), label)


MAX_PLACES = 20  # places of one message credited (a message said in more is boilerplate)
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
    signals: IssueSignals, catalog: Catalog, texts: dict[str, str], ev: Ledger
) -> None:
    """Error messages and quoted strings found verbatim in the code: the place that says them,
    or, for a message kept in a named constant, the places that use the constant."""
    for message in signals.messages + signals.quoted:
        hits: list[tuple[str, int]] = []
        for probe in _probes(message):
            hits = _find(texts, probe)
            if hits:
                break
        for path, line in hits[:MAX_PLACES]:
            node = catalog.at_line(path, line)
            label = f"message '{probe[:40]}' found in {path}:{line}"
            for key in dict.fromkeys([node.id if node else path, path]):
                ev.add(key, Feature.MESSAGE, spread(len(hits)), label)
            if node is None or node.kind == "class":
                _constant_users(texts[path], line, catalog, texts, ev, spread(len(hits)))


_CONSTANT = re.compile(r"^\s*([A-Za-z_]\w{3,})\s*(?::[^=\n]+)?=[^=]")


def _constant_users(
    text: str, line: int, catalog: Catalog, texts: dict[str, str], ev: Ledger, value: float
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
    label = f"uses {name}, the constant holding the message"
    for key, path in list(users)[:MAX_PLACES]:
        for where in (key, path):
            ev.add(where, Feature.CONSTANT, value * spread(len(users)), label)
