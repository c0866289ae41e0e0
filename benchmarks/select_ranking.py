"""Nested cross-validation: the variant of the ranking's fit to ship, chosen without the held fold.

    .venv/bin/python benchmarks/select_ranking.py FEATURES --baseline main.json \\
        --work fits/ [--write]

One fit (``fit_ranking``'s coordinate ascent from the start weights, every level) gives a
family of variants: some of the levels the figures depend on (entity, graph, file, function)
put back to the start weights (all four: the start weights; three; entity and file; one), and
the fitted weights shrunk halfway toward the start ones (``w0 + (w - w0) / 2``, a ridge toward
the prior). For each outer fold (``fit_ranking``'s folds by repository, same seed), the
variant is picked by an inner cross-validation over the other folds only (fit on all but one
of them, score the one left; a fit without folds a and b serves a's and b's inner
cross-validations), by the most inner hits at file Acc@5 plus function Acc@10, then file
Acc@1, then the variant nearest the start weights; the picked variant fitted on every other
fold is scored on the outer fold. The tables show every variant's outer-fold figures, the
rule's pick's, and the shipped weights' (fitted on some of these instances). With
``--write``, the variant the same rule picks on the outer folds is fitted on every instance
and written to ``localization/weights.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_ranking import (
    SHOWN,
    START,
    WEIGHTS,
    baseline_hits,
    counts,
    fixed_folds,
    folds_by_repository,
    load_records,
    score,
)
from ranking_stages import _FIELDS, OPTIONS, Record, fit_all

from localization import RankWeights

LEVELS = ("entity", "graph", "file", "function")  # the levels the shown figures depend on
PUT_BACK = (4, 3, 1)  # how many levels the variants put back (4: the start weights)
SHRINK = (0.5,)
Hits = dict[str, dict[str, bool | None]]


def _put_back(fitted: RankWeights, start: RankWeights, levels: Sequence[str]) -> RankWeights:
    return replace(fitted, **{_FIELDS[lv]: getattr(start, _FIELDS[lv]) for lv in levels})


def _shrunk(fitted: RankWeights, start: RankWeights, a: float) -> RankWeights:
    def mix(w: Mapping[Any, float], w0: Mapping[Any, float]) -> dict[Any, float]:
        return {k: w0.get(k, 0.0) + a * (w.get(k, 0.0) - w0.get(k, 0.0)) for k in {*w, *w0}}

    fields = {f: mix(getattr(fitted, f), getattr(start, f)) for f in _FIELDS.values()}
    return replace(fitted, **fields)


def variants(fitted: RankWeights, start: RankWeights) -> dict[str, RankWeights]:
    """Every variant, nearest the start weights first (the order breaks ties)."""
    out = {}
    for size in PUT_BACK:  # every level but one, one level, and entity with file
        if size == 1:
            out["put back entity+file"] = _put_back(fitted, start, ("entity", "file"))
        for levels in itertools.combinations(LEVELS, size):
            out[f"put back {'+'.join(levels)}"] = _put_back(fitted, start, levels)
    for a in SHRINK:
        out[f"shrunk {a}"] = _shrunk(fitted, start, a)
    return out | {"fitted": fitted}


def merit(hits: Hits, ids: Sequence[str]) -> tuple[int, int]:
    """What the rule maximizes: file Acc@5 + function Acc@10 hits, then file Acc@1."""

    def n(name: str) -> int:
        return sum(bool(hits[i][name]) for i in ids if i in hits)

    return n("file Acc@5") + n("function Acc@10"), n("file Acc@1")


def pick(scored: Mapping[str, Hits], ids: Sequence[str]) -> str:
    """The variant with the best ``merit``; ties to the first (nearest the start)."""
    names = list(scored)
    return max(names, key=lambda v: (merit(scored[v], ids), -names.index(v)))


_RECORDS: list[Record] = []  # loaded once, shared with the forked workers
_FIXED: dict[str, int] = {}  # repository -> outer fold of an earlier run (``--folds-from``)


def _task(task: tuple[tuple[int, ...], int, int, Path | None]) -> dict[str, Any]:
    """Fit on every fold but those ``out`` names; score every variant on each of them (kept
    in ``work``, if given, and read back from there on a second run: instances added to the
    held folds since are scored with the kept fit, which never saw them)."""
    out, k, seed, work = task
    kept = work / f"fit-{'-'.join(map(str, out)) or 'all'}.json" if work else None
    folds = folds_by_repository(_RECORDS, k, seed, fixed=_FIXED)
    if kept is not None and kept.exists():
        return _rescored(json.loads(kept.read_text()), out, folds, kept)
    OPTIONS.update(method="ascent", refine=True, keep=(), restore=())
    started = time.perf_counter()
    out_ids = {r.instance_id for n in out for r in folds[n]}
    start = RankWeights.load(START)
    fitted = fit_all([r for r in _RECORDS if r.instance_id not in out_ids], start)
    named = variants(fitted, start)
    scored = {n: {name: score(folds[n], w) for name, w in named.items()} for n in out}
    seconds = time.perf_counter() - started
    done = {"out": out, "weights": fitted.to_dict(), "scored": scored, "seconds": seconds}
    if kept is not None:
        kept.write_text(json.dumps(done))
    return done


def _rescored(
    done: dict[str, Any], out: tuple[int, ...], folds: Sequence[Sequence[Record]], kept: Path
) -> dict[str, Any]:
    """A kept fit, its variants scored on the instances of its held folds it has no hits of."""
    scored = {int(n): v for n, v in done["scored"].items()}
    start = RankWeights.load(START)
    named = variants(RankWeights.from_dict(done["weights"]), start)
    added = 0
    for n in out:
        have = scored.setdefault(n, {}).get("fitted", {})
        new = [r for r in folds[n] if r.instance_id not in have]
        added += len(new)
        for name, w in named.items():
            scored[n][name] = scored[n].get(name, {}) | score(new, w)
    done = done | {"out": out, "scored": scored, "added": added}
    if added:
        kept.write_text(json.dumps(done))
    return done


def run(
    k: int, seed: int, workers: int, final: bool, work: Path | None
) -> dict[tuple[int, ...], Any]:
    """The fits: without each fold (the outer fits, first: every variant's outer figures need
    only these), without each pair of folds (the inner fits of both folds of the pair), and
    with ``final`` on everything."""
    outs = [*((n,) for n in range(k)), *itertools.combinations(range(k), 2)]  # outer first
    outs += [()] if final else []
    done = {}
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for result in pool.imap_unordered(_task, [(out, k, seed, work) for out in outs]):
            done[tuple(result["out"])] = result
            took = f"{result['seconds']:.0f} s"
            if "added" in result:
                took += f", kept ({result['added']} added instances scored)"
            print(f"fit without folds {result['out']}: {took}", flush=True)
    return done


def nested(done: Mapping[tuple[int, ...], Any], folds: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Per outer fold, the inner pick and its outer hits; every variant's outer hits."""
    k = len(folds)
    picks, picked = {}, {}
    outer: dict[str, Hits] = {}
    for o in range(k):
        inner: dict[str, Hits] = {}
        inner_ids: list[str] = []
        for i in (j for j in range(k) if j != o):
            for name, hits in done[tuple(sorted((o, i)))]["scored"][i].items():
                inner.setdefault(name, {}).update(hits)
            inner_ids += folds[i]
        picks[o] = pick(inner, inner_ids)
        for name, hits in done[(o,)]["scored"][o].items():
            outer.setdefault(name, {}).update(hits)
        picked.update(done[(o,)]["scored"][o][picks[o]])
    return {"picks": picks, "picked": picked, "outer": outer}


def table(
    records: Sequence[Record], rows: Mapping[str, Hits], folds: Sequence[Sequence[str]]
) -> None:
    groups = {d: [r.instance_id for r in records if r.dataset == d] for d in
              sorted({r.dataset for r in records})}  # fmt: skip
    groups["all"] = [r.instance_id for r in records]
    for name, ids in groups.items():
        print(f"\n{name} ({len(ids)} instances)\n| | {' | '.join(SHOWN)} |\n|---|---|---|---|")
        for label, hits in rows.items():
            if hits.keys() >= set(ids):  # a baseline of one set is shown for that set only
                print(f"| {label} | {' | '.join(counts(hits, ids)[m] for m in SHOWN)} |")
    for n, fold in enumerate(folds):
        repos = sorted({r.repo for r in records if r.instance_id in set(fold)})
        print(f"\nfold {n}: {', '.join(repos)}")
        for label in ("start weights, unfitted", "shipped weights", "nested pick", "fitted"):
            hits = rows.get(label) or rows.get(f"{label}, held-out folds", {})
            if hits.keys() >= set(fold):
                print(f"| {label} | {' | '.join(counts(hits, fold)[m] for m in SHOWN)} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("features", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline", type=Path, action="append", default=[])
    parser.add_argument("--workers", type=int, default=1, help="fits run at once (forked)")
    parser.add_argument("--write", type=Path, nargs="?", const=WEIGHTS, default=None)
    parser.add_argument("--json", type=Path, help="also write every fit's hits here")
    parser.add_argument("--work", type=Path, help="keep each fit here (a rerun reuses them)")
    parser.add_argument(
        "--folds-from",
        type=Path,
        help="an earlier --json: its repositories keep their folds, new ones are placed after",
    )
    args = parser.parse_args(argv)
    _RECORDS[:] = load_records(args.features)
    records = _RECORDS
    print(f"{len(records)} instances, {len({r.repo for r in records})} repositories", flush=True)
    _FIXED.update(fixed_folds(args.folds_from, records) if args.folds_from else {})
    folds = [
        [r.instance_id for r in f]
        for f in folds_by_repository(records, args.folds, args.seed, fixed=_FIXED)
    ]
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    done = run(args.folds, args.seed, args.workers, args.write is not None, args.work)
    result = nested(done, folds)
    if args.json:
        fits = {",".join(map(str, out)): fit for out, fit in done.items()}
        args.json.write_text(json.dumps({"folds": folds, "fits": fits, **result}))
    print("\ninner picks per outer fold:", result["picks"])
    rows: dict[str, Hits] = {"hand-tuned (main)": baseline_hits(args.baseline)}
    rows["start weights, unfitted"] = score(records, RankWeights.load(START))
    rows["shipped weights"] = score(records, RankWeights.load(WEIGHTS))
    rows["nested pick, held-out folds"] = result["picked"]
    rows |= {f"{name}, held-out folds": hits for name, hits in result["outer"].items()}
    table(records, rows, folds)
    if args.write:
        chosen = pick(result["outer"], [i for fold in folds for i in fold])
        start = RankWeights.load(START)
        weights = variants(RankWeights.from_dict(done[()]["weights"]), start)[chosen]
        about = (f"fitted by benchmarks/select_ranking.py (ascent, {chosen}: the variant picked "
                 f"by {args.folds}-fold cross-validation) on {len(records)} instances of "
                 f"{len({r.repo for r in records})} repositories")  # fmt: skip
        args.write.write_text(json.dumps(replace(weights, about=about).to_dict(), indent=1) + "\n")
        print(f"\npicked on all folds: {chosen}; wrote {args.write} (unblended: blend_ranking.py)")


if __name__ == "__main__":
    main()
