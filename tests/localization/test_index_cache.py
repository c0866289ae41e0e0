"""The lexical index is stored next to the graph cache and reused for the same tree."""

from __future__ import annotations

import shutil
from pathlib import Path

from localization import GraphLocalizer
from localization.lexical import INDEX_VERSION, index_globals
from repo_graph import build_graph
from repo_graph.cache import cache_dir_for

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "localization" / "shop"


def test_the_index_is_reused_for_the_same_tree_and_rebuilt_after_an_edit(
    tmp_path: Path,
) -> None:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURE, root)
    first = GraphLocalizer(build_graph(root))
    stored = list(cache_dir_for(root.resolve()).glob("artifact-lexical-*"))
    assert len(stored) == 1 and not (root / ".swe-agent").exists()
    loaded = build_graph(root).load_artifact("lexical", allowed=index_globals())
    assert loaded[0] == INDEX_VERSION  # every class the index holds is admitted
    second = GraphLocalizer(build_graph(root))
    assert second.index.files == first.index.files
    issue = "`Cart.subtotal` ignores quantities of zero"
    assert second.localize(issue).to_dict() == first.localize(issue).to_dict()
    cart = root / "shop" / "cart.py"
    cart.write_text(cart.read_text() + "\n\ndef gift_card_balance(card):\n    return card\n")
    third = GraphLocalizer(build_graph(root))
    assert any(n.name == "gift_card_balance" for n in third.index.entities)
    assert len(list(cache_dir_for(root.resolve()).glob("artifact-lexical-*"))) == 1
