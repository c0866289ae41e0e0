"""Benchmark harness shared by ``bench localize``, ``bench run``, ``bench eval``, ``bench env``.

Public surface::

    instances = load_instances(path, instances=[...], pattern="requests", limit=10)  # or .parquet
    git_dir = ensure_mirror(DIR, "psf/requests")  # DIR/psf+requests/repo, else cloned once
    checkout = materialize(repo, commit, mirrors=DIR, cache_dir=default_cache_dir())
    report = run_localize_bench(instances, mirrors=DIR, cache_dir=...)
"""

from swe_agent.bench.datasets import Instance, load_instances
from swe_agent.bench.errors import RepoNotAvailable
from swe_agent.bench.localize_bench import BenchReport, InstanceRow, run_localize_bench
from swe_agent.bench.repos import (
    DEFAULT_REPO_URL,
    Checkout,
    default_cache_dir,
    ensure_mirror,
    find_mirror,
    materialize,
)

__all__ = [
    "DEFAULT_REPO_URL",
    "BenchReport",
    "Checkout",
    "Instance",
    "InstanceRow",
    "RepoNotAvailable",
    "default_cache_dir",
    "ensure_mirror",
    "find_mirror",
    "load_instances",
    "materialize",
    "run_localize_bench",
]
