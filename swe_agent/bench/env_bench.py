"""`bench env`: set each instance's repository up and check that the tests it names collect."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swe_agent.bench.datasets import Instance
from swe_agent.bench.errors import RepoNotAvailable
from swe_agent.bench.repos import DEFAULT_REPO_URL
from swe_agent.bench.workdirs import prepare_workdir

if TYPE_CHECKING:
    from env_setup import Tooling

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Sources:
    """Where the repositories come from: mirrors, a clone URL for the others, loose blobs."""

    mirrors: Path
    url_template: str | None = DEFAULT_REPO_URL  # None: never clone
    blob_sources: tuple[Path, ...] = ()  # folders, wheels or sdists with blobs mirrors lack


@dataclass(frozen=True)
class EnvRow:
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

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def named_test_files(instance: Instance | dict[str, Any]) -> tuple[str, ...]:
    """The test files holding FAIL_TO_PASS and PASS_TO_PASS tests, in first-seen order.

    When no named test carries its file (sympy's bare names, django's labels, an instance
    `bench make` has not tested yet), the Python test files the test patch touches.
    """
    from common import is_test_path
    from swe_agent.bench.history import file_diffs

    data = instance.model_dump() if isinstance(instance, Instance) else instance
    names: list[str] = []
    for key in ("FAIL_TO_PASS", "PASS_TO_PASS"):
        value = data.get(key) or "[]"
        for test in json.loads(value) if isinstance(value, str) else value:
            path = str(test).split("::", 1)[0]
            if path.endswith(".py") and path not in names:
                names.append(path)
    if not names:
        patched = [path for path, _ in file_diffs(str(data.get("test_patch") or ""))]
        names = [p for p in patched if p.endswith(".py") and is_test_path(p)]
    return tuple(names)


def bench_instance(
    instance: Instance,
    *,
    sources: Sources,
    work: Path,
    progress: Progress | None = None,
    tooling: Tooling | None = None,
) -> EnvRow:
    """Set one instance up at base_commit + test_patch and check its named tests collect."""
    from env_setup import EnvSetupError, SetupOptions, setup_environment
    from sandbox import SandboxError

    started = time.monotonic()
    files = named_test_files(instance)
    try:
        workdir = prepare_workdir(
            repo=instance.repo,
            commit=instance.base_commit,
            test_patch=instance.test_patch,
            mirrors=sources.mirrors,
            dest=work / instance.instance_id,
            url_template=sources.url_template,
            blob_sources=sources.blob_sources,
        )
        options = SetupOptions(
            commit=workdir.with_tests,
            tests=files,
            repo=instance.repo,
            version=instance.version or None,  # the dataset's own version wins over a reading
            tooling=tooling,
        )
        record = setup_environment(workdir.root, options, progress=progress)
    except (EnvSetupError, SandboxError, RepoNotAvailable) as exc:
        return _row(instance, files, started, error=f"{type(exc).__name__}: {exc}"[:500])
    verify = record.verify
    failure = None if record.success else (verify.output_tail[-500:] if verify else "failed")
    return EnvRow(
        instance_id=instance.instance_id,
        repo=instance.repo,
        success=record.success,
        python=record.python,
        cache_hit=record.cache_hit,
        seconds=round(time.monotonic() - started, 1),
        named_files=len(files),
        collected=verify.collected if verify else 0,
        error=failure,
    )


def _row(instance: Instance, files: tuple[str, ...], started: float, *, error: str) -> EnvRow:
    seconds = round(time.monotonic() - started, 1)
    return EnvRow(
        instance.instance_id, instance.repo, False, None, False, seconds, len(files), 0, error
    )


def run_env_bench(
    instances: Iterable[Instance],
    *,
    sources: Sources,
    work: Path,
    progress: Progress | None = None,
    tooling: Tooling | None = None,
) -> Iterator[EnvRow]:
    """Bench every instance in turn (rows come as they finish)."""
    work.mkdir(parents=True, exist_ok=True)
    for instance in instances:
        yield bench_instance(
            instance, sources=sources, work=work, progress=progress, tooling=tooling
        )


def summarize(rows: list[EnvRow]) -> dict[str, Any]:
    """Success rate, time per repository, and the time of cache hits."""
    # Rows that never reached a build (no mirror, a patch that does not apply) have no Python.
    built = [r.seconds for r in rows if not r.cache_hit and r.python is not None]
    hits = [r.seconds for r in rows if r.cache_hit]
    return {
        "instances": len(rows),
        "success": sum(r.success for r in rows),
        "success_rate": round(sum(r.success for r in rows) / len(rows), 3) if rows else 0.0,
        "mean_build_s": round(sum(built) / len(built), 1) if built else None,
        "mean_cache_hit_s": round(sum(hits) / len(hits), 1) if hits else None,
        "max_cache_hit_s": max(hits) if hits else None,
        "per_repo": _per_repo(rows),
    }


def _per_repo(rows: list[EnvRow]) -> dict[str, dict[str, Any]]:
    """Instances, successes, cache hits and mean seconds of each repository."""
    out: dict[str, dict[str, Any]] = {}
    for repo in dict.fromkeys(r.repo for r in rows):
        mine = [r for r in rows if r.repo == repo]
        out[repo] = {
            "instances": len(mine),
            "success": sum(r.success for r in mine),
            "cache_hits": sum(r.cache_hit for r in mine),
            "mean_s": round(sum(r.seconds for r in mine) / len(mine), 1),
        }
    return out
