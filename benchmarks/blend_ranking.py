"""The blend: how much of the fitted ranking to mix with the prior's, chosen without the data
it is scored on.

    # nested cross-validation over select_ranking.py's kept fits (fit-0.json, fit-0-1.json, ...)
    .venv/bin/python benchmarks/blend_ranking.py FEATURES --work fits/
    # the shipped table's shares, picked on the instances it was fitted on (dev), figures on
    # the others (held out for the table and the shares); --write ships them
    .venv/bin/python benchmarks/blend_ranking.py FEATURES --table localization/weights.json \\
        --pick-on dev --write

The ranking mixes two rankings (``localization.scoring.rank``): the fitted table's and the
start weights' (the hand-set prior every fit starts from), each level's scores taken relative
to their ranking's best, ``share`` of the fitted one's. Each level's share (files, classes,
functions) is picked from the tenths 0-1 by the most hits of the level's first metric, then
its second, then the share nearest an even mix. ``--work``: for each outer fold of the
committed folds, the share is picked on the other folds only (the fits without that fold and
one other, each mixed and scored on the other one), and the fit without the outer fold, mixed
at that share, is scored on it. ``--table``: the shares are picked on the ``--pick-on``
dataset's instances and the table's figures on the rest are held out for both.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_ranking import SHOWN, START, WEIGHTS, load_records, score
from ranking_stages import Record

from localization import LocationKind, RankWeights, acc_at_k
from localization.scoring import blended, relative, scored

SHARES = tuple(n / 10 for n in range(11))
LEVELS = {  # each level's metrics, the first deciding: (gold level, k)
    LocationKind.FILE: (("files", 5), ("files", 1)),
    LocationKind.CLASS: (("classes", 5), ("classes", 10)),
    LocationKind.FUNCTION: (("functions", 10), ("functions", 5)),
}
FOLDS = Path(__file__).resolve().parent / "ranking_folds.json"
Hits = dict[str, tuple[bool | None, bool | None]]  # instance -> the level's two metrics
Key = tuple[str, str, float]  # (fit, level, share)
_RECORDS: list[Record] = []
_TABLES: dict[str, RankWeights] = {}


def _blend_hits(task: tuple[int, Sequence[str]]) -> dict[Key, Hits]:
    """One record's hits at every share of every level, mixed with each fit named."""
    record = _RECORDS[task[0]]
    prior = scored(record.table, _TABLES["start"])
    out: dict[Key, Hits] = {}
    for name in task[1]:
        fitted = scored(record.table, _TABLES[name])
        for kind, metrics in LEVELS.items():
            for share in SHARES:
                parts = relative([(fitted, share), (prior, 1 - share)], kind)
                mixed = blended(parts, kind)
                ranked = sorted(mixed, key=lambda key: (-mixed[key], key))[:10]
                (first, k1), (second, k2) = metrics
                hits = (
                    acc_at_k(ranked, record.gold[first], k1),
                    acc_at_k(ranked, record.gold[second], k2),
                )
                out[(name, str(kind), share)] = {record.instance_id: hits}
    return out


def _fit_name(out: Sequence[int]) -> str:
    return f"fit-{'-'.join(map(str, sorted(out))) or 'all'}"


def pick(hits: Mapping[float, Hits], ids: Sequence[str]) -> float:
    """The share with the most hits of the first metric, then the second, then nearest 0.5."""

    def merit(share: float) -> tuple[int, int, float]:
        rows = [hits[share][i] for i in ids if i in hits[share]]
        return sum(bool(a) for a, _ in rows), sum(bool(b) for _, b in rows), -abs(share - 0.5)

    return max(SHARES, key=merit)


def _hit_table(tasks: Sequence[tuple[int, Sequence[str]]], workers: int) -> dict[Key, Hits]:
    table: dict[Key, Hits] = {}
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for done in pool.imap_unordered(_blend_hits, tasks, chunksize=4):
            for key, hits in done.items():
                table.setdefault(key, {}).update(hits)
    return table


def nested(table: Mapping[Key, Hits], fold_of: Mapping[str, int], k: int) -> dict[str, Hits]:
    """Per level, the held-out hits of the share each outer fold's inner folds picked."""
    held: dict[str, Hits] = {}
    for o in range(k):
        inner = [i for i in fold_of if fold_of[i] != o]
        for kind in LEVELS:
            by_share: dict[float, Hits] = {s: {} for s in SHARES}
            for s, other in itertools.product(SHARES, (j for j in range(k) if j != o)):
                hits = table[(_fit_name([o, other]), str(kind), s)]
                by_share[s] |= {i: h for i, h in hits.items() if fold_of[i] == other}
            share = pick(by_share, inner)
            print(f"outer fold {o}, {kind}: share {share}", flush=True)
            outer = table[(_fit_name([o]), str(kind), share)]
            held.setdefault(str(kind), {}).update(
                {i: h for i, h in outer.items() if fold_of[i] == o}
            )
    return held


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("features", type=Path)
    parser.add_argument("--work", type=Path, help="select_ranking.py's kept fits: nested CV")
    parser.add_argument("--table", type=Path, help="a fitted table: shares picked on --pick-on")
    parser.add_argument("--pick-on", default="dev", help="the dataset --table was fitted on")
    parser.add_argument("--folds-from", type=Path, default=FOLDS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", type=Path, nargs="?", const=WEIGHTS, default=None)
    args = parser.parse_args(argv)
    _RECORDS[:] = load_records(args.features)
    _TABLES["start"] = RankWeights.load(START)
    rows = {"start weights, unfitted": score(_RECORDS, _TABLES["start"])}
    rows["shipped weights"] = score(_RECORDS, RankWeights.load(WEIGHTS))
    if args.work:
        fold_ids = json.loads(args.folds_from.read_text())["folds"]
        have = {r.instance_id for r in _RECORDS}
        fold_of = {i: n for n, fold in enumerate(fold_ids) for i in fold if i in have}
        k = len(fold_ids)
        for path in args.work.glob("fit-*.json"):
            _TABLES[path.stem] = RankWeights.from_dict(json.loads(path.read_text())["weights"])
        tasks = []
        for n, record in enumerate(_RECORDS):
            f = fold_of[record.instance_id]
            tasks.append((n, [_fit_name([f])] + [_fit_name([f, o]) for o in range(k) if o != f]))
        rows["blend, nested, held-out folds"] = _as_metrics(
            nested(_hit_table(tasks, args.workers), fold_of, k)
        )
    if args.table:
        _TABLES["table"] = RankWeights.load(args.table).alone()
        table = _hit_table([(n, ["table"]) for n in range(len(_RECORDS))], args.workers)
        on = [r.instance_id for r in _RECORDS if r.dataset == args.pick_on]
        shares = {
            str(kind): pick({s: table[("table", str(kind), s)] for s in SHARES}, on)
            for kind in LEVELS
        }
        print(f"shares picked on {args.pick_on}: {shares}")
        rows["--table blended at those shares"] = _as_metrics(
            {str(kind): table[("table", str(kind), shares[str(kind)])] for kind in LEVELS}
        )
        if args.write:
            fitted = _TABLES["table"].about.split("; blended with")[0]
            about = (f"{fitted}; blended with benchmarks/ranking_start.json, "
                     f"shares picked on {len(on)} {args.pick_on} instances by "
                     "benchmarks/blend_ranking.py")  # fmt: skip
            weights = replace(_TABLES["table"], about=about, prior=_TABLES["start"], blend=shares)
            args.write.write_text(json.dumps(weights.to_dict(), indent=1) + "\n")
            print(f"wrote {args.write}")
    _report(rows)


def _as_metrics(held: Mapping[str, Hits]) -> dict[str, dict[str, bool | None]]:
    """Per instance, the named metrics (``file Acc@5``) of each level's hits."""
    out: dict[str, dict[str, bool | None]] = {}
    for kind, metrics in LEVELS.items():
        for i, hits in held[str(kind)].items():
            for (_, k), hit in zip(metrics, hits, strict=True):
                out.setdefault(i, {})[f"{kind} Acc@{k}"] = hit
    return out


def _report(rows: Mapping[str, Mapping[str, Mapping[str, bool | None]]]) -> None:
    """Each dataset's and all instances' figures of every row."""
    for dataset in [*sorted({r.dataset for r in _RECORDS}), "all"]:
        ids = [r.instance_id for r in _RECORDS if dataset in ("all", r.dataset)]
        print(f"\n{dataset} ({len(ids)} instances)\n| | {' | '.join(SHOWN)} |\n|---|---|---|---|")
        for label, hits in rows.items():
            cells = []
            for name in SHOWN:
                known = [v for v in (hits[i].get(name) for i in ids if i in hits) if v is not None]
                cells.append(f"{sum(map(bool, known))}/{len(known)}")
            print(f"| {label} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
