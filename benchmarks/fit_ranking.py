"""Fit the localization ranking's weights and report them with k-fold cross-validation.

    # once: every instance's feature table (checkout, graph, history, features), to a cache;
    # the instances are those of the committed folds (each file's stem names its dataset)
    .venv/bin/python benchmarks/fit_ranking.py extract dev.jsonl locbench.jsonl \\
        --instances-from benchmarks/ranking_folds.json \\
        --repos MIRRORS --cache-dir ~/.cache/swe-agent/checkouts --out features/
    # then, in seconds to minutes: cross-validate, and write the weights fitted on everything
    .venv/bin/python benchmarks/fit_ranking.py fit features/ --baseline main.json --write
    # and blend them with the prior again (the shares: benchmarks/blend_ranking.py)
    .venv/bin/python benchmarks/blend_ranking.py features/ --table localization/weights.json --write

Folds are by repository (no repository is in both the fitted and the held-out part), made
once from a fixed seed. ``benchmarks/ranking_folds.json`` holds the instances and their outer
folds: the 191 SWE-bench dev instances whose repositories can be fetched and the 197 Loc-Bench
ones of 20 fetched repositories (not sympy's or sqlfluff's), written by ``folds`` from those
lists, so that the folds do not depend on which tables were extracted
(``select_ranking.py --folds-from`` and ``rerank_files.py --folds-from`` read it). The
hand-tuned ranking (``--baseline``: ``swe-agent bench localize --json`` rows of the code before
the fit) is scored on the same folds. The weights shipped in ``localization/weights.json`` are
fitted on all instances; the figures say how well weights fitted this way do on repositories
they were not fitted on.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ranking_data import START, extract
from ranking_stages import OPTIONS, Record, fit_all

from localization import RankWeights, acc_at_k
from localization.scoring import rank
from localization.table import FeatureTable

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "localization" / "weights.json"
METRICS = (("files", 1), ("files", 3), ("files", 5), ("classes", 5), ("classes", 10))
METRICS += (("functions", 5), ("functions", 10))
SHOWN = ("file Acc@1", "file Acc@5", "function Acc@10")
NAMES = {"files": "file", "classes": "class", "functions": "function"}


def metric(level: str, k: int) -> str:
    return f"{NAMES[level]} Acc@{k}"


# -- extraction -------------------------------------------------------------------------


def write_folds(args: argparse.Namespace) -> None:
    """The outer folds of the datasets' instances (those with a mirror, as ``extract`` takes
    them), whether or not their tables are extracted yet: ``--folds-from`` keeps them."""
    from swe_agent.bench.datasets import load_instances

    instances = [
        instance
        for path in args.data
        for instance in load_instances(path)
        if args.repos is None or (args.repos / instance.repo.replace("/", "+")).is_dir()
    ]
    folds = folds_by_repository(instances, args.folds, args.seed)
    args.out.write_text(json.dumps({"folds": [[i.instance_id for i in f] for f in folds]}) + "\n")
    for number, fold in enumerate(folds):
        repos = sorted({i.repo for i in fold})
        print(f"fold {number}: {len(fold)} instances, {', '.join(repos)}")


# -- fitting and cross-validation ---------------------------------------------------------


def load_records(folder: Path) -> list[Record]:
    records = []
    for path in sorted(folder.glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
        gold = {level: tuple(data["gold"][level]) for level in NAMES}
        table = FeatureTable.from_dict(data["table"])
        records.append(Record(data["instance_id"], data["repo"], data["dataset"], table, gold))
    return records


class InRepository(Protocol):
    """An instance or its record: what the folds are made of."""

    @property
    def repo(self) -> str: ...


Item = TypeVar("Item", bound=InRepository)


def folds_by_repository(
    records: Sequence[Item], k: int, seed: int, *, fixed: Mapping[str, int] | None = None
) -> list[list[Item]]:
    """``k`` folds, each a set of whole repositories, of about equal numbers of instances:
    repositories largest first (ties in a seeded random order) into the smallest fold. The
    repositories ``fixed`` names stay in the fold it gives (an earlier run's folds, so that
    adding instances leaves the old ones' folds as they were); the others are placed after."""
    if k == 0:
        return []
    sizes: dict[str, int] = {}
    for record in records:
        sizes[record.repo] = sizes.get(record.repo, 0) + 1
    fixed = fixed or {}
    folds: list[list[str]] = [[] for _ in range(k)]
    for repo in sorted(sizes.keys() & fixed.keys()):
        folds[fixed[repo]].append(repo)
    repos = sorted(sizes.keys() - fixed.keys())
    random.Random(seed).shuffle(repos)
    repos.sort(key=lambda repo: -sizes[repo])
    for repo in repos:
        smallest = min(range(k), key=lambda i: sum(sizes[r] for r in folds[i]))
        folds[smallest].append(repo)
    return [[r for r in records if r.repo in set(fold)] for fold in folds]


def fixed_folds(path: Path, records: Sequence[Record]) -> dict[str, int]:
    """Repository -> fold of an earlier run (``select_ranking.py --json``'s "folds")."""
    repo_of = {r.instance_id: r.repo for r in records}
    folds = json.loads(path.read_text())["folds"]
    return {repo_of[i]: n for n, fold in enumerate(folds) for i in fold if i in repo_of}


def score(records: Iterable[Record], weights: RankWeights) -> dict[str, dict[str, bool | None]]:
    """Acc@k of the ranking with ``weights``, per instance."""
    out = {}
    for record in records:
        result = rank(record.table, weights, top=10)
        ranked = {
            "files": [loc.id for loc in result.files],
            "classes": [loc.id for loc in result.classes],
            "functions": [loc.id for loc in result.functions],
        }
        out[record.instance_id] = {
            metric(level, k): acc_at_k(ranked[level], record.gold[level], k) for level, k in METRICS
        }
    return out


def baseline_hits(paths: Sequence[Path]) -> dict[str, dict[str, bool | None]]:
    """Per instance, the hits of a ``bench localize --json`` run (the hand-tuned ranking)."""
    out = {}
    for path in paths:
        for row in json.loads(path.read_text())["rows"]:
            if row["status"] == "ok":
                out[row["instance_id"]] = row["hits"]["ours"]
    return out


def counts(hits: Mapping[str, Mapping[str, bool | None]], ids: Iterable[str]) -> dict[str, str]:
    out = {}
    for name in SHOWN:
        values = [hits[i][name] for i in ids if i in hits and hits[i][name] is not None]
        out[name] = f"{sum(map(bool, values))}/{len(values)}"
    return out


_RECORDS: list[Record] = []  # loaded once, shared with the forked workers


def _task(task: tuple[str, int | None, Path, int, int]) -> dict[str, Any]:
    """One fit: of ``method`` on every fold but ``number`` (scored on that fold), or on every
    instance (``number`` None; method "start": no fit, the start weights scored on all)."""
    method, number, start, k, seed = task
    OPTIONS["method"] = method
    started = time.perf_counter()
    weights = RankWeights.load(start)
    if number is None:
        if method == "start":
            return {"method": method, "number": None, "held": score(_RECORDS, weights)}
        fitted = fit_all(_RECORDS, weights)
        return {"method": method, "number": None, "weights": fitted.to_dict()}
    fold = folds_by_repository(_RECORDS, k, seed)[number]
    held = {r.instance_id for r in fold}
    fitted = fit_all([r for r in _RECORDS if r.instance_id not in held], weights)
    seconds = time.perf_counter() - started
    out = {"method": method, "number": number, "weights": fitted.to_dict(), "seconds": seconds}
    return out | {"held": score(fold, fitted)}


def cross_validate(args: argparse.Namespace) -> dict[str, Any]:
    """Every method's fit on k-1 folds scored on the held one, in ``--workers`` processes;
    with ``--write``, the first method's fit on everything too."""
    import multiprocessing

    folds = folds_by_repository(_RECORDS, args.folds, args.seed)
    tasks: list[tuple[str, int | None, Path, int, int]] = [("start", None, args.start, 0, 0)]
    tasks += [
        (m, n, args.start, args.folds, args.seed) for m in args.method for n in range(len(folds))
    ]
    if args.write:
        tasks.append((args.method[0], None, args.start, 0, 0))
    out: dict[str, Any] = {"folds": [[r.instance_id for r in fold] for fold in folds]}
    out |= {"held": {m: {} for m in ["start", *args.method]}, "weights": {}}
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        for done in pool.imap_unordered(_task, tasks):
            method, number = done["method"], done["number"]
            out["held"][method] |= done.get("held", {})
            if number is None:
                out["final"] = done.get("weights", out.get("final"))
                print(f"{method} on all instances: done", flush=True)
                continue
            out["weights"].setdefault(method, {})[number] = done["weights"]
            found = counts(done["held"], out["folds"][number])
            print(f"{method} fold {number}: {len(folds[number])} instances, fitted in "
                  f"{done['seconds']:.0f} s: {found}", flush=True)  # fmt: skip
    return out


def report(
    records: list[Record],
    cv: dict[str, Any],
    base: dict[str, Any],
    *,
    keep: Sequence[str] = (),
    restore: Sequence[str] = (),
) -> None:
    """Markdown tables: per dataset and per fold, the hand-tuned ranking (``--baseline``), the
    start weights unfitted, and each method's fit scored on held-out folds."""
    datasets = sorted({r.dataset for r in records})
    groups = {d: [r.instance_id for r in records if r.dataset == d] for d in datasets}
    groups["all"] = [r.instance_id for r in records]
    rows = {"hand-tuned (main)": base, "start weights, unfitted": cv["held"]["start"]}
    kept = f" ({', '.join(keep)} kept)" if keep else ""
    kept += f" ({', '.join(restore)} put back)" if restore else ""
    rows |= {f"{m}{kept}, held-out folds": h for m, h in cv["held"].items() if m != "start"}
    print(f"\n| | {' | '.join(SHOWN)} |\n|---|---|---|---|")
    for name, ids in groups.items():
        for label, hits in rows.items():
            if not hits.keys() & set(ids):  # no baseline run of this set
                continue
            row = counts(hits, ids)
            print(f"| {name}: {label} | {' | '.join(row[m] for m in SHOWN)} |")
    for number, fold in enumerate(cv["folds"]):
        repos = sorted({r.repo for r in records if r.instance_id in set(fold)})
        print(f"\nfold {number}: {', '.join(repos)}")
        for label, hits in rows.items():
            if not hits.keys() & set(fold):
                continue
            row = counts(hits, fold)
            print(f"| {label} | {' | '.join(row[m] for m in SHOWN)} |")


def _data_commands(sub: Any) -> None:
    """The ``extract`` and ``folds`` commands' options."""
    ex = sub.add_parser("extract", help="write each instance's feature table")
    ex.add_argument("data", type=Path, nargs="+")
    ex.add_argument("--repos", type=Path, required=True)
    ex.add_argument("--cache-dir", type=Path, required=True)
    ex.add_argument("--out", type=Path, required=True)
    ex.add_argument("--workers", type=int, default=2)
    ex.add_argument(
        "--instances-from", type=Path, help="only the instances of this folds file's folds"
    )
    fo = sub.add_parser("folds", help="write the outer folds of the datasets' instances")
    fo.add_argument("data", type=Path, nargs="+")
    fo.add_argument("--repos", type=Path, help="only the instances with a mirror here")
    fo.add_argument("--folds", type=int, default=5)
    fo.add_argument("--seed", type=int, default=0)
    fo.add_argument("--out", type=Path, required=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _data_commands(sub)
    fi = sub.add_parser("fit", help="cross-validate; with --write, ship the weights")
    fi.add_argument("features", type=Path)
    fi.add_argument("--folds", type=int, default=5, help="0: no cross-validation")
    fi.add_argument("--seed", type=int, default=0)
    fi.add_argument("--baseline", type=Path, action="append", default=[])
    fi.add_argument("--start", type=Path, default=START, help="where the fit starts")
    fi.add_argument("--write", type=Path, nargs="?", const=WEIGHTS, default=None)
    fi.add_argument("--json", type=Path, help="also write the per-instance hits here")
    fi.add_argument(
        "--no-refine", action="store_true", help="the listwise fit only, no coordinate ascent"
    )
    fi.add_argument(
        "--method",
        choices=("listnet", "ascent"),
        nargs="+",
        default=["listnet"],
        help="listnet: the listwise fit, then coordinate ascent; ascent: from --start only "
        "(several: each is cross-validated; the first is written)",
    )
    fi.add_argument(
        "--keep",
        choices=("entity", "graph", "file", "function", "class"),
        nargs="+",
        default=[],
        help="levels whose weights stay --start's (not fitted)",
    )
    fi.add_argument(
        "--restore",
        choices=("entity", "graph", "file", "function", "class"),
        nargs="+",
        default=[],
        help="levels whose weights are put back to --start's once every level is fitted",
    )
    fi.add_argument("--workers", type=int, default=1, help="fits run at once (forked)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract(args)
        return
    if args.command == "folds":
        write_folds(args)
        return
    OPTIONS["refine"] = not args.no_refine
    OPTIONS["keep"] = tuple(args.keep)
    OPTIONS["restore"] = tuple(args.restore)
    _RECORDS[:] = load_records(args.features)
    records = _RECORDS
    print(f"{len(records)} instances, {len({r.repo for r in records})} repositories", flush=True)
    base = baseline_hits(args.baseline)
    if args.baseline and not base.keys() & {r.instance_id for r in records}:
        parser.error(f"no instance of {', '.join(map(str, args.baseline))} is in {args.features}")
    cv = cross_validate(args)
    report(records, cv, base, keep=args.keep, restore=args.restore)
    if args.json:
        args.json.write_text(json.dumps(cv))
    if args.write:
        weights = RankWeights.from_dict(cv["final"])
        about = (
            f"fitted by benchmarks/fit_ranking.py ({args.method[0]}"
            + "".join(f", {name} put back" for name in args.restore)
            + "".join(f", {name} kept" for name in args.keep)
            + f") on {len(records)} instances of {len({r.repo for r in records})} repositories"
        )
        args.write.write_text(json.dumps(replace(weights, about=about).to_dict(), indent=1) + "\n")
        print(f"wrote {args.write}, unblended: blend_ranking.py --table {args.write} --write")


if __name__ == "__main__":
    main()
