"""Named tests skipped for want of a module pass once env_setup installed it (real Docker, pip)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench_world import FILES, GOLD, instance, make_world, pred, write_preds

from env_setup import record_from_json
from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate

pytestmark = [pytest.mark.docker, pytest.mark.slow]
ID = "octo__tinycalc-1"
# pvlib's way: a skipif mark, seen only when the test runs (bench eval repairs it) ...
SKIPIF = (
    "import pytest\n\ntry:\n    import toolz\nexcept ImportError:\n    toolz = None\n\n"
    'requires_toolz = pytest.mark.skipif(toolz is None, reason="requires toolz")\n\n\n'
    "@requires_toolz\ndef test_first():\n    assert toolz.first([3, 1]) == 3\n"
)
# ... and importorskip at module level, seen at collection (env_setup's verification repairs it)
IMPORTORSKIP = (
    'import pytest\n\nsix = pytest.importorskip("six")\n\n\n'
    "def test_string_types():\n    assert str in six.string_types\n"
)
# A module no index has: its install fails, the instance is graded, the failure is a note.
GONE = (
    "import pytest\n\n\n"
    '@pytest.mark.skipif(True, reason="requires swe_agent_absent_zq")\n'
    "def test_gone():\n    pass\n"
)
NAMED = ("tests/test_toolz.py::test_first", "tests/test_six.py::test_string_types")


@pytest.fixture()
def world_files(tmp_path: Path) -> Iterator[dict[str, str]]:
    """tinycalc with both skipping tests, named apart: a fresh image, removed afterwards."""
    import docker

    name = f"tinycalc{uuid.uuid4().hex[:8]}"
    pyproject = FILES["pyproject.toml"].replace('name = "tinycalc"', f'name = "{name}"')
    yield {
        "pyproject.toml": pyproject,
        "tests/test_toolz.py": SKIPIF,
        "tests/test_six.py": IMPORTORSKIP,
        "tests/test_gone.py": GONE,
    }
    client = docker.from_env()
    for path in (tmp_path / "cache" / "env-records").glob("*.json"):
        image = json.loads(path.read_text()).get("image")
        if image:
            client.images.remove(image, force=True)
    client.close()


def test_skipped_named_tests_get_their_modules_and_the_record_replays_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world_files: dict[str, str]
) -> None:
    monkeypatch.setenv("SWE_AGENT_CACHE", str(tmp_path / "cache"))  # the workers inherit it
    world = make_world(tmp_path / "w", (ID,), files=world_files, pass_to_pass=NAMED)
    preds = write_preds(tmp_path / "preds.jsonl", [pred(ID, GOLD)])
    options = EvalOptions(out=tmp_path / "gold", mirrors=world.mirrors, workers=1)
    summary = evaluate(load_instances(world.dataset), str(preds), options)
    row = json.loads((tmp_path / "gold" / ID / "eval.json").read_text())
    assert summary["resolved"] == [ID], row
    assert "installed toolz for `toolz`" in _notes(row)
    assert "named tests were skipped for want of toolz: run again" in _notes(row)
    record = json.loads(next((tmp_path / "cache" / "env-records").glob("*.json")).read_text())
    installs = [c["command"] for c in record["commands"] if c["ok"] and c["kind"] == "repair"]
    assert [c.rsplit(" ", 1)[-1] for c in installs] == ["six", "toolz"]
    assert record_from_json(record).replay_commands[-2:] == installs  # a rebuild replays them

    # The image holds both now: a second batch runs the tests once, with nothing to install.
    options = EvalOptions(out=tmp_path / "again", mirrors=world.mirrors, workers=1)
    again = evaluate(load_instances(world.dataset), str(preds), options)
    row = json.loads((tmp_path / "again" / ID / "eval.json").read_text())
    assert again["resolved"] == [ID] and _notes(row) == [], row

    # A module that cannot be installed: graded as skipped (failed), noted, never retried.
    gone = instance(
        "octo__tinycalc-2", world.base, PASS_TO_PASS='["tests/test_gone.py::test_gone"]'
    )
    (tmp_path / "gone.jsonl").write_text(json.dumps(gone) + "\n")
    preds = write_preds(tmp_path / "gone-preds.jsonl", [pred("octo__tinycalc-2", GOLD)])
    options = EvalOptions(out=tmp_path / "gone", mirrors=world.mirrors, workers=1)
    failed = evaluate(load_instances(tmp_path / "gone.jsonl"), str(preds), options)
    row = json.loads((tmp_path / "gone" / "octo__tinycalc-2" / "eval.json").read_text())
    assert failed["unresolved"] == ["octo__tinycalc-2"] and failed["errors"] == [], row
    assert _notes(row)[0].startswith("could not install `swe_agent_absent_zq`"), row
    record = json.loads(next((tmp_path / "cache" / "env-records").glob("*.json")).read_text())
    tries = [c for c in record["commands"] if c["command"].endswith(" swe-agent-absent-zq")]
    assert tries and not any(c["ok"] for c in tries)  # logged, and never replayed
    options = EvalOptions(out=tmp_path / "gone-again", mirrors=world.mirrors, workers=1)
    evaluate(load_instances(tmp_path / "gone.jsonl"), str(preds), options)
    row = json.loads((tmp_path / "gone-again" / "octo__tinycalc-2" / "eval.json").read_text())
    assert _notes(row) == ["`swe_agent_absent_zq`: its install was tried before; not again"]


def _notes(row: dict) -> list[str]:
    """A row's notes but the re-install's (skipped on a host whose sandbox root is read-only)."""
    return [n for n in row["notes"] if not n.startswith("the project was not installed again")]
