"""benchmarks/select_ranking.py: the variants of a fit, and a pick that never sees the held fold."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from localization import RankWeights
from localization.features import Feature

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def select() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import select_ranking

        yield select_ranking
    finally:
        sys.path.remove(str(BENCHMARKS))


START = RankWeights(entity={Feature.TEXT: 1.0}, graph={"invokes": 0.4}, file={Feature.PATH: 1.0})
FITTED = RankWeights(entity={Feature.TEXT: 3.0}, graph={"invokes": 0.0}, file={Feature.PATH: 2.0})


def test_variants_put_levels_back_or_shrink_toward_the_start(select: ModuleType) -> None:
    found = select.variants(FITTED, START)
    first, *_, last = found
    assert found[first].to_dict() == START.to_dict()  # every level put back: the start
    assert found[last] is FITTED
    both = found["put back entity+file"]
    assert both.entity == START.entity and both.file == START.file and both.graph == FITTED.graph
    half = found["shrunk 0.5"]
    assert half.entity[Feature.TEXT] == 2.0 and half.graph["invokes"] == pytest.approx(0.2)


def _hits(file5: bool, fn10: bool) -> dict[str, bool | None]:
    return {"file Acc@1": False, "file Acc@5": file5, "function Acc@10": fn10}


def test_the_pick_is_the_most_hits_and_ties_go_to_the_nearest_the_start(
    select: ModuleType,
) -> None:
    scored = {
        "near": {"a": _hits(True, False), "b": _hits(False, False)},
        "far": {"a": _hits(False, True), "b": _hits(False, False)},
        "best": {"a": _hits(True, True), "b": _hits(False, False)},
    }
    assert select.pick(scored, ["a", "b"]) == "best"
    del scored["best"]
    assert select.pick(scored, ["a", "b"]) == "near"


def test_each_outer_fold_is_scored_with_the_variant_its_inner_folds_picked(
    select: ModuleType,
) -> None:
    folds = [["a"], ["b"], ["c"]]
    good, bad = _hits(True, True), _hits(False, False)

    def scored(n: int, *, held: bool) -> dict[str, dict[str, dict[str, bool | None]]]:
        """Fold n's hits: "held" does best where it is held out, "inner" elsewhere."""
        (instance,) = folds[n]
        return {
            "held": {instance: good if held else bad},
            "inner": {instance: bad if held else good},
        }

    done: dict[tuple[int, ...], dict[str, Any]] = {
        (a, b): {"scored": {a: scored(a, held=False), b: scored(b, held=False)}}
        for a, b in ((0, 1), (0, 2), (1, 2))
    }
    done |= {(n,): {"scored": {n: scored(n, held=True)}} for n in range(3)}
    result = select.nested(done, folds)
    assert result["picks"] == {0: "inner", 1: "inner", 2: "inner"}
    assert result["picked"] == {"a": bad, "b": bad, "c": bad}  # not what did best held out
    assert result["outer"]["held"] == {"a": good, "b": good, "c": good}


def _records(select: ModuleType, sizes: dict[str, int]) -> list[Any]:
    """Instances of each repository (no feature table: folds read only the repository)."""
    return [
        select.Record(f"{repo}-{n}", repo, "set", None, {})
        for repo, size in sizes.items()
        for n in range(size)
    ]


def test_repositories_of_an_earlier_run_keep_their_folds_and_new_ones_fill_the_smallest(
    select: ModuleType,
) -> None:
    folds_by_repository = select.folds_by_repository
    old = _records(select, {"a/one": 4, "b/two": 3, "c/three": 2, "d/four": 1})
    before = folds_by_repository(old, 3, 0)
    fixed = {r.repo: n for n, fold in enumerate(before) for r in fold}
    grown = old + _records(select, {"e/five": 5, "a/one-more": 1})
    after = folds_by_repository(grown, 3, 0, fixed=fixed)
    assert all({r.repo for r in after[n]} >= {r.repo for r in before[n]} for n in range(3))
    sizes = [len(fold) for fold in before]
    assert any(r.repo == "e/five" for r in after[sizes.index(min(sizes))])  # the smallest
    assert sum(map(len, after)) == len(grown)
    assert folds_by_repository(old, 3, 0, fixed={}) == before  # none fixed: as before


def test_folds_are_made_from_the_instance_lists_whole_repositories_at_a_time(
    select: ModuleType, tmp_path: Path
) -> None:
    import fit_ranking

    mirrors = tmp_path / "mirrors"
    for repo in ("a/one", "b/two", "c/three"):
        (mirrors / repo.replace("/", "+")).mkdir(parents=True)
    data = tmp_path / "dev.jsonl"
    sizes = {"a/one": 3, "b/two": 2, "c/three": 2, "d/unfetched": 4}
    rows = [
        {"instance_id": f"{repo}-{n}", "repo": repo, "base_commit": "0" * 40}
        | {"problem_statement": "x", "patch": ""}
        for repo, size in sizes.items()
        for n in range(size)
    ]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "folds.json"
    fit_ranking.main(
        ["folds", str(data), "--repos", str(mirrors), "--folds", "2", "--out", str(out)]
    )
    folds = json.loads(out.read_text())["folds"]
    assert sorted(i for fold in folds for i in fold) == sorted(
        r["instance_id"] for r in rows if r["repo"] != "d/unfetched"
    )
    repos = [{i.rpartition("-")[0] for i in fold} for fold in folds]
    assert not repos[0] & repos[1]  # no repository in two folds
    fit_ranking.main(
        ["folds", str(data), "--repos", str(mirrors), "--folds", "2", "--out", str(out)]
    )
    assert json.loads(out.read_text())["folds"] == folds  # the seed fixes them
