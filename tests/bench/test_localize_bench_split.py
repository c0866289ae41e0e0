"""The dev / held-out split of bench localize is fixed by the instance id alone."""

from __future__ import annotations

from collections import Counter

from swe_agent.bench.localize_bench import SPLITS, split_of
from swe_agent.choices import Half


def test_the_split_is_stable_and_roughly_even() -> None:
    ids = [f"owner__repo-{n}" for n in range(400)]
    first = [split_of(i) for i in ids]
    assert first == [split_of(i) for i in ids]
    counts = Counter(first)
    assert set(counts) == set(SPLITS)
    assert 150 < counts[Half.DEV] < 250


def test_known_ids_keep_their_side() -> None:
    # Pinned so that a change of the hash cannot move tuned-on instances into the held-out half.
    assert split_of("pydata__xarray-7229") == "dev"
    assert split_of("pydata__xarray-6721") == "dev"
