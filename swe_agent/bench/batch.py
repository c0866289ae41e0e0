"""`swe-agent bench run`: solve many instances, resumably, and write SWE-bench predictions.

Layout of the output folder::

    OUT/journal.jsonl          started / finished / failed per instance (the last event wins)
    OUT/preds.jsonl            instance_id, model_name_or_path, model_patch (finished only);
                               autosubmitted: true when the run's budget ended before the
                               model submitted (the patch is its best-scored state)
    OUT/preds.json             the same keyed by instance id (as SWE-agent and mini-swe-agent)
    OUT/runs/<instance_id>/    the run folder of each solve
    OUT/repos/<instance_id>/    the repository the agent worked in (shares the mirror's objects)

Resume is exact: finished instances are never run again; started-but-unfinished ones (the
process died) and failed ones run again; preds.jsonl keeps one line per finished instance.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import atomic_write
from swe_agent.bench.datasets import Instance
from swe_agent.bench.executors import drive, make_executor
from swe_agent.bench.journal import Event, Journal, append_line, read_lines, rewrite_lines
from swe_agent.bench.repos import DEFAULT_REPO_URL, locked
from swe_agent.bench.workdirs import prepare_workdir
from swe_agent.choices import ExecutorKind
from swe_agent.errors import BadInput

OnEvent = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class RunOptions:
    """The knobs of one batch: where, how wide, what budget, and the solve settings."""

    out: Path
    mirrors: Path
    model: str | tuple[str, ...] | None = None  # a spec, or scripted replies (replay)
    workers: int = 1
    executor: ExecutorKind = ExecutorKind.LOCAL
    ray_address: str | None = None
    budget_usd: float | None = None  # no new instance starts once this much is spent
    wall_time_s: float | None = None  # no new instance starts after this many seconds
    solve: dict[str, Any] = field(default_factory=dict)  # SolveOptions fields (search, ...)
    url_template: str | None = DEFAULT_REPO_URL  # clone from here when no mirror exists
    blob_sources: tuple[Path, ...] = ()  # files that may hold blobs the mirror lacks


@dataclass(frozen=True)
class RunTask:
    """One instance to solve; picklable for a pool process or a Ray task."""

    instance: dict[str, Any]
    model: str | tuple[str, ...] | None
    solve: dict[str, Any]
    out: Path
    mirrors: Path
    url_template: str | None = DEFAULT_REPO_URL
    blob_sources: tuple[Path, ...] = ()


def model_name(model: str | tuple[str, ...] | None) -> str:
    """model_name_or_path of the predictions."""
    if model is None:
        return "local"
    return model if isinstance(model, str) else "replay"


def solve_task(task: RunTask) -> dict[str, Any]:
    """Solve one instance in its own work folder; copy its run folder under OUT/runs/."""
    from env_setup import SetupOptions, setup_environment
    from swe_agent.models import get_model
    from swe_agent.solve import SolveOptions, solve

    inst = task.instance
    workdir = prepare_workdir(
        repo=inst["repo"],
        commit=inst["base_commit"],
        test_patch="",
        mirrors=task.mirrors,
        dest=task.out / "repos" / inst["instance_id"],
        checkout=True,
        url_template=task.url_template,
        blob_sources=task.blob_sources,
    )
    options = SolveOptions(
        repo=workdir.root, issue=inst["problem_statement"], commit=workdir.base, **task.solve
    )
    if options.setup_env and options.sandbox == "docker":
        # One build per repository at a time; solve's own set-up is then a cache hit.
        lock = task.out / "locks" / (inst["repo"].replace("/", "+") + ".lock")
        with locked(lock):
            setup_environment(workdir.root, SetupOptions(commit=workdir.base))
    if isinstance(task.model, tuple):  # scripted replies
        report = solve(options, model=get_model(list(task.model)))
    else:  # a spec: solve's preflight checks it and holds its budget
        report = solve(options)
    run_dir = _keep_run(report.run_dir, task.out / "runs" / inst["instance_id"])
    return {
        "instance_id": inst["instance_id"],
        "model_patch": report.patch,
        "status": str(report.status),
        # the run ended before the model submitted: the patch is its best-scored state
        "autosubmitted": report.autosubmitted is not None,
        "cost_usd": report.cost_usd,
        "elapsed_s": report.elapsed_s,
        "run_dir": str(run_dir),
    }


def _keep_run(source: Path, dest: Path) -> Path:
    """Copy a run folder to OUT/runs/<id> (a rerun replaces the copy of an interrupted one)."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return dest


def _clean_preds(preds: Path, finished: set[str]) -> None:
    """Keep one line per finished instance (a crash between the two writes leaves extras)."""
    latest = {r["instance_id"]: r for r in read_lines(preds) if r.get("instance_id") in finished}
    if preds.exists():
        rewrite_lines(preds, list(latest.values()))


def write_keyed_preds(preds: Path) -> Path:
    """preds.json next to preds.jsonl: the same predictions as one object keyed by id."""
    keyed = {str(r["instance_id"]): r for r in read_lines(preds) if r.get("instance_id")}
    path = preds.with_suffix(".json")
    atomic_write(path, json.dumps(keyed, indent=2))
    return path


@dataclass
class _Budget:
    """Dollars and seconds spent; says when no new instance may start."""

    options: RunOptions
    spent_usd: float = 0.0
    started: float = field(default_factory=time.monotonic)

    def allows_start(self) -> bool:
        if self.options.budget_usd is not None and self.spent_usd >= self.options.budget_usd:
            return False
        wall = self.options.wall_time_s
        return wall is None or time.monotonic() - self.started < wall

    def solve_settings(self) -> dict[str, Any]:
        """The per-instance caps left by the global budget."""
        settings = dict(self.options.solve)
        if self.options.budget_usd is not None:
            left = max(0.0, self.options.budget_usd - self.spent_usd)
            settings["budget_usd"] = min(left, settings.get("budget_usd") or left)
        if self.options.wall_time_s is not None:
            left = self.options.wall_time_s - (time.monotonic() - self.started)
            settings["wall_time_s"] = max(1.0, min(left, settings.get("wall_time_s") or left))
        return settings


@dataclass
class _Recorder:
    """Writes what happens to each instance: journal events and prediction lines, in order."""

    journal: Journal
    preds: Path
    model: str | tuple[str, ...] | None
    budget: _Budget
    say: OnEvent
    counts: dict[str, int] = field(default_factory=lambda: {"finished": 0, "failed": 0})

    def start(self, task: RunTask) -> None:
        self.journal.record(task.instance["instance_id"], Event.STARTED)

    def done(self, task: RunTask, result: dict[str, Any] | BaseException) -> None:
        instance_id = task.instance["instance_id"]
        if isinstance(result, BaseException):
            error = f"{type(result).__name__}: {result}"[:2000]
            self.journal.record(instance_id, Event.FAILED, error=error)
            self.counts["failed"] += 1
            self.say("failed", {"instance_id": instance_id, "error": error})
            return
        # preds first: a crash between the two writes reruns the instance, and the
        # clean-up at the next start drops the line of the unfinished one.
        pred = _pred(instance_id, self.model, result["model_patch"])
        if result.get("autosubmitted"):
            pred["autosubmitted"] = True  # not submitted by the model; harnesses ignore the key
        append_line(self.preds, pred)
        self.journal.record(instance_id, Event.FINISHED, **_journal_fields(result))
        self.budget.spent_usd += result["cost_usd"]
        self.counts["finished"] += 1
        self.say("finished", {**result, "spent_usd": self.budget.spent_usd})


def check_batch(options: RunOptions) -> list[str]:
    """Check the solve settings and the model before any instance starts (raising the error
    that names the fix); return what the user should hear at start."""
    from swe_agent.solve.config import build_options
    from swe_agent.solve.preflight import hold_budget
    from swe_agent.solve.seams import model_settings

    if options.budget_usd is not None and options.budget_usd <= 0:
        raise BadInput(f"--budget-usd {options.budget_usd:g} must be more than 0")
    if options.wall_time_s is not None and options.wall_time_s < 0:
        raise BadInput(f"--wall-time {options.wall_time_s:g} must not be negative")
    scripted = isinstance(options.model, tuple)
    spec = None if scripted else options.model
    solve = build_options({"repo": Path("."), "issue": "-"}, {**options.solve, "model": spec})
    if scripted:
        return []  # nothing to check, nothing billed
    from swe_agent.models import check_model

    checked = check_model(solve.model, **model_settings(solve))
    notes = list(checked.notes)
    if options.budget_usd is not None:
        budget = {"budget_usd": options.budget_usd}
        notes += hold_budget(solve.model_copy(update=budget), cost_known=checked.cost_known)[1]
    return notes


def run_batch(
    instances: list[Instance], options: RunOptions, *, on_event: OnEvent | None = None
) -> dict[str, Any]:
    """Solve every instance not finished yet; return counts, cost and the ids left over."""
    from sandbox import reap_orphans

    say = on_event or (lambda _kind, _data: None)
    for note in check_batch(options):  # before any folder or instance
        say("note", {"text": note})
    reap_orphans()  # the containers of a batch that was killed (SIGKILL) before this resume
    out = options.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    journal, preds = Journal(out / "journal.jsonl"), out / "preds.jsonl"
    earlier = journal.last_events()
    finished = {i for i, r in earlier.items() if r["event"] == Event.FINISHED}
    _clean_preds(preds, finished)
    budget = _Budget(options)
    budget.spent_usd = sum(float(r.get("cost_usd") or 0.0) for r in earlier.values())
    todo = [i for i in instances if i.instance_id not in finished]
    say("plan", {"total": len(instances), "done": len(instances) - len(todo)})
    recorder = _Recorder(journal, preds, options.model, budget, say)
    tasks = (_task(inst, options, budget, out) for inst in todo)
    executor = make_executor(
        options.executor,
        workers=options.workers,
        address=options.ray_address,
        sandbox=str(options.solve.get("sandbox") or "docker"),
        shared=(out, options.mirrors.resolve(), *(p.resolve() for p in options.blob_sources)),
    )
    try:
        drive(executor, solve_task, tasks, workers=options.workers, may_start=budget.allows_start,
              on_start=recorder.start, on_done=recorder.done)  # fmt: skip
    finally:
        executor.close()
        keyed = write_keyed_preds(preds)
    left = sorted({i.instance_id for i in instances} - journal.finished())
    return {
        **recorder.counts,
        "skipped_finished": len(instances) - len(todo),
        "not_finished": left,
        "cost_usd": round(budget.spent_usd, 6),
        "preds": str(preds),
        "preds_json": str(keyed),
    }


def _task(inst: Instance, options: RunOptions, budget: _Budget, out: Path) -> RunTask:
    return RunTask(inst.model_dump(), options.model, budget.solve_settings(), out,
                   options.mirrors.resolve(), options.url_template,
                   tuple(p.resolve() for p in options.blob_sources))  # fmt: skip


def _pred(instance_id: str, model: str | tuple[str, ...] | None, patch: str) -> dict[str, Any]:
    return {"instance_id": instance_id, "model_name_or_path": model_name(model),
            "model_patch": patch}  # fmt: skip


def _journal_fields(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("status", "autosubmitted", "cost_usd", "elapsed_s", "run_dir")
    return {k: result[k] for k in keys if k in result}
