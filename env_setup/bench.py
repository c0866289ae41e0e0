"""The environment benchmark: set up SWE-bench-style instances and check their tests collect."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from env_setup.errors import BadRepository, EnvSetupError
from env_setup.model import SetupOptions
from env_setup.pipeline import setup_environment
from env_setup.record import EnvRecord
from sandbox import SandboxError

Progress = Callable[[str], None]
_GIT_ID = ["-c", "user.name=swe-agent", "-c", "user.email=swe-agent@localhost"]


@dataclass(frozen=True)
class BenchRow:
    """One instance's outcome."""

    instance_id: str
    repo: str
    success: bool
    python: str | None
    cache_hit: bool
    seconds: float
    named_files: int
    collected: int
    error: str | None = None


def load_instances(path: Path, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Instances from a JSON-lines file (SWE-bench fields: repo, base_commit, test_patch...)."""
    if not path.is_file():
        raise BadRepository(f"{path} does not exist", hint="pass a JSON-lines dataset file")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def named_test_files(instance: dict[str, Any]) -> tuple[str, ...]:
    """The test files holding FAIL_TO_PASS and PASS_TO_PASS tests, in first-seen order."""
    names: list[str] = []
    for key in ("FAIL_TO_PASS", "PASS_TO_PASS"):
        value = instance.get(key) or "[]"
        for test in json.loads(value) if isinstance(value, str) else value:
            path = str(test).split("::", 1)[0]
            if path.endswith(".py") and path not in names:
                names.append(path)
    return tuple(names)


def checkout(instance: dict[str, Any], *, repos: Path, work: Path) -> Path:
    """A scratch clone at base_commit with test_patch applied and committed."""
    source = _find_repo(repos, str(instance["repo"]))
    target = work / str(instance["instance_id"])
    if not target.exists():
        _git(work, "clone", "-q", "--shared", "--no-checkout", str(source), str(target))
    _git(target, "checkout", "-q", "-f", str(instance["base_commit"]))
    _git(target, "clean", "-fdq", "-e", ".swe-agent")
    patch = instance.get("test_patch") or ""
    if patch:
        subprocess.run(["git", "-C", str(target), "apply", "-"], input=patch.encode(), check=True)
        _git(target, "add", "-A")  # the patch may only add new test files
        # Dated like the base commit: the Python choice and the date cutoff read HEAD's date.
        date = subprocess.run(
            ["git", "-C", str(target), "log", "-1", "--format=%cI"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(
            ["git", "-C", str(target), *_GIT_ID, "commit", "-qm", "test patch"],
            check=True,
            capture_output=True,
            env=env,
        )
    return target


def _find_repo(repos: Path, name: str) -> Path:
    owner_name = name.replace("/", "+")
    for candidate in (repos / owner_name / "repo", repos / owner_name, repos / name.split("/")[-1]):
        if (candidate / ".git").exists() or (candidate / "HEAD").is_file():
            return candidate
    raise BadRepository(f"no clone of {name} under {repos}", hint="fetch the repository first")


def _git(where: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(where), *args], check=True, capture_output=True)


def bench_instance(
    instance: dict[str, Any], *, repos: Path, work: Path, progress: Progress | None = None
) -> BenchRow:
    """Set up one instance and check that the tests it names are collected."""
    started = time.monotonic()
    files = named_test_files(instance)
    try:
        root = checkout(instance, repos=repos, work=work)
        record = setup_environment(root, SetupOptions(tests=files), progress=progress)
        collected = record.verify.collected if record.verify else 0
    except (EnvSetupError, SandboxError, subprocess.CalledProcessError) as exc:
        return _row(instance, files, started, error=f"{type(exc).__name__}: {exc}"[:500])
    failure = (
        None
        if record.success
        else (record.verify.output_tail[-500:] if record.verify else "failed")
    )
    return _row(instance, files, started, record=record, collected=collected, error=failure)


def _row(
    instance: dict[str, Any],
    files: tuple[str, ...],
    started: float,
    *,
    record: EnvRecord | None = None,
    collected: int = 0,
    error: str | None = None,
) -> BenchRow:
    return BenchRow(
        instance_id=str(instance["instance_id"]),
        repo=str(instance["repo"]),
        success=error is None and record is not None and record.success,
        python=record.python if record else None,
        cache_hit=bool(record and record.cache_hit),
        seconds=round(time.monotonic() - started, 1),
        named_files=len(files),
        collected=collected,
        error=error,
    )


def run_bench(
    dataset: Path,
    *,
    repos: Path,
    work: Path,
    limit: int | None = None,
    progress: Progress | None = None,
) -> Iterator[BenchRow]:
    """Bench every instance of the dataset in turn (rows come as they finish)."""
    work.mkdir(parents=True, exist_ok=True)
    for instance in load_instances(dataset, limit=limit):
        yield bench_instance(instance, repos=repos, work=work, progress=progress)


def summarize(rows: list[BenchRow]) -> dict[str, Any]:
    """Success rate, time per repository, and the time of cache hits."""
    built = [r.seconds for r in rows if not r.cache_hit]
    hits = [r.seconds for r in rows if r.cache_hit]
    return {
        "instances": len(rows),
        "success": sum(r.success for r in rows),
        "success_rate": round(sum(r.success for r in rows) / len(rows), 3) if rows else 0.0,
        "mean_build_s": round(sum(built) / len(built), 1) if built else None,
        "mean_cache_hit_s": round(sum(hits) / len(hits), 1) if hits else None,
    }
