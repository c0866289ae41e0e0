"""`bench localize`: localization accuracy and speed on SWE-bench-style instances.

Per instance: check the repository out at ``base_commit`` from the mirrors, build its code
graph, localize ``problem_statement``, extract the gold locations from ``patch`` and score the
ranking with Acc@k, next to two baselines computed in the same run on the same files: BM25 over
whole files (file level) and BM25 over entity documents alone (class and function levels).
"""

from __future__ import annotations

import hashlib
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import UserError
from swe_agent.bench.datasets import Instance
from swe_agent.bench.errors import CommitNotAvailable, RepoNotAvailable
from swe_agent.bench.repos import DEFAULT_REPO_URL, ensure_mirror, materialize
from swe_agent.choices import Half

if TYPE_CHECKING:
    from localization import Execution
    from swe_agent.example_trace import ExampleRunner

# (level, k) pairs reported; the levels are gold fields of GoldLocations.
METRICS: tuple[tuple[str, int], ...] = (
    ("files", 1),
    ("files", 3),
    ("files", 5),
    ("classes", 5),
    ("classes", 10),
    ("functions", 5),
    ("functions", 10),
)
SYSTEMS = ("ours", "bm25")
SPLITS = tuple(Half)


def split_of(instance_id: str) -> Half:
    """``dev`` or ``heldout``, fixed by a hash of the instance id: ranking changes are tuned on
    the dev half only, so the held-out half keeps measuring how well they generalize."""
    return SPLITS[hashlib.sha256(instance_id.encode("utf-8")).digest()[0] % 2]


@dataclass(frozen=True)
class InstanceRow:
    """What one instance gave: status, gold, the rankings' hits, and timings in seconds."""

    instance_id: str
    repo: str
    status: str  # ok | skipped | error
    note: str = ""
    gold: dict[str, list[str]] = field(default_factory=dict)
    hits: dict[str, dict[str, bool | None]] = field(default_factory=dict)  # system -> metric
    top: dict[str, list[str]] = field(default_factory=dict)  # level -> our top ids
    timings: dict[str, float] = field(default_factory=dict)
    missing_blobs: int = 0
    example: str = ""  # with --example-image: what running the issue's example gave

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "instance_id": self.instance_id,
            "repo": self.repo,
            "status": self.status,
            "note": self.note,
            "gold": self.gold,
            "hits": self.hits,
            "top": self.top,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "missing_blobs": self.missing_blobs,
            "example": self.example,
        }


@dataclass(frozen=True)
class BenchReport:
    """All rows and the aggregates: per system and metric, the rate and how many counted."""

    rows: tuple[InstanceRow, ...]
    aggregates: dict[str, dict[str, dict[str, float | int | None]]]
    latency: dict[str, float | None]
    # Loc-Bench labels each issue (bug report, feature request, performance, security):
    # the same aggregates per label, empty when the dataset has no ``category`` field.
    by_category: dict[str, dict[str, dict[str, dict[str, float | int | None]]]] = field(
        default_factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form with ``rows``, ``aggregates`` and ``latency``."""
        return {
            "aggregates": self.aggregates,
            "latency": self.latency,
            "counts": _counts(self.rows),
            **({"by_category": self.by_category} if self.by_category else {}),
            "rows": [row.to_dict() for row in self.rows],
        }


_SINGULAR = {"files": "file", "classes": "class", "functions": "function"}


def metric_name(level: str, k: int) -> str:
    """The display name of one metric, e.g. ``function Acc@10``."""
    return f"{_SINGULAR[level]} Acc@{k}"


def _counts(rows: Sequence[InstanceRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def _score(ranked: dict[str, list[str]], gold: Any) -> dict[str, bool | None]:
    from localization import acc_at_k

    return {
        metric_name(level, k): acc_at_k(ranked.get(level, []), getattr(gold, level), k)
        for level, k in METRICS
        if level in ranked
    }


def _read_old(root: Path) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        full = root / path
        return full.read_text(encoding="utf-8", errors="replace") if full.is_file() else None

    return read


def _baselines(localizer: Any, issue: str) -> dict[str, list[str]]:
    """BM25 over whole files, and BM25 over entity documents split by kind."""
    from localization import tokenize

    query = tokenize(issue)
    files = localizer.index.file_scores(query)
    entities = localizer.index.entity_scores(query)
    nodes = localizer.index.nodes
    ranked = sorted(entities, key=lambda k: -entities[k])
    return {
        "files": sorted(files, key=lambda k: -files[k])[:10],
        "classes": [k for k in ranked if nodes[k].kind == "class"][:10],
        "functions": [k for k in ranked if nodes[k].kind == "function"][:10],
    }


def run_instance(
    instance: Instance,
    *,
    mirrors: Path,
    cache_dir: Path,
    url_template: str | None = DEFAULT_REPO_URL,
    examples: ExampleRunner | None = None,
) -> InstanceRow:
    """Check out, build, localize and score one instance (with ``examples``, also run the
    issue's example and rank with what it did)."""
    from localization import GraphLocalizer, gold_from_patch, read_history
    from repo_graph import build_graph

    clock = time.perf_counter
    started = clock()
    checkout = materialize(
        instance.repo,
        instance.base_commit,
        mirrors=mirrors,
        cache_dir=cache_dir,
        url_template=url_template,
    )
    gold = gold_from_patch(instance.patch, read_old=_read_old(checkout.root))
    if not gold.files:
        note = "no gold .py file in the patch"
        return InstanceRow(instance.instance_id, instance.repo, "skipped", note=note)
    timings = {"checkout": clock() - started}
    mark = clock()
    # Checkouts of one repository share most blobs: parse each blob once for all of them.
    graph = build_graph(checkout.root, parse_store=cache_dir / ".parse-store")
    timings["graph"] = clock() - mark
    # The history before the base commit only: an instance never sees its own fix.
    mark = clock()
    git_dir = ensure_mirror(mirrors, instance.repo, url_template=url_template)
    history = read_history(git_dir, instance.base_commit)
    timings["history"] = clock() - mark
    localizer = GraphLocalizer(graph, history=history)
    timings["index"] = localizer.index_seconds
    execution = None
    if examples is not None:
        mark = clock()
        main = localizer.modules.main_package
        execution = examples(checkout.root, instance.problem_statement, main)
        timings["example"] = clock() - mark
    mark = clock()
    result = localizer.localize(instance.problem_statement, top=10, execution=execution)
    timings["localize"] = clock() - mark
    ours = {level: result.ids(kind) for level, kind in _levels()}
    baseline = _baselines(localizer, instance.problem_statement)
    return InstanceRow(
        instance.instance_id,
        instance.repo,
        "ok",
        gold={level: list(getattr(gold, level)) for level, _ in _levels()},
        hits={"ours": _score(ours, gold), "bm25": _score(baseline, gold)},
        top=ours,
        timings=timings,
        missing_blobs=len(checkout.missing),
        example=_example_note(execution, examples),
    )


def _example_note(execution: Execution | None, examples: ExampleRunner | None) -> str:
    if examples is None:
        return ""
    if execution is None:
        return "no example run"
    if execution.imports_failed and not execution.calls:
        return "example's imports failed"
    raised = f", raised through {len(execution.raised)} frames" if execution.raised else ""
    return f"example ran {len(execution.calls)} functions{raised}"


def _levels() -> list[tuple[str, Any]]:
    from localization import LocationKind

    return [
        ("files", LocationKind.FILE),
        ("classes", LocationKind.CLASS),
        ("functions", LocationKind.FUNCTION),
    ]


def _aggregate(rows: Sequence[InstanceRow]) -> dict[str, dict[str, dict[str, float | int | None]]]:
    from localization import rate

    done = [r for r in rows if r.status == "ok"]
    out: dict[str, dict[str, dict[str, float | int | None]]] = {}
    for system in SYSTEMS:
        out[system] = {}
        for level, k in METRICS:
            name = metric_name(level, k)
            value, counted = rate([r.hits[system].get(name) for r in done])
            out[system][name] = {"acc": value, "counted": counted, "no_gold": len(done) - counted}
    return out


def _latency(rows: Sequence[InstanceRow]) -> dict[str, float | None]:
    done = [r for r in rows if r.status == "ok"]
    out: dict[str, float | None] = {}
    for step in ("checkout", "graph", "history", "index", "example", "localize"):
        values = [r.timings[step] for r in done if step in r.timings]
        out[f"{step}_p50"] = statistics.median(values) if values else None
        out[f"{step}_max"] = max(values) if values else None
    return out


def _guarded(instance: Instance, **where: Any) -> InstanceRow:
    """One instance; a failure that names itself (title + exit_code) becomes an error row."""
    try:
        return run_instance(instance, **where)
    except CommitNotAvailable as exc:
        return InstanceRow(instance.instance_id, instance.repo, "skipped", note=str(exc))
    except UserError as exc:
        note = f"{exc.title}: {exc}"
        return InstanceRow(instance.instance_id, instance.repo, "error", note=note)


def run_localize_bench(
    instances: Sequence[Instance],
    *,
    mirrors: Path,
    cache_dir: Path,
    url_template: str | None = DEFAULT_REPO_URL,
    on_done: Callable[[InstanceRow], None] | None = None,
    examples: ExampleRunner | None = None,
    workers: int = 1,
) -> BenchReport:
    """Run every instance (skipping those whose repository has no mirror) and aggregate; with
    ``workers`` > 1, that many instances at once in worker processes (rows keep the input
    order; ``on_done`` is called as each one finishes)."""
    rows: dict[int, InstanceRow] = {}

    def finish(number: int, row: InstanceRow) -> None:
        rows[number] = row
        if on_done is not None:
            on_done(row)

    runnable: list[tuple[int, Instance]] = []
    for number, instance in enumerate(instances):
        try:
            # A mirror, else a clone from url_template when a network exists.
            ensure_mirror(mirrors, instance.repo, url_template=url_template)
        except RepoNotAvailable as exc:
            finish(number, InstanceRow(instance.instance_id, instance.repo, "skipped", str(exc)))
        else:
            runnable.append((number, instance))
    run = partial(
        _guarded, mirrors=mirrors, cache_dir=cache_dir, url_template=url_template, examples=examples
    )
    if workers > 1 and len(runnable) > 1:
        _in_workers(run, runnable, workers, finish)
    else:
        for number, instance in runnable:
            finish(number, run(instance))
    ordered = [rows[number] for number in range(len(instances))]
    return BenchReport(
        tuple(ordered), _aggregate(ordered), _latency(ordered), _by_category(instances, ordered)
    )


def _in_workers(
    run: Callable[[Instance], InstanceRow],
    runnable: list[tuple[int, Instance]],
    workers: int,
    finish: Callable[[int, InstanceRow], None],
) -> None:
    """Instances in the batches' pool of spawned processes (checkouts are written atomically,
    so two workers may share a cache)."""
    from swe_agent.bench.executors import LocalExecutor, drive

    number = {id(instance): n for n, instance in runnable}

    def done(instance: Instance, outcome: InstanceRow | BaseException) -> None:
        if isinstance(outcome, BaseException):
            raise outcome
        finish(number[id(instance)], outcome)

    executor = LocalExecutor(workers=workers)
    try:
        tasks = [instance for _, instance in runnable]
        drive(executor, run, tasks, workers=workers, on_done=done)
    finally:
        executor.close()


def _by_category(
    instances: Sequence[Instance], rows: Sequence[InstanceRow]
) -> dict[str, dict[str, dict[str, dict[str, float | int | None]]]]:
    label = {i.instance_id: str(getattr(i, "category", None) or "") for i in instances}
    groups: dict[str, list[InstanceRow]] = {}
    for row in rows:
        if label.get(row.instance_id):
            groups.setdefault(label[row.instance_id], []).append(row)
    return {name: _aggregate(members) for name, members in sorted(groups.items())}
