"""Each instance's feature table for the ranking's fit (``fit_ranking.py extract``).

Checks the instance out at its base commit, builds the code graph, reads the history before
the commit and writes the localizer's feature table with the gold locations, one gzipped JSON
file per instance (written whole or not at all; an existing one is kept).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from localization import RankWeights
from localization.scoring import rank

# Today's hand-set constants as weights: where the fit starts (``--method ascent``), the
# weights no data can fit, and what extraction ranks by to pick the files whose in-file match
# is recorded (so a stored feature cache does not depend on the shipped, fitted weights).
START = Path(__file__).resolve().parent / "ranking_start.json"


def _extract_one(job: tuple[Any, str, Path, Path, Path]) -> str:
    """Feature table and gold of one instance, written to ``out``; returns a status line."""
    from localization import GraphLocalizer, gold_from_patch, read_history
    from repo_graph import build_graph
    from swe_agent.bench.errors import CommitNotAvailable
    from swe_agent.bench.repos import ensure_mirror, materialize

    instance, dataset, mirrors, cache_dir, out = job
    target = out / f"{instance.instance_id}.json.gz"
    if target.exists():
        return f"{instance.instance_id}: cached"
    started = time.perf_counter()
    where = {"mirrors": mirrors, "cache_dir": cache_dir, "url_template": ""}
    try:
        try:
            checkout = materialize(instance.repo, instance.base_commit, **where)
        except OSError:  # another process wrote the same checkout first: it is there now
            checkout = materialize(instance.repo, instance.base_commit, **where)
    except CommitNotAvailable as exc:
        return f"{instance.instance_id}: skipped ({exc})"

    def read_old(path: str) -> str | None:
        full = checkout.root / path
        return full.read_text(encoding="utf-8", errors="replace") if full.is_file() else None

    gold = gold_from_patch(instance.patch, read_old=read_old)
    if not gold.files:
        return f"{instance.instance_id}: skipped (no gold .py file)"
    graph = build_graph(checkout.root, parse_store=cache_dir / ".parse-store")
    git_dir = ensure_mirror(mirrors, instance.repo, url_template="")
    history = read_history(git_dir, instance.base_commit)  # before the base commit only
    start = RankWeights.load(START)
    measuring = replace(start, file=dict(start.file) | {_history(): 1.0})  # history indexed
    localizer = GraphLocalizer(graph, weights=measuring, history=history)
    table = localizer.features(instance.problem_statement)
    # The in-file match is recorded for the files that could be among the best few: the best
    # IN_FILE_CANDIDATES by the current weights and every file the issue points at exactly.
    ranked = rank(table, start, top=IN_FILE_CANDIDATES).files
    exact = [k for k, row in table.values.items() if row.keys() - _TEXTUAL and ":" not in k]
    record = {
        "instance_id": instance.instance_id,
        "repo": instance.repo,
        "dataset": dataset,
        "gold": {"files": gold.files, "classes": gold.classes, "functions": gold.functions},
        "table": table.to_dict(in_file=sorted({loc.id for loc in ranked} | set(exact))),
    }
    part = target.with_suffix(".part")
    with gzip.open(part, "wt", encoding="utf-8") as handle:
        json.dump(record, handle)
    part.replace(target)  # whole or absent
    return f"{instance.instance_id}: {time.perf_counter() - started:.1f} s"


IN_FILE_CANDIDATES = 40
_TEXTUAL = {"text", "title", "names", "file_text", "history"}


def _history() -> Any:
    from localization.features import Feature

    return Feature.HISTORY


def extract(args: argparse.Namespace) -> None:
    import multiprocessing

    from swe_agent.bench.datasets import load_instances

    args.out.mkdir(parents=True, exist_ok=True)
    named = None
    if args.instances_from:  # the instances of a folds file (``benchmarks/ranking_folds.json``)
        named = {i for fold in json.loads(args.instances_from.read_text())["folds"] for i in fold}
    jobs = []
    for path in args.data:
        for instance in load_instances(path):
            if named is not None and instance.instance_id not in named:
                continue
            if (args.repos / instance.repo.replace("/", "+")).is_dir():
                jobs.append((instance, path.stem, args.repos, args.cache_dir, args.out))
    print(f"{len(jobs)} instances with a mirror", flush=True)
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for line in pool.imap_unordered(_extract_one, jobs):
            print(line, flush=True)
