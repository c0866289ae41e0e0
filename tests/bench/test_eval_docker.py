"""`bench eval` end to end through env_setup and the real Docker sandbox, locally and on Ray."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import FUZZY, GOLD, NOT_APPLYING, World, make_world, pred, write_preds
from typer.testing import CliRunner

from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate
from swe_agent.choices import ExecutorKind

pytestmark = pytest.mark.docker
IDS = ("octo__tinycalc-1", "octo__tinycalc-2", "octo__tinycalc-3-hang", "octo__tinycalc-4")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, docker_image: str) -> World:
    """The tinycalc world; its environment image is built by the first evaluation (cached)."""
    return make_world(tmp_path_factory.mktemp("bench"), IDS)


def _report(out: Path, instance_id: str) -> dict[str, object]:
    return json.loads((out / instance_id / "report.json").read_text())[instance_id]  # type: ignore[no-any-return]


def test_gold_resolves_a_bad_patch_does_not_and_a_hang_times_out(
    world: World, tmp_path: Path
) -> None:
    preds = write_preds(
        tmp_path / "preds.jsonl",
        [
            pred(IDS[0], GOLD),
            "this line is not JSON",
            pred(IDS[1], NOT_APPLYING),
            pred(IDS[2], GOLD),
            pred(IDS[3], FUZZY),
        ],
    )
    out = tmp_path / "eval"
    options = EvalOptions(out=out, mirrors=world.mirrors, workers=2, timeout_s=20)
    summary = evaluate(load_instances(world.dataset), str(preds), options)
    assert summary["total"] == 4
    assert summary["resolved"] == [IDS[0], IDS[3]]
    assert summary["prediction_errors"][0]["line"] == 2
    gold = _report(out, IDS[0])
    assert gold["resolved"] and gold["patch_successfully_applied"]
    assert gold["tests_status"]["FAIL_TO_PASS"] == {  # type: ignore[index]
        "success": ["tests/test_stats.py::test_median_even"],
        "failure": [],
    }
    bad = _report(out, IDS[1])
    assert not bad["patch_successfully_applied"] and not bad["resolved"]
    assert "did not apply" in str(bad["error"])
    hang = _report(out, IDS[2])
    assert hang["timed_out"] and not hang["resolved"]
    assert hang["tests_status"]["FAIL_TO_PASS"]["failure"] == ["tests/test_hang.py::test_hang"]  # type: ignore[index]
    assert set(summary["errors"]) == {IDS[1], IDS[2]} and summary["timed_out"] == [IDS[2]]
    assert summary["error_kinds"] == {"patch": [IDS[1]], "timeout": [IDS[2]]}
    assert (out / IDS[0] / "test_output.txt").read_text().count("PASSED") == 3
    rows = [json.loads((out / i / "eval.json").read_text()) for i in IDS]
    # One repository and version: env_setup is asked once, the other instances share its image.
    assert sorted(r["env_shared"] for r in rows) == [False, True, True, True]
    assert len({r["image"] for r in rows}) == 1
    fuzzy = _report(out, IDS[3])  # git apply refused it; GNU patch --fuzz (on the host) did not
    assert fuzzy["resolved"] and str(fuzzy["apply_command"]).startswith("patch --batch")
    # A second run reuses every finished evaluation of the same patch.
    again = evaluate(load_instances(world.dataset), str(preds), options)
    assert again["resolved"] == [IDS[0], IDS[3]]
    assert again["reused"] == 2  # the two that erred (no apply, timeout) ran again


def test_the_environment_record_is_kept_for_later_batches(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))  # the workers inherit it
    instances = load_instances(world.dataset, instances=IDS[:1])
    summary = evaluate(instances, "gold", EvalOptions(out=tmp_path / "eval", mirrors=world.mirrors))
    assert summary["resolved"] == list(IDS[:1])
    # The environment's record is kept for later batches (no container to read it again).
    kept = list((tmp_path / "cache" / "env-records").glob("octo+tinycalc@0.1@*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["success"]


@pytest.mark.full
def test_two_instances_through_a_local_ray_cluster(world: World, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    instances = load_instances(world.dataset, instances=IDS[:2])
    options = EvalOptions(
        out=tmp_path / "eval", mirrors=world.mirrors, workers=2, executor=ExecutorKind.RAY
    )
    summary = evaluate(instances, "gold", options)
    assert summary["resolved"] == list(IDS[:2]) and summary["executor"] == "ray"


def test_eval_command_prints_the_summary_as_json(world: World, tmp_path: Path) -> None:
    import typer

    from swe_agent.cli.bench_batch import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)
    app.command("other")(lambda: None)  # two commands keep "eval" as a subcommand
    preds = write_preds(tmp_path / "p.jsonl", [pred(IDS[0], GOLD), '{"instance_id": 3}'])
    args = ["eval", str(world.dataset), "-p", str(preds), "--out", str(tmp_path / "e"),
            "--repos", str(world.mirrors), "--json", "--keep-images", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["total"] == 1 and summary["resolved"] == [IDS[0]]
    assert summary["unresolved"] == [] and summary["errors"] == []
    assert summary["seconds"] > 0 and summary["prediction_errors"][0]["line"] == 2
    import docker

    client = docker.from_env()
    tag = "swe-agent/instance:octo__tinycalc-1"
    assert client.images.get(tag)  # --keep-images 1 keeps the evaluated container
    client.images.remove(tag)


def test_pruning_keeps_the_newest_instance_images_and_every_environment_image(
    docker_image: str,
) -> None:
    import docker

    from swe_agent.bench.images import INSTANCE_REPOSITORY, prune_instance_images

    client = docker.from_env()
    container = client.containers.create(docker_image, command=["true"])
    try:
        for name in ("prune-old", "prune-new"):
            container.commit(repository=INSTANCE_REPOSITORY, tag=name, changes=[f"LABEL n={name}"])
    finally:
        container.remove(force=True)
    removed = prune_instance_images(keep=1)
    assert f"{INSTANCE_REPOSITORY}:prune-old" in removed
    assert f"{INSTANCE_REPOSITORY}:prune-new" not in removed
    removed = prune_instance_images(budget_bytes=0)  # over any budget: every instance image goes
    assert f"{INSTANCE_REPOSITORY}:prune-new" in removed
    assert not [tag for tag in removed if not tag.startswith(INSTANCE_REPOSITORY + ":")]
