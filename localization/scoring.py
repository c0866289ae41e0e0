"""The ranking: features x weights, one hop of propagation over the code graph, three levels.

    localization = rank(table, RankWeights.load(), top=10)

1. Classes and functions score the weighted sum of their features (``entity`` weights), test
   and auxiliary code among them (negative weights).
2. The best of them carry their score one hop along calls, inheritance and imports (``graph``
   weights, one per edge kind and direction): a neighbour gains its best seed's score.
3. Nested functions count for the editable function holding them; a class gains a share of
   its best member's score (``member``). A file scores its own features (path named,
   whole-file text, history, ...) plus its best entity and the next two (``file`` weights);
   a namesake of a best function and a table generated from a best file follow their
   origin's file from just below it; a file whose code is one graph edge from one of the
   best files' gains a share of that file's score (``near``).
4. Classes and functions gain a share of their file's score (``file_prior``); the functions of
   the best files, their text match among that file's functions only (``in_file``); the code
   the issue's example runs or ran, a share of its own score.
5. With a prior table (the hand-set weights the fit started from), steps 1-4 run for it too
   and each level's scores are mixed, each relative to its ranking's best (``blend``).

Each stage reads the table through a function returning feature rows (``entity_rows``,
``file_rows``, ``function_rows``), so ``benchmarks/fit_ranking.py`` fits each weight vector on
exactly what the ranking computes. Reasons are gathered for the locations shown only.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from localization.features import Feature
from localization.model import REASONS, Localization, Location, LocationKind
from localization.table import FeatureTable, Place, strongest
from localization.weights import RankWeights, dot

SEEDS = 40  # the best entities whose score is carried along the graph
BEST = 3  # a file counts its best entities up to this many; twins and tables of the best few
IN_FILE_FILES = 5  # the best files whose functions are text-matched again among themselves

Rows = dict[str, dict[Feature, float]]
Scores = dict[str, float]
Carried = dict[str, dict[str, tuple[float, str]]]  # key -> edge kind -> (seed's score, seed)


def aside(place: Place, table: FeatureTable) -> dict[Feature, float]:
    """The features of where a key lives: test code (unless the issue is about tests), docs,
    examples and benchmarks."""
    if place.aside == "test" and not table.about_tests:
        return {Feature.TEST: 1.0}
    return {Feature.AUX: 1.0} if place.aside == "aux" else {}


def entity_rows(table: FeatureTable) -> Rows:
    """The direct features of every class and function with evidence."""
    rows: Rows = {}
    for key, values in table.values.items():
        place = table.facts.place(key)
        if place is not None and place.kind != LocationKind.FILE:
            rows[key] = dict(values) | aside(place, table)
    return rows


def graph_rows(table: FeatureTable, base: Mapping[str, float]) -> Carried:
    """Per entity and edge kind, the best score of a seed one edge away, with that seed."""
    seeds = heapq.nlargest(SEEDS, ((v, k) for k, v in base.items() if v > 0))
    out: Carried = {}
    for value, seed in seeds:
        for target, how in table.facts.neighbours(seed):
            place = table.facts.place(target)
            if place is None or place.kind == LocationKind.FILE or target == seed:
                continue
            if value > out.setdefault(target, {}).get(how, (0.0, ""))[0]:
                out[target][how] = (value, seed)
    return out


@dataclass
class Ranking:
    """One issue's scores at every stage, and the derived reasons found on the way."""

    table: FeatureTable
    weights: RankWeights
    rows: Rows = field(default_factory=dict)
    carried: Carried = field(default_factory=dict)
    entities: Scores = field(default_factory=dict)
    files: Scores = field(default_factory=dict)
    classes: Scores = field(default_factory=dict)
    functions: Scores = field(default_factory=dict)
    file_rows: Rows = field(default_factory=dict)
    why: dict[str, list[tuple[float, str]]] = field(default_factory=dict)

    def because(self, key: str, value: float, reason: str) -> None:
        """Remember a derived reason of a location (``key`` prefixed by its level)."""
        if value > 0:
            self.why.setdefault(key, []).append((value, reason))


def entity_scores(table: FeatureTable, weights: RankWeights) -> Ranking:
    """Classes and functions: weighted direct evidence, then one hop along the graph."""
    state = Ranking(table, weights, rows=entity_rows(table))
    base = {key: dot(weights.entity, row) for key, row in state.rows.items()}
    state.carried = graph_rows(table, base)
    for key, kinds in state.carried.items():
        if key not in base:
            place = table.facts.place(key)
            base[key] = dot(weights.entity, aside(place, table)) if place else 0.0
        base[key] += sum(weights.graph.get(how, 0.0) * v for how, (v, _) in kinds.items())
    state.entities = base
    return state


def roll_up(state: Ranking) -> None:
    """Nested functions count for their editable function (the best of them); a class gains
    a share of its best member's score (``member``)."""
    best: dict[str, tuple[float, str]] = {}
    for key, value in state.entities.items():
        place = state.table.facts.place(key)
        if place is None:
            continue
        if place.kind == LocationKind.CLASS:
            state.classes[key] = state.classes.get(key, 0.0) + value
        else:
            unit = place.unit or key
            if value > state.functions.get(unit, -math.inf):
                state.functions[unit] = value
                if unit != key:
                    state.because(f"function {unit}", value, f"contains {key}")
        if place.owner not in ("", key) and value > best.get(place.owner, (0.0, ""))[0]:
            best[place.owner] = (value, key)
    share = state.weights.klass.get(Feature.MEMBER, 0.0)
    for owner, (value, key) in best.items():
        state.classes[owner] = state.classes.get(owner, 0.0) + share * value
        state.because(f"class {owner}", share * value, f"contains {key}")


def members(table: FeatureTable, entities: Scores) -> dict[str, list[tuple[float, str]]]:
    """Per file, its ``BEST`` best entities with a positive score, best first."""
    found: dict[str, list[tuple[float, str]]] = {}
    for key, value in entities.items():
        place = table.facts.place(key)
        if place is not None and value > 0:
            found.setdefault(place.path, []).append((value, key))
    return {path: heapq.nlargest(BEST, scored) for path, scored in found.items()}


def file_rows(table: FeatureTable, best: Mapping[str, list[tuple[float, str]]]) -> Rows:
    """Each file's own features, its best entity's score (``member``) and the sum of the
    next ones' (``runner_up``); ``best`` as ``members`` gives them."""
    rows: Rows = {}
    for key, values in table.values.items():
        place = table.facts.place(key)
        if place is not None and place.kind == LocationKind.FILE:
            rows[key] = dict(values) | aside(place, table)
    for path, top in best.items():
        place = table.facts.place(path)
        row = rows.setdefault(path, aside(place, table) if place is not None else {})
        row[Feature.MEMBER] = top[0][0]
        row[Feature.RUNNER_UP] = sum(value for value, _ in top[1:])
    return rows


def file_scores(state: Ranking) -> None:
    """The files: their own weighted features plus what their entities scored."""
    best = members(state.table, state.entities)
    state.file_rows = file_rows(state.table, best)
    state.files = {path: dot(state.weights.file, row) for path, row in state.file_rows.items()}
    share = state.weights.file.get(Feature.MEMBER, 0.0)
    for path, top in best.items():
        state.because(f"file {path}", share * top[0][0], f"contains {top[0][1]}")


def best_functions(table: FeatureTable, entities: Scores) -> list[str]:
    """The ``BEST`` best functions outside tests (the origins of twins)."""
    functions = []
    for key, value in entities.items():
        place = table.facts.place(key)
        if place is not None and place.kind == LocationKind.FUNCTION and place.aside != "test":
            functions.append((value, key))
    return [key for value, key in heapq.nlargest(BEST, functions) if value > 0]


def _below(score: float) -> float:
    """The largest score that still ranks below ``score``."""
    return math.nextafter(score, -math.inf)


def near_rows(table: FeatureTable, files: Scores) -> dict[str, tuple[float, str]]:
    """Per file outside tests and auxiliary code (``aside``), the score of the best of the
    ``IN_FILE_FILES`` best files whose code (the entities with evidence there) is one calls,
    inheritance or import edge from its code, with that file; ``files``: first-stage scores."""
    best = heapq.nlargest(IN_FILE_FILES, files.items(), key=lambda item: item[1])
    scores = {path: score for path, score in best if score > 0}
    out: dict[str, tuple[float, str]] = {}
    for key in table.values:
        place = table.facts.place(key)
        if place is None or place.kind == LocationKind.FILE or place.path not in scores:
            continue
        value = scores[place.path]
        for target, _ in table.facts.neighbours(key):
            there = table.facts.place(target)
            if there is None or there.path == place.path or aside(there, table):
                continue
            if value > out.get(there.path, (0.0, ""))[0]:
                out[there.path] = (value, place.path)
    return out


def follow_neighbours(state: Ranking, near: Mapping[str, tuple[float, str]]) -> None:
    """Files one graph edge from one of the best files gain a share of its score, up to
    just below it (a neighbour follows the file it is near, as a twin does)."""
    share = state.weights.file.get(Feature.NEAR, 0.0)
    for path, (value, origin) in near.items():
        current = state.files.get(path, 0.0)
        state.files[path] = max(current, min(current + share * value, _below(value)))
        gain = state.files[path] - current
        state.because(f"file {path}", gain, f"one graph edge from {origin}")


def follow_origins(state: Ranking) -> None:
    """A namesake of a best function (a parallel implementation) and the tables generated
    from a best file follow their origin's file, from just below it; then the files near
    the best ones (``follow_neighbours``, on the scores before either)."""
    files, table, w = state.files, state.table, state.weights
    near = near_rows(table, files) if w.file.get(Feature.NEAR, 0.0) else {}
    for origin in best_functions(table, state.entities):
        path = origin.partition(":")[0]
        reason = f"same name as {origin}"
        for twin in table.facts.namesakes(origin):
            place = table.facts.place(twin)
            if place is None:
                continue
            share = w.function.get(Feature.TWIN, 0.0) * state.entities[origin]
            unit = place.unit or twin
            state.functions[unit] = state.functions.get(unit, 0.0) + share
            state.because(f"function {unit}", share, reason)
            current = files.get(place.path, 0.0)
            lifted = current + w.file.get(Feature.TWIN, 0.0) * files.get(path, 0.0)
            files[place.path] = max(current, min(lifted, _below(files.get(path, 0.0))))
            state.because(f"file {place.path}", files[place.path] - current, reason)
    for path, score in heapq.nlargest(BEST, files.items(), key=lambda item: item[1]):
        for generated in table.facts.tables(path):
            current = files.get(generated, 0.0)
            lifted = max(current, min(w.file.get(Feature.TABLE, 0.0) * score, _below(score)))
            files[generated] = lifted
            state.because(f"file {generated}", lifted - current, f"generated table of {path}")
    follow_neighbours(state, near)


def function_rows(table: FeatureTable, functions: Scores, files: Scores) -> Rows:
    """The functions' features taken from their file (``file_prior``, ``in_file``) and from
    the issue's code (``reached``, ``ran``: relative to their own score)."""
    top = max(files.values(), default=0.0)
    if top <= 0:
        return {}
    rows: Rows = {}
    for key, value in functions.items():
        row = rows[key] = {Feature.FILE_PRIOR: files.get(key.partition(":")[0], 0.0) / top}
        if key in table.reached:
            row[Feature.REACHED] = max(value, 0.0) / (1 + table.reached[key][0])
        if key in table.ran:
            row[Feature.RAN] = max(value, 0.0)
    for path, score in heapq.nlargest(IN_FILE_FILES, files.items(), key=lambda item: item[1]):
        for key, (share, _) in table.facts.in_file(path).items():
            row = rows.setdefault(key, {Feature.FILE_PRIOR: score / top})
            row[Feature.IN_FILE] = share * score / top
    return rows


def finish(state: Ranking) -> None:
    """Add the functions' and classes' context features (see ``function_rows``)."""
    w, files = state.weights, state.files
    context = function_rows(state.table, state.functions, files)
    for key, row in context.items():
        state.functions[key] = state.functions.get(key, 0.0) + dot(w.function, row)
        for feature, value in row.items():
            if feature != Feature.FILE_PRIOR:  # said once, when shown (see ``_reasons``)
                reason = _context_reason(state.table, key, feature)
                state.because(f"function {key}", w.function.get(feature, 0.0) * value, reason)
    top = max(files.values(), default=0.0)
    share = w.klass.get(Feature.FILE_PRIOR, 0.0)
    for key in state.classes:
        if top > 0:
            state.classes[key] += share * files.get(key.partition(":")[0], 0.0) / top
    ran_files = {k.partition(":")[0] for k in state.table.ran}
    for path in ran_files & files.keys():
        files[path] += w.file.get(Feature.RAN, 0.0) * max(files[path], 0.0)
        state.because(f"file {path}", w.file.get(Feature.RAN, 0.0), "run by the issue's example")


def _context_reason(table: FeatureTable, key: str, feature: Feature) -> str:
    path = key.partition(":")[0]
    if feature == Feature.REACHED:
        return f"run by the issue's code via {table.reached[key][1]}"
    if feature == Feature.IN_FILE:
        raw = table.facts.in_file(path).get(key, (0.0, 0.0))[1]
        return f"in-file text match (BM25 {raw:.1f})"
    if feature == Feature.RAN:
        return "run by the issue's example"
    return f"in ranked file {path}"


def _evidence(state: Ranking, kind: LocationKind, key: str) -> list[tuple[float, str]]:
    """What made one location's score: its weighted features, what the graph carried to
    it, and what it took from the other levels."""
    table, w = state.table, state.weights
    weights = w.file if kind == LocationKind.FILE else w.entity
    row = state.file_rows.get(key, {}) if kind == LocationKind.FILE else state.rows.get(key, {})
    found = [
        (weights.get(feature, 0.0) * value, reason)
        for feature, value in row.items()
        for reason in table.reasons.get(key, {}).get(feature, ())
    ]
    if kind != LocationKind.FILE:
        for how, (value, seed) in state.carried.get(key, {}).items():
            found.append((w.graph.get(how, 0.0) * value, f"graph: {how} from {seed}"))
        top = max(state.files.values(), default=0.0)
        path = key.partition(":")[0]
        prior = (w.function if kind == LocationKind.FUNCTION else w.klass).get(
            Feature.FILE_PRIOR, 0.0
        )
        if top > 0:
            found.append((prior * state.files.get(path, 0.0) / top, f"in ranked file {path}"))
    found += state.why.get(f"{kind} {key}", [])
    return found


def scored(table: FeatureTable, weights: RankWeights) -> Ranking:
    """Every stage of one table's ranking (``weights`` alone, its prior aside)."""
    state = entity_scores(table, weights)
    roll_up(state)
    file_scores(state)
    follow_origins(state)
    finish(state)
    return state


LEVEL_SCORES = {LocationKind.FILE: "files", LocationKind.CLASS: "classes"}
LEVEL_SCORES[LocationKind.FUNCTION] = "functions"  # the Ranking field of each level's scores
Parts = list[tuple[Ranking, float]]  # rankings mixed, each with its factor


def relative(parts: Parts, kind: LocationKind) -> Parts:
    """Each ranking's factor divided by its best score at this level, so that its scores count
    as shares of that best (rankings with no factor or no positive score left out)."""
    tops = [(s, f, max(getattr(s, LEVEL_SCORES[kind]).values(), default=0.0)) for s, f in parts]
    return [(state, factor / top) for state, factor, top in tops if factor > 0 and top > 0]


def blended(parts: Parts, kind: LocationKind) -> Scores:
    """One level's positive scores of several rankings, each times its factor, summed (with
    ``relative`` factors: each ranking's scores as shares of its best, mixed)."""
    mixed: Scores = {}
    for state, factor in parts:
        for key, value in getattr(state, LEVEL_SCORES[kind]).items():
            if value > 0:
                mixed[key] = mixed.get(key, 0.0) + factor * value
    return mixed


def rank(table: FeatureTable, weights: RankWeights, *, top: int) -> Localization:
    """Rank files, classes and functions of one issue's feature table.

    With a prior table (``weights.prior``), both tables rank the issue and each level shows
    their scores mixed, each relative to its ranking's best: ``weights.blend[level]`` of the
    fitted one's and the rest of the prior's (shown on the fitted ranking's scale), and the
    reasons likewise. Two rankings averaged keep what each gets right where the other errs."""
    fitted = scored(table, weights)
    prior = None if weights.prior is None else scored(table, weights.prior)

    def located(kind: LocationKind) -> tuple[Location, ...]:
        if prior is None:
            parts, scores = [(fitted, 1.0)], getattr(fitted, LEVEL_SCORES[kind])
        else:
            share = weights.blend.get(str(kind), 1.0)
            parts = relative([(fitted, share), (prior, 1 - share)], kind)
            scale = max(getattr(fitted, LEVEL_SCORES[kind]).values(), default=0.0)
            scores = {key: scale * value for key, value in blended(parts, kind).items()}
        best = heapq.nsmallest(top, ((-s, k) for k, s in scores.items() if s > 0))
        return tuple(
            Location(id=key, kind=kind, score=-negated, reasons=_reasons(parts, kind, key))
            for negated, key in best
        )

    return Localization(
        files=located(LocationKind.FILE),
        classes=located(LocationKind.CLASS),
        functions=located(LocationKind.FUNCTION),
    )


def _reasons(parts: Parts, kind: LocationKind, key: str) -> tuple[str, ...]:
    """The strongest reasons of one shown location over the rankings it was mixed from, each
    reason's contributions summed as the scores are."""
    found: dict[str, float] = {}
    for state, factor in parts:
        for value, text in _evidence(state, kind, key):
            found[text] = found.get(text, 0.0) + factor * value
    return strongest(((v, r) for r, v in found.items() if v > 0 and r), limit=REASONS)
