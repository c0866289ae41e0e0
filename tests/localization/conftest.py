"""A built code graph of the tiny `shop` fixture repository, shared by the ranking tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "localization" / "shop"


@pytest.fixture(scope="session")
def shop_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture (so the graph cache lands in a temp dir, not in the source tree)."""
    root = tmp_path_factory.mktemp("shop") / "shop"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture(scope="session")
def shop_localizer(shop_root: Path):
    """One GraphLocalizer over the shop graph, built with repo_graph's real builder."""
    from localization import GraphLocalizer
    from repo_graph import build_graph

    return GraphLocalizer(build_graph(shop_root, use_cache=False))


@pytest.fixture(scope="session")
def atlas(tmp_path_factory: pytest.TempPathFactory):
    """One GraphLocalizer over a copy of the `atlas` fixture (aliases, nested functions, docs)."""
    from localization import GraphLocalizer
    from repo_graph import build_graph

    root = tmp_path_factory.mktemp("atlas") / "atlas"
    shutil.copytree(FIXTURE.with_name("atlas"), root)
    return GraphLocalizer(build_graph(root, use_cache=False))
