"""`swe-agent bench make`: a SWE-bench-style dataset from a repository's history.

Layout of the output folder::

    OUT/dataset.jsonl        the instances (what `bench run` and `bench eval` read)
    OUT/rejected.jsonl       every commit looked at and left out, with the reason
    OUT/journal.jsonl        started / finished / failed per candidate (the last event wins)
    OUT/<instance_id>/       before.txt and after.txt (the test logs), verdict.json
    OUT/repos/, OUT/locks/   work folders sharing the mirror's objects; environment locks

Resume is exact, as in `bench run`: a candidate with a verdict is not tested again; one whose
run failed (environment, timeout, a worker that died) is. dataset.jsonl is rewritten from the
verdicts at the end of every run, oldest instance first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swe_agent.bench.executors import drive, make_executor
from swe_agent.bench.history import Mined, mine
from swe_agent.bench.journal import Event, Journal, rewrite_lines
from swe_agent.bench.make_instances import IssueBook, instance_of, with_setup_commits
from swe_agent.bench.make_source import source_repository
from swe_agent.bench.make_validate import MakeTask, validate_task
from swe_agent.bench.repos import DEFAULT_REPO_URL
from swe_agent.choices import ExecutorKind
from swe_agent.errors import BadInput

OnEvent = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class MakeOptions:
    """What to mine, where results go, and how the tests run."""

    out: Path
    mirrors: Path
    commits: tuple[str, ...] = ()  # ranges A..B or single commits (with from_prs: one range)
    from_prs: bool = False  # merged pull requests instead of every commit
    name: str | None = None  # OWNER/NAME of a local repository
    issues: Path | None = None  # issue texts by number or commit
    limit: int | None = None  # the newest N candidates only
    run_tests: bool = True  # False: candidates with empty FAIL_TO_PASS, no Docker
    workers: int = 1
    executor: ExecutorKind = ExecutorKind.LOCAL
    ray_address: str | None = None
    timeout_s: float = 1800.0
    url_template: str | None = DEFAULT_REPO_URL
    blob_sources: tuple[Path, ...] = ()
    network: bool = False  # the tests may reach the network (where the host has one)


def _mined(git_dir: Path, options: MakeOptions) -> tuple[list[Mined], list[Mined]]:
    """(candidates, commits left out); with a limit, the newest candidates are kept."""
    if options.from_prs and len(options.commits) > 1:
        raise BadInput("--from-prs takes at most one --commits range (the pull requests' line)")
    found = mine(git_dir, commits=options.commits, prs=options.from_prs, newest=options.limit,
                 from_prs=options.commits[0] if options.commits else None)  # fmt: skip
    return [m for m in found if m.change is not None], [m for m in found if m.change is None]


def make_dataset(
    source: str, options: MakeOptions, *, on_event: OnEvent | None = None
) -> dict[str, Any]:
    """Mine, test and write the dataset; a summary of what was kept and why the rest was not."""
    say = on_event or (lambda _kind, _data: None)
    repo, git_dir = source_repository(source, mirrors=options.mirrors, name=options.name,
                                      url_template=options.url_template)  # fmt: skip
    if not options.commits and not options.from_prs:
        raise BadInput("say which history to read", hint="pass --commits A..B or --from-prs")
    candidates, skipped = _mined(git_dir, options)
    issues = IssueBook.load(options.issues)
    rows = _unique([instance_of(m.change, repo=repo, git_dir=git_dir, issues=issues)
                    for m in candidates if m.change is not None])  # fmt: skip
    out = options.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    say("plan", {"repo": repo, "candidates": len(rows), "skipped": len(skipped)})
    verdicts = _verdicts(rows, options, out, say) if options.run_tests else {}
    return _write(repo, rows, skipped, verdicts, options, out)


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with distinct instance ids (two commits that name one pull request keep both)."""
    seen: set[str] = set()
    for row in rows:
        if row["instance_id"] in seen:
            row["instance_id"] = f"{row['instance_id']}-{row['fix_commit'][:7]}"
        seen.add(row["instance_id"])
    return rows


def _verdicts(
    rows: list[dict[str, Any]], options: MakeOptions, out: Path, say: OnEvent
) -> dict[str, dict[str, Any]]:
    """Each candidate's verdict: earlier ones reused, the others run (in parallel)."""
    journal = Journal(out / "journal.jsonl")
    wanted = {row["instance_id"] for row in rows}
    verdicts = {i: r for i, r in _earlier(journal, out).items() if i in wanted}
    todo = [_task(row, options, out) for row in rows if row["instance_id"] not in verdicts]
    say("todo", {"done": len(rows) - len(todo), "total": len(rows)})

    def start(task: MakeTask) -> None:
        journal.record(task.instance["instance_id"], Event.STARTED)

    def done(task: MakeTask, result: dict[str, Any] | BaseException) -> None:
        instance_id = task.instance["instance_id"]
        if isinstance(result, BaseException):
            error = f"worker failed: {type(result).__name__}: {result}"[:2000]
            result = {"instance_id": instance_id, "kept": False, "error": error}
        if result.get("error"):
            journal.record(instance_id, Event.FAILED, error=result["error"])
        else:
            journal.record(instance_id, Event.FINISHED, kept=bool(result.get("kept")))
        verdicts[instance_id] = result
        say("verdict", result)

    if todo:
        executor = make_executor(options.executor, workers=options.workers,
                                 address=options.ray_address)  # fmt: skip
        try:
            drive(executor, validate_task, todo, workers=options.workers, on_start=start,
                  on_done=done)  # fmt: skip
        finally:
            executor.close()
    return verdicts


def _earlier(journal: Journal, out: Path) -> dict[str, dict[str, Any]]:
    """The verdicts of candidates finished in an earlier run (failed ones run again)."""
    found = {}
    for instance_id in journal.finished():
        try:
            found[instance_id] = json.loads((out / instance_id / "verdict.json").read_text())
        except (OSError, json.JSONDecodeError):
            continue  # its folder is gone: test it again
    return found


def _task(row: dict[str, Any], options: MakeOptions, out: Path) -> MakeTask:
    instance_id = row["instance_id"]
    return MakeTask(instance=row, mirrors=options.mirrors.resolve(), out_dir=out / instance_id,
                    work_dir=out / "repos" / instance_id, lock_dir=out / "locks",
                    timeout_s=options.timeout_s, url_template=options.url_template,
                    blob_sources=tuple(p.resolve() for p in options.blob_sources),
                    network=options.network)  # fmt: skip


def _write(
    repo: str,
    rows: list[dict[str, Any]],
    skipped: list[Mined],
    verdicts: dict[str, dict[str, Any]],
    options: MakeOptions,
    out: Path,
) -> dict[str, Any]:
    """dataset.jsonl and rejected.jsonl; the summary."""
    kept, rejected, failed = [], [], []
    for row in rows:
        verdict = verdicts.get(row["instance_id"])
        if not options.run_tests:
            kept.append(row)
        elif verdict is None or verdict.get("error"):
            failed.append({"instance_id": row["instance_id"],
                           "error": (verdict or {}).get("error", "not run")})  # fmt: skip
        elif verdict.get("kept"):
            kept.append(verdict["instance"])
        else:
            rejected.append({"instance_id": row["instance_id"], "commit": row["fix_commit"],
                             "reason": verdict.get("reason", "")})  # fmt: skip
    left_out = [{"commit": m.commit, "reason": m.reason} for m in skipped]
    kept = with_setup_commits(sorted(kept, key=lambda r: (r["created_at"], r["instance_id"])))
    rewrite_lines(out / "dataset.jsonl", kept)
    rewrite_lines(out / "rejected.jsonl", left_out + rejected)
    return {
        "repo": repo,
        "dataset": str(out / "dataset.jsonl"),
        "commits_examined": len(rows) + len(skipped),
        "candidates": len(rows),
        "kept": [r["instance_id"] for r in kept],
        "rejected": rejected,
        "failed": failed,
        "tests_run": options.run_tests,
        "not_candidates": _reasons(skipped),
    }


def _reasons(skipped: list[Mined]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for mined in skipped:
        counts[mined.reason] = counts.get(mined.reason, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
