"""The stages of the ranking's fit (used by fit_ranking.py), one weight vector at a time.

Each stage builds, from the stored feature tables, exactly the feature rows the ranking
computes at that stage (``localization.scoring``'s ``entity_rows``, ``graph_rows``,
``file_rows``, ``function_rows``), with the weights fitted so far, and fits its own weights
by the listwise loss of ``ltr.py``:

1. ``entity``: the direct features of functions, on the gold functions;
2. ``graph``: what one hop along each edge kind carries, on the gold functions;
3. ``file``: files' own features and their best entities, on the gold files;
4. ``file`` twin, table, near: namesakes and generated tables of the best files, and files one
   graph edge from them, on the gold files;
5. ``function``: file prior, in-file match, code run by the issue's example, twins;
6. ``class``: best member and file prior, on the gold classes.

The weights of test and auxiliary code (``test``, ``aux``) are the only ones that may be
negative.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from ltr import Query, fit, refine

from localization.features import Feature
from localization.model import LocationKind
from localization.rank import EDGE_KINDS
from localization.scoring import (
    BEST,
    Ranking,
    Scores,
    aside,
    best_functions,
    entity_rows,
    entity_scores,
    file_rows,
    file_scores,
    follow_origins,
    function_rows,
    graph_rows,
    members,
    near_rows,
    roll_up,
)
from localization.table import FeatureTable
from localization.weights import RankWeights, dot

CANDIDATES = 300  # candidates per query kept for the fit (the best by the current weights)
SIGNED = (Feature.TEST, Feature.AUX)


@dataclass(frozen=True)
class Record:
    """One instance: its feature table and its gold locations."""

    instance_id: str
    repo: str
    dataset: str
    table: FeatureTable
    gold: Mapping[str, tuple[str, ...]]  # files / classes / functions


Rows = Mapping[str, Mapping[object, float]]


def _query(
    rows: Rows, gold: Sequence[str], names: Sequence[object], offsets: Mapping[str, float]
) -> tuple[Query | None, float]:
    """A query over ``rows`` (best ``CANDIDATES`` by offset + sum), and its number of gold."""
    wanted = [g for g in gold if g in rows]
    keys = heapq.nlargest(
        CANDIDATES,
        rows,
        key=lambda k: offsets.get(k, 0.0) + sum(rows[k].values()),
    )
    keys = list(dict.fromkeys(keys + wanted))
    if not wanted or len(keys) < 2:
        return None, 0
    x = np.array([[rows[k].get(n, 0.0) for n in names] for k in keys], dtype=float)
    offset = np.array([offsets.get(k, 0.0) for k in keys], dtype=float)
    index = {k: i for i, k in enumerate(keys)}
    return Query(x, offset, tuple(index[g] for g in wanted)), len(wanted)


KS = {"files": (1, 5), "classes": (5, 10), "functions": (5, 10)}  # what ``refine`` counts
# "listnet": the listwise fit, then coordinate ascent from it; "ascent": coordinate ascent
# from the start weights only (``--method``); ``refine`` False skips the coordinate ascent;
# ``keep``: the levels whose weights stay the start's (not fitted; ``--keep``); ``restore``:
# the levels whose weights are put back to the start's after every stage is fitted
# (``--restore``: the later stages were fitted on their fitted weights).
OPTIONS: dict[str, Any] = {"refine": True, "method": "listnet", "keep": (), "restore": ()}


def _fit_level(
    records: Sequence[Record],
    build: Callable[[Record], tuple[Rows, Mapping[str, float]]],
    level: str,
    names: Sequence[object],
    start: Mapping[Any, float],
) -> np.ndarray:
    queries = []
    for record in records:
        rows, offsets = build(record)
        query, _ = _query(rows, record.gold[level], names, offsets)
        if query is not None:
            queries.append(query)
    signed = [i for i, name in enumerate(names) if name in SIGNED]
    if OPTIONS["method"] == "ascent":
        w = np.array([start.get(name, 0.0) for name in names], dtype=float)
    else:
        w = fit(queries, len(names), signed=signed)
    return refine(queries, w, ks=KS[level], signed=signed) if OPTIONS["refine"] else w


def unit_rows(table: FeatureTable, rows: Rows) -> dict[str, dict[object, float]]:
    """Entity rows pooled into their editable function (feature by feature, the maximum)."""
    out: dict[str, dict[object, float]] = {}
    for key, row in rows.items():
        place = table.facts.place(key)
        if place is None or place.kind != LocationKind.FUNCTION:
            continue
        unit = out.setdefault(place.unit or key, {})
        for name, value in row.items():
            unit[name] = max(unit.get(name, 0.0), value)
    return out


def fit_entity(records: Sequence[Record], w: RankWeights) -> RankWeights:
    """Stage 1: the weights of the direct features."""
    names = [f for f in Feature if f in _ENTITY]
    vector = _fit_level(
        records,
        lambda r: (unit_rows(r.table, entity_rows(r.table)), {}),
        "functions",
        names,
        w.entity,
    )
    return replace(w, entity=dict(zip(names, map(float, vector), strict=True)))


def fit_graph(records: Sequence[Record], w: RankWeights) -> RankWeights:
    """Stage 2: what each edge kind carries."""
    names = [*EDGE_KINDS, *(f"{kind} (reverse)" for kind in EDGE_KINDS)]

    def build(record: Record) -> tuple[Rows, Mapping[str, float]]:
        table = record.table
        rows = entity_rows(table)
        base = {k: dot(w.entity, row) for k, row in rows.items()}
        carried = graph_rows(table, base)
        for key in carried.keys() - base.keys():
            place = table.facts.place(key)
            base[key] = dot(w.entity, aside(place, table)) if place else 0.0
        kinds = {k: {how: v for how, (v, _) in c.items()} for k, c in carried.items()}
        units = unit_rows(table, {k: kinds.get(k, {}) for k in base})
        offsets = unit_rows(table, {k: {"": v} for k, v in base.items()})
        return units, {k: v[""] for k, v in offsets.items()}

    vector = _fit_level(records, build, "functions", names, w.graph)
    return replace(w, graph=dict(zip(names, map(float, vector), strict=True)))


def _state(record: Record, w: RankWeights) -> Ranking:
    state = entity_scores(record.table, w)
    roll_up(state)
    file_scores(state)
    return state


def fit_file(records: Sequence[Record], w: RankWeights) -> RankWeights:
    """Stage 3: files' own features and their best entities."""
    names = [f for f in Feature if f in _FILE]

    def build(record: Record) -> tuple[Rows, Mapping[str, float]]:
        state = entity_scores(record.table, w)
        return file_rows(record.table, members(record.table, state.entities)), {}

    vector = _fit_level(records, build, "files", names, w.file)
    kept = {f: v for f, v in w.file.items() if f not in names}
    return replace(w, file=kept | dict(zip(names, map(float, vector), strict=True)))


def origin_rows(
    table: FeatureTable, entities: Scores, files: Scores
) -> dict[str, dict[object, float]]:
    """Files' ``twin`` (the score of a best function's file, for its namesakes' files),
    ``table`` (the score of one of the best files, for its generated tables) and ``near``
    (the score of one of the best files one graph edge away)."""
    rows: dict[str, dict[object, float]] = {path: {} for path in files}
    for path, (value, _) in near_rows(table, files).items():
        rows.setdefault(path, {})[Feature.NEAR] = value
    for origin in best_functions(table, entities):
        for twin in table.facts.namesakes(origin):
            place = table.facts.place(twin)
            if place is not None:
                value = files.get(origin.partition(":")[0], 0.0)
                row = rows.setdefault(place.path, {})
                row[Feature.TWIN] = max(row.get(Feature.TWIN, 0.0), value)
    for path, score in heapq.nlargest(BEST, files.items(), key=lambda item: item[1]):
        for generated in table.facts.tables(path):
            rows.setdefault(generated, {})[Feature.TABLE] = score
    return rows


def fit_origins(records: Sequence[Record], w: RankWeights) -> RankWeights:
    """Stage 4: how far a twin's and a table's file follow their origin, and a file its
    neighbour among the best."""
    names = [Feature.TWIN, Feature.TABLE, Feature.NEAR]

    def build(record: Record) -> tuple[Rows, Mapping[str, float]]:
        state = _state(record, w)
        return origin_rows(record.table, state.entities, state.files), state.files

    vector = _fit_level(records, build, "files", names, w.file)
    return replace(w, file=dict(w.file) | dict(zip(names, map(float, vector), strict=True)))


def fit_function(records: Sequence[Record], w: RankWeights) -> RankWeights:
    """Stage 5: what functions take from their file and from the issue's code."""
    names = [Feature.FILE_PRIOR, Feature.IN_FILE, Feature.REACHED, Feature.TWIN]
    untwinned = replace(w, function={**w.function, Feature.TWIN: 0.0})

    def build(record: Record) -> tuple[Rows, Mapping[str, float]]:
        table = record.table
        state = _state(record, untwinned)
        follow_origins(state)
        rows: dict[str, dict[object, float]] = {
            k: dict(v) for k, v in function_rows(table, state.functions, state.files).items()
        }
        for origin in best_functions(table, state.entities):
            for twin in table.facts.namesakes(origin):
                place = table.facts.place(twin)
                row = rows.setdefault((place.unit if place else "") or twin, {})
                row[Feature.TWIN] = row.get(Feature.TWIN, 0.0) + state.entities[origin]
        return rows, state.functions

    vector = _fit_level(records, build, "functions", names, w.function)
    fitted = dict(zip(names, map(float, vector), strict=True))
    return replace(w, function=dict(w.function) | fitted)


def fit_class(records: Sequence[Record], w: RankWeights) -> RankWeights:
    """Stage 6: what classes take from their best member and their file."""
    names = [Feature.MEMBER, Feature.FILE_PRIOR]

    def build(record: Record) -> tuple[Rows, Mapping[str, float]]:
        table = record.table
        state = entity_scores(table, w)
        file_scores(state)
        top = max(state.files.values(), default=0.0) or 1.0
        rows: dict[str, dict[object, float]] = {}
        offsets: dict[str, float] = {}
        for key, value in state.entities.items():
            place = table.facts.place(key)
            if place is None:
                continue
            if place.kind == LocationKind.CLASS:
                offsets[key] = value
                rows.setdefault(key, {})
            if place.owner not in ("", key):
                row = rows.setdefault(place.owner, {})
                row[Feature.MEMBER] = max(row.get(Feature.MEMBER, 0.0), value)
        for key, row in rows.items():
            row[Feature.FILE_PRIOR] = state.files.get(key.partition(":")[0], 0.0) / top
        return rows, offsets

    vector = _fit_level(records, build, "classes", names, w.klass)
    return replace(w, klass=dict(w.klass) | dict(zip(names, map(float, vector), strict=True)))


_ENTITY = {
    Feature.TEXT, Feature.TITLE, Feature.NAMES, Feature.FRAME, Feature.FRAME_DEPTH,
    Feature.FRAME_OUTER, Feature.FRAME_NAME, Feature.LINK, Feature.DOTTED, Feature.IDENTIFIER,
    Feature.IDENTIFIER_CODE, Feature.CLASS_WORD, Feature.PAIR, Feature.PAIR_HOOK,
    Feature.PAIR_CODE, Feature.MESSAGE, Feature.CONSTANT, Feature.LITERAL, Feature.MARKUP,
    Feature.CALLS_FUNCTION, Feature.CALLS_CLASS, Feature.CALLS_MODULE, Feature.HOOK,
    Feature.TEST, Feature.AUX,
}  # fmt: skip
_FILE = {
    Feature.FILE_TEXT, Feature.FRAME, Feature.FRAME_DEPTH, Feature.FRAME_OUTER, Feature.PATH,
    Feature.BARE_PATH, Feature.MODULE, Feature.STEM, Feature.STEM_PLAIN, Feature.TITLE_WORD,
    Feature.TITLE_TAG, Feature.MESSAGE, Feature.CONSTANT, Feature.LITERAL, Feature.MARKUP,
    Feature.HISTORY, Feature.MEMBER, Feature.RUNNER_UP, Feature.TEST, Feature.AUX,
}  # fmt: skip


def fit_all(
    records: Sequence[Record], start: RankWeights, *, drop: Sequence[Feature] = ()
) -> RankWeights:
    """Every stage in order, from ``start`` (for the weights no data can fit)."""
    w = start.without(*drop)
    for level, stage in STAGES:
        if level not in OPTIONS["keep"]:
            w = stage(records, w).without(*drop)
    back = {_FIELDS[level]: getattr(start, _FIELDS[level]) for level in OPTIONS["restore"]}
    return replace(w, **back).without(*drop)


_FIELDS = {"entity": "entity", "graph": "graph", "file": "file", "function": "function"}
_FIELDS["class"] = "klass"  # RankWeights' field of each level


# Each stage with the level (``RankWeights.LEVELS``) whose weights it fits.
STAGES = (
    ("entity", fit_entity),
    ("graph", fit_graph),
    ("file", fit_file),
    ("file", fit_origins),
    ("function", fit_function),
    ("class", fit_class),
)
