"""A second stage over the first stage's best files, judged by nested cross-validation.

    .venv/bin/python benchmarks/rerank_files.py FEATURES --learner edges|boosted \\
        --folds-from benchmarks/ranking_folds.json [--nested NESTED.json --work FITS]

The first stage is the ranking with the start weights (``--start``, unfitted), or with the
weights ``select_ranking.py`` picked for each outer fold (``--nested``: its ``--json``, with
the fits it kept in ``--work``). Its ``TOP`` best files of an instance are the candidates, each
a row of the file-level features the ranking computed (its own, its best entities', twin,
table, near), each also relative to the best candidate's, its first-stage score and rank,
and per graph edge kind and direction the score of the best of the five best files whose code
has such an edge to its code. Two learners (``--learner``):

- ``edges``: one weight per edge kind (a listwise fit with the first-stage score as offset,
  then coordinate ascent on file Acc@1 and Acc@5 hits), added to the first-stage score;
  capped: a lifted file stays below the file that lifts it (as ``near`` is).
- ``boosted``: scikit-learn's ``HistGradientBoostingClassifier`` (``pip install
  scikit-learn``; it can weigh interactions the weighted sum cannot) over every column but the
  edge kinds' learns which rows are gold files; candidates are reordered by its probability;
  capped: the first stage's best file stays first.

No held fold takes part in its own fit or choice. With ``--nested``, the rows of a training
instance come from first-stage weights fitted without its own fold (the inner fit that left
out the outer fold and its fold), so the learner sees first-stage scores as they are on
unseen repositories. For each outer fold, the variant (first stage unchanged; re-scored;
re-scored, capped) is picked by a cross-validation over the four training folds only (most
file Acc@5 hits, then file Acc@1, ties to the first stage), then the picked variant, trained
on the four, is scored on the outer fold. Functions and classes keep the first stage's order.
"""

from __future__ import annotations

import argparse
import heapq
import importlib.util
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_ranking import START, fixed_folds, folds_by_repository, load_records, score
from ltr import Query, fit, refine
from ranking_stages import Record, origin_rows
from select_ranking import variants

from localization import RankWeights, acc_at_k
from localization.features import Feature
from localization.model import LocationKind
from localization.rank import EDGE_KINDS
from localization.scoring import (
    IN_FILE_FILES,
    aside,
    entity_scores,
    file_scores,
    finish,
    follow_origins,
    roll_up,
)
from localization.table import FeatureTable

TOP = 50  # candidates per instance: the first stage's best files
COLUMNS = [
    f
    for f in Feature
    if f not in {Feature.GRAPH, Feature.FILE_PRIOR, Feature.IN_FILE, Feature.REACHED, Feature.RAN}
]
VARIANTS = ("first stage", "re-scored", "re-scored, capped")
KINDS = [*EDGE_KINDS, *(f"{kind} (reverse)" for kind in EDGE_KINDS)]
SCORE = 2 * len(COLUMNS)  # the first-stage score's column (after the raw and relative ones)
BASE = SCORE + 7  # the columns before the edge kinds' (the boosted learner reads only these)
OPTIONS = {"learner": "boosted"}  # or "edges" (``--learner``)
Hits = dict[str, dict[str, bool | None]]
Rows = dict[str, tuple[list[str], np.ndarray]]  # instance -> candidate paths, their rows
_ROWS: dict[tuple[str, int], tuple[RankWeights, tuple[list[str], np.ndarray]]] = {}


def candidates(record: Record, weights: RankWeights) -> tuple[list[str], np.ndarray]:
    """The first stage's ``TOP`` best files of ``record`` and their feature rows."""
    state = entity_scores(record.table, weights)
    roll_up(state)
    file_scores(state)
    origins = origin_rows(record.table, state.entities, dict(state.files))
    follow_origins(state)
    finish(state)
    ranked = sorted(
        (p for p, s in state.files.items() if s > 0), key=lambda p: (-state.files[p], p)
    )
    paths = ranked[:TOP]
    raw = np.array(
        [
            [(state.file_rows.get(p, {}) | origins.get(p, {})).get(f, 0.0) for f in COLUMNS]
            for p in paths
        ],
        dtype=float,
    ).reshape(len(paths), len(COLUMNS))
    scores = np.array([state.files[p] for p in paths], dtype=float)
    top = np.maximum(raw.max(axis=0, initial=0.0), 1e-9)
    rank = np.arange(1, len(paths) + 1, dtype=float)
    best = scores[0] if len(scores) and scores[0] > 0 else 1.0
    second = scores[1] / best if len(scores) > 1 else 0.0
    context = [np.full(len(paths), v) for v in (best, second, len(paths))]  # of the instance
    derived = np.column_stack([scores, scores / best, rank, 1 / rank, *context])
    return paths, np.hstack(
        [raw, raw / top, derived, edge_values(record.table, state.files, paths)]
    )


def edge_values(
    table: FeatureTable, files: Mapping[str, float], paths: Sequence[str]
) -> np.ndarray:
    """Per candidate and edge kind: the first-stage score of the best of the ``IN_FILE_FILES``
    best files whose code (its entities with evidence) has an edge of that kind to its code."""
    best = heapq.nlargest(IN_FILE_FILES, files.items(), key=lambda item: item[1])
    scores = {path: score for path, score in best if score > 0}
    found: dict[tuple[str, str], float] = {}
    for key in table.values:
        place = table.facts.place(key)
        if place is None or place.kind == LocationKind.FILE or place.path not in scores:
            continue
        for target, how in table.facts.neighbours(key):
            there = table.facts.place(target)
            if there is None or there.path == place.path or aside(there, table):
                continue
            found[there.path, how] = max(found.get((there.path, how), 0.0), scores[place.path])
    return np.array([[found.get((p, k), 0.0) for k in KINDS] for p in paths], dtype=float).reshape(
        len(paths), len(KINDS)
    )


def rows_for(records: Sequence[Record], weights: RankWeights) -> Rows:
    """Every record's candidates by ``weights`` (kept per weights object: an unfitted first
    stage ranks each instance once, not once per fold)."""
    for r in records:  # the weights are kept with the rows, so their id is not reused
        if (r.instance_id, id(weights)) not in _ROWS:
            _ROWS[r.instance_id, id(weights)] = (weights, candidates(r, weights))
    return {r.instance_id: _ROWS[r.instance_id, id(weights)][1] for r in records}


def train(rows: Rows, gold: Mapping[str, set[str]], seed: int = 0) -> Any:
    """The learner fitted on ``rows``: a classifier of gold files, or edge-kind weights."""
    if OPTIONS["learner"] == "edges":
        return _edge_weights(rows, gold)
    from sklearn.ensemble import HistGradientBoostingClassifier

    x = np.vstack([m[:, :BASE] for _, m in rows.values() if len(m)])
    y = np.concatenate([[p in gold[i] for p in paths] for i, (paths, _) in rows.items()])
    model = HistGradientBoostingClassifier(
        max_iter=200,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        random_state=seed,
    )
    return model.fit(x, y.astype(int))


def _edge_weights(rows: Rows, gold: Mapping[str, set[str]]) -> np.ndarray:
    """One weight per edge kind: the listwise fit over the candidates (the first-stage score
    as the offset), then coordinate ascent on file Acc@1 and Acc@5 hits."""
    queries = []
    for iid, (paths, x) in rows.items():
        wanted = tuple(i for i, p in enumerate(paths) if p in gold[iid])
        if wanted and len(paths) > 1:
            queries.append(Query(x[:, BASE:], x[:, SCORE], wanted))
    w = fit(queries, len(KINDS))
    return refine(queries, w, ks=(1, 5))


def reorder(paths: list[str], x: np.ndarray, model: Any, variant: str) -> list[str]:
    """``paths`` in the variant's order: unchanged, re-scored, or re-scored capped (idea a:
    the first stage's best file stays first; idea b: a lifted file stays below the file
    it is lifted by)."""
    if variant == VARIANTS[0] or len(paths) < 2:
        return paths
    if OPTIONS["learner"] == "edges":
        return _lifted(paths, x, model, capped=variant == VARIANTS[2])
    p = model.predict_proba(x[:, :BASE])[:, 1]
    order = sorted(range(len(paths)), key=lambda i: (-p[i], i))
    if variant == VARIANTS[2]:
        order = [0, *(i for i in order if i != 0)]
    return [paths[i] for i in order]


def _lifted(paths: list[str], x: np.ndarray, w: np.ndarray, *, capped: bool) -> list[str]:
    edges, score = x[:, BASE:], x[:, SCORE]
    new = score + edges @ w
    if capped:  # below the best file that lifts it (edge values are that file's score)
        lifting = np.where(edges * w > 0, edges, 0.0).max(axis=1)
        cap = np.where(lifting > 0, np.nextafter(lifting, -np.inf), np.inf)
        new = np.maximum(score, np.minimum(new, cap))
    order = sorted(range(len(paths)), key=lambda i: (-new[i], i))
    return [paths[i] for i in order]


def file_hits(rows: Rows, gold: Mapping[str, set[str]], model: Any, variant: str) -> Hits:
    out = {}
    for iid, (paths, x) in rows.items():
        ranked = reorder(paths, x, model, variant)
        out[iid] = {f"file Acc@{k}": acc_at_k(ranked, sorted(gold[iid]), k) for k in (1, 5)}
    return out


def merit(hits: Hits) -> tuple[int, int]:
    return (
        sum(bool(h["file Acc@5"]) for h in hits.values()),
        sum(bool(h["file Acc@1"]) for h in hits.values()),
    )


Stage = Callable[[Sequence[int]], RankWeights]  # the folds left out -> first-stage weights


def nested_stage(nested: Mapping[str, Any], work: Path, o: int) -> Stage:
    """The first stage of outer fold ``o``: the variant its inner cross-validation picked, of
    the fit without the folds named (``select_ranking``'s kept fits)."""
    name = nested["picks"][str(o)]
    start = RankWeights.load(START)

    def weights(out: Sequence[int]) -> RankWeights:
        key = "-".join(map(str, sorted(out)))
        fit = json.loads((work / f"fit-{key}.json").read_text())
        return variants(RankWeights.from_dict(fit["weights"]), start)[name]

    return weights


def outer_fold(
    o: int, folds: Sequence[Sequence[str]], records: Mapping[str, Record], stage: Stage
) -> dict[str, Any]:
    """Inner pick and held-out hits of every variant, for outer fold ``o``."""
    gold = {i: set(r.gold["files"]) for i, r in records.items()}
    inner = [i for i in range(len(folds)) if i != o]
    train_rows: dict[int, Rows] = {}
    for i in inner:  # each training fold ranked by a first stage fitted without it
        train_rows[i] = rows_for([records[x] for x in folds[i]], stage((o, i)))
    inner_hits: dict[str, Hits] = {v: {} for v in VARIANTS}
    for i in inner:
        rest: Rows = {k: v for j in inner if j != i for k, v in train_rows[j].items()}
        model = train(rest, gold)
        for v in VARIANTS:
            inner_hits[v] |= file_hits(train_rows[i], gold, model, v)
    picked = max(VARIANTS, key=lambda v: (merit(inner_hits[v]), -VARIANTS.index(v)))
    model = train({k: v for i in inner for k, v in train_rows[i].items()}, gold)
    held = rows_for([records[x] for x in folds[o]], stage((o,)))
    outer_hits = {v: file_hits(held, gold, model, v) for v in VARIANTS}
    print(f"outer fold {o}: inner "
          f"{ {v: merit(h) for v, h in inner_hits.items()} } -> {picked}; held-out "
          f"{ {v: merit(h) for v, h in outer_hits.items()} }", flush=True)  # fmt: skip
    return {"pick": picked, "inner": {v: merit(h) for v, h in inner_hits.items()}} | {
        "outer": outer_hits
    }


def report(records: Sequence[Record], done: Mapping[int, Any], functions: Hits) -> None:
    """Held-out file Acc@1 and Acc@5 per dataset: the first stage, the re-ranker's nested
    pick, and each variant on every fold; function Acc@10 is the first stage's (``functions``)."""
    picked: Hits = {}
    every: dict[str, Hits] = {v: {} for v in VARIANTS}
    for result in done.values():
        for v in VARIANTS:
            every[v] |= result["outer"][v]
        picked |= result["outer"][result["pick"]]
    groups = {d: [r.instance_id for r in records if r.dataset == d] for d in
              sorted({r.dataset for r in records})}  # fmt: skip
    groups["all"] = [r.instance_id for r in records]
    rows = {"first stage": every["first stage"], "re-ranker, nested pick": picked}
    rows |= {f"{v}, every fold": h for v, h in every.items() if v != "first stage"}
    for group, ids in groups.items():
        print(f"\n{group} ({len(ids)})\n| | file Acc@1 | file Acc@5 | function Acc@10 |")
        print("|---|---|---|---|")
        for label, hits in rows.items():
            cells = [_count(hits, ids, m) for m in ("file Acc@1", "file Acc@5")]
            cells.append(_count(functions, ids, "function Acc@10"))
            print(f"| {label} | {' | '.join(cells)} |")


def _count(hits: Hits, ids: Sequence[str], name: str) -> str:
    values = [hits[i][name] for i in ids if i in hits and hits[i][name] is not None]
    return f"{sum(map(bool, values))}/{len(values)}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("features", type=Path)
    parser.add_argument("--nested", type=Path, help="select_ranking's --json (else: --start)")
    parser.add_argument("--work", type=Path, help="select_ranking's --work, with --nested")
    parser.add_argument("--start", type=Path, default=START, help="first stage without --nested")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds-from", type=Path, help="a JSON of folds (select_ranking's --json)")
    parser.add_argument("--json", type=Path, help="also write every fold's hits here")
    parser.add_argument(
        "--learner",
        choices=("boosted", "edges"),
        default="boosted",
        help="boosted: gradient-boosted trees over the file features; edges: a weight per "
        "graph edge kind from the best files' code",
    )
    args = parser.parse_args(argv)
    OPTIONS["learner"] = args.learner
    if args.learner == "boosted" and importlib.util.find_spec("sklearn") is None:
        parser.error("--learner boosted needs scikit-learn: pip install scikit-learn")
    if (args.nested is None) != (args.work is None):
        parser.error("--nested and --work go together (select_ranking.py's --json and --work)")
    loaded = load_records(args.features)
    records = {r.instance_id: r for r in loaded}
    if args.nested:
        nested = json.loads(args.nested.read_text())
        folds = [[i for i in fold if i in records] for fold in nested["folds"]]
        stages = [nested_stage(nested, args.work, o) for o in range(len(folds))]
        functions: Hits = nested["picked"]
    else:
        fixed = fixed_folds(args.folds_from, loaded) if args.folds_from else {}
        made = folds_by_repository(loaded, args.folds, args.seed, fixed=fixed)
        folds = [[r.instance_id for r in fold] for fold in made]
        weights = RankWeights.load(args.start)

        def unfitted(out: Sequence[int]) -> RankWeights:
            return weights

        stages = [unfitted for _ in folds]
        functions = score(loaded, weights)
    done = {o: outer_fold(o, folds, records, stages[o]) for o in range(len(folds))}
    report(loaded, done, functions)
    if args.json:
        args.json.write_text(json.dumps({"folds": folds} | {str(o): d for o, d in done.items()}))


if __name__ == "__main__":
    main()
