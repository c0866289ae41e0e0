"""`swe-agent bench eval`: evaluate predictions the way SWE-bench does, in parallel.

Layout of the output folder::

    OUT/<instance_id>/report.json    SWE-bench's per-instance report (plus exit code, error)
    OUT/<instance_id>/test_output.txt, patch.diff, eval.json (timings, the summary row)
    OUT/summary.json                 what ``--json`` prints
    OUT/repos/<instance_id>/          git folders sharing the mirrors' objects

An instance whose eval.json holds the same prediction digest is not evaluated again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import atomic_write
from swe_agent.bench.datasets import Instance
from swe_agent.bench.eval_instance import HARNESS, EvalTask, evaluate_task
from swe_agent.bench.executors import drive, make_executor
from swe_agent.bench.images import prune_instance_images
from swe_agent.bench.predictions import Prediction, PredictionProblem, load_predictions
from swe_agent.bench.repos import DEFAULT_REPO_URL
from swe_agent.choices import ExecutorKind

OnRow = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class EvalOptions:
    """The knobs of one evaluation run."""

    out: Path
    mirrors: Path
    workers: int = 1
    timeout_s: float = 1800.0
    executor: ExecutorKind = ExecutorKind.LOCAL
    ray_address: str | None = None
    keep_images: int = 0  # instance images kept (the newest); environment images always are
    disk_budget: int | None = None  # bytes of instance + environment images
    url_template: str | None = DEFAULT_REPO_URL  # clone from here when no mirror exists
    blob_sources: tuple[Path, ...] = ()  # files that may hold blobs the mirror lacks
    network: bool = False  # tests may reach the network (requests' httpbin tests need it)


def _tasks(
    instances: list[Instance], predictions: dict[str, Prediction], options: EvalOptions
) -> list[EvalTask]:
    out = options.out.resolve()
    return [
        EvalTask(
            instance=inst.model_dump(),
            model_patch=predictions[inst.instance_id].model_patch,
            model_name=predictions[inst.instance_id].model_name_or_path,
            digest=predictions[inst.instance_id].digest,
            out_dir=out / inst.instance_id,
            mirrors=options.mirrors.resolve(),
            work_dir=out / "repos" / inst.instance_id,
            lock_dir=out / "locks",
            timeout_s=options.timeout_s,
            keep_image=options.keep_images > 0,
            url_template=options.url_template,
            blob_sources=tuple(p.resolve() for p in options.blob_sources),
            network=options.network,
        )
        for inst in instances
        if inst.instance_id in predictions
    ]


def _cached_row(task: EvalTask) -> dict[str, Any] | None:
    """The row of an earlier evaluation of the same patch, when it finished without error.

    An error (of any kind: the environment, a timeout, a dead runner) is evaluated again.
    """
    path = task.out_dir / "eval.json"
    try:
        row = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(row, dict) or row.get("error"):
        return None
    if row.get("digest") != task.digest or row.get("harness") != HARNESS:
        return None
    return {**row, "cached": True}


def evaluate(
    instances: list[Instance],
    predictions_source: str,
    options: EvalOptions,
    *,
    dataset_ids: list[str] | None = None,
    on_row: OnRow | None = None,
    on_total: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Evaluate every predicted instance; write the reports and summary.json; return it."""
    from sandbox import reap_orphans

    started = time.monotonic()
    reap_orphans()  # the containers of an evaluation that was killed before this one
    predictions, problems = load_predictions(
        predictions_source, instances=instances, dataset_ids=dataset_ids or ()
    )
    options.out.mkdir(parents=True, exist_ok=True)
    tasks = _tasks(instances, predictions, options)
    if on_total is not None:
        on_total(len(tasks))
    rows, todo = _reuse_finished(tasks, on_row)

    def done(task: EvalTask, result: dict[str, Any] | BaseException) -> None:
        row = result if isinstance(result, dict) else _crashed(task, result)
        rows[row["instance_id"]] = row
        _prune(options)
        if on_row is not None:
            on_row(row)

    if todo:
        executor = make_executor(
            options.executor,
            workers=options.workers,
            address=options.ray_address,
            shared=(options.out.resolve(), options.mirrors.resolve()),
        )
        try:
            drive(executor, evaluate_task, todo, workers=options.workers, on_done=done)
        finally:
            executor.close()
    summary = summarize([rows[t.instance["instance_id"]] for t in tasks], problems, options)
    summary.update(harness_counts([i.instance_id for i in instances], tasks=tasks, rows=rows))
    summary["seconds"] = round(time.monotonic() - started, 2)
    _write_json(options.out / "summary.json", summary)
    return summary


def _reuse_finished(
    tasks: list[EvalTask], on_row: OnRow | None
) -> tuple[dict[str, dict[str, Any]], list[EvalTask]]:
    """Rows of the evaluations already done for the same patches, and the tasks left to run."""
    rows: dict[str, dict[str, Any]] = {}
    todo = []
    for task in tasks:
        cached = _cached_row(task)
        if cached is None:
            todo.append(task)
            continue
        rows[cached["instance_id"]] = cached
        if on_row is not None:
            on_row(cached)
    return rows, todo


def _crashed(task: EvalTask, error: BaseException) -> dict[str, Any]:
    """The row of a task whose worker died (killed, out of memory, lost Ray node)."""
    return {
        "instance_id": task.instance["instance_id"],
        "resolved": False,
        "patch_exists": bool(task.model_patch and task.model_patch.strip()),
        "error": f"worker: {type(error).__name__}: {error}"[:2000],
        "error_kind": "worker",
        "timings": {},
    }


def _prune(options: EvalOptions) -> None:
    keep = options.keep_images if options.keep_images > 0 else None
    if keep is not None or options.disk_budget is not None:
        prune_instance_images(keep=keep, budget_bytes=options.disk_budget)


def summarize(
    rows: list[dict[str, Any]], problems: list[PredictionProblem], options: EvalOptions
) -> dict[str, Any]:
    """The run's summary: counts, id lists, overhead beyond the test command."""
    resolved = [r["instance_id"] for r in rows if r.get("resolved")]
    errors = [r["instance_id"] for r in rows if r.get("error")]
    unresolved = [r["instance_id"] for r in rows if not r.get("resolved") and not r.get("error")]
    fresh = [r for r in rows if not r.get("cached") and "tests_s" in r.get("timings", {})]
    overhead = [r["timings"]["total_s"] - r["timings"]["tests_s"] for r in fresh]
    # The same without env_setup's share (detection, cache look-up, its own verification, the
    # modules it installed for skipped named tests).
    harness = [t - _env_share(r["timings"]) for t, r in zip(overhead, fresh, strict=True)]
    return {
        "total": len(rows),
        "completed": len(rows) - len(errors),
        "resolved_count": len(resolved),
        "resolved": resolved,
        "unresolved": unresolved,
        "errors": errors,
        "empty_patch": [r["instance_id"] for r in rows if not r.get("patch_exists")],
        "timed_out": [r["instance_id"] for r in rows if r.get("timed_out")],
        "error_details": {r["instance_id"]: r["error"] for r in rows if r.get("error")},
        "error_kinds": _by_kind(rows),
        "prediction_errors": [p.to_json() for p in problems],
        "reused": sum(1 for r in rows if r.get("cached")),  # finished before, same patch
        # Work folders that lacked files of their commit (no blob in the mirror nor --blobs)
        "incomplete_checkout": [r["instance_id"] for r in rows if r.get("missing_files")],
        "overhead_s_mean": round(sum(overhead) / len(overhead), 2) if overhead else None,
        "overhead_without_env_setup_s_mean": round(sum(harness) / len(harness), 2)
        if harness
        else None,
        "workers": options.workers,
        "executor": options.executor,
        "out": str(options.out),
    }


HARNESS_SCHEMA_VERSION = 2


def harness_counts(
    selected: list[str], *, tasks: list[EvalTask], rows: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The official harness's run-report keys (its make_run_report, schema 2) for this run.

    As it counts: an empty or absent patch is neither completed nor unresolved; an instance
    whose evaluation ended in an error has no report (not completed); selected instances
    without a prediction are incomplete.
    """
    submitted = [t.instance["instance_id"] for t in tasks]
    empty = [t.instance["instance_id"] for t in tasks if t.model_patch in ("", None)]
    ran = [rows[i] for i in submitted if i not in empty]
    completed = [r for r in ran if not r.get("error")]
    ids = {
        "completed_ids": [r["instance_id"] for r in completed],
        "incomplete_ids": [i for i in selected if i not in submitted],
        "empty_patch_ids": empty,
        "submitted_ids": submitted,
        "resolved_ids": [r["instance_id"] for r in completed if r.get("resolved")],
        "unresolved_ids": [r["instance_id"] for r in completed if not r.get("resolved")],
        "error_ids": [r["instance_id"] for r in ran if r.get("error")],
    }
    ids = {key: sorted(values) for key, values in ids.items()}
    return {
        "total_instances": len(selected),
        "submitted_instances": len(submitted),
        "completed_instances": len(ids["completed_ids"]),
        "resolved_instances": len(ids["resolved_ids"]),
        "unresolved_instances": len(ids["unresolved_ids"]),
        "empty_patch_instances": len(empty),
        "error_instances": len(ids["error_ids"]),
        **ids,
        "schema_version": HARNESS_SCHEMA_VERSION,
    }


def _by_kind(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Error kind -> the ids that ended in it (rows of older reports count as "crash")."""
    kinds: dict[str, list[str]] = {}
    for row in rows:
        if row.get("error"):
            kinds.setdefault(str(row.get("error_kind") or "crash"), []).append(row["instance_id"])
    return kinds


def _env_share(timings: dict[str, float]) -> float:
    return timings.get("env_s", 0.0) + timings.get("modules_s", 0.0)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(data, indent=2))
