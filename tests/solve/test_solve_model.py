"""Opt-in: the embedded model solves the bundled example (what `make demo` shows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve

SEEDS = (0, 1)


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timeout(1500)
@pytest.mark.usefixtures("embedded_model")
def test_embedded_model_solves_the_example(calc_repo: Path, issue_text: str) -> None:
    """Runs under ``-m model`` or with SWE_AGENT_MODEL_TESTS=1 (CI sets it; ~2 min on 2 cores)."""
    options = SolveOptions(
        repo=calc_repo,
        issue=issue_text,
        sandbox="local",
        setup_env=False,
        iterations=30,
        wall_time_s=420,
    )
    # A seed gives the same replies on every run (the prompts hold no temporary paths or
    # durations), but another CPU may round differently: a second seed is the fallback.
    searches = []
    for seed in SEEDS:
        report = solve(options, model=get_model(None, seed=seed))
        searches.append(report.search)
        if report.status == "resolved":
            break
    assert report.status == "resolved", searches
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
