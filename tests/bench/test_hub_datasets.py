"""Datasets by Hugging Face name, through the real ``datasets`` library and a hub on loopback.

The library reads ``HF_ENDPOINT`` when it is imported, so each case runs the CLI in its own
process; the hub is ``hub_server`` (stopped: the network is gone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hub_server import serve_dataset

from swe_agent.bench.hub import looks_like_name

NAME = "octo/SWE-tiny"


def _row(number: int) -> dict[str, str]:
    return {
        "instance_id": f"octo__tiny-{number}",
        "repo": "octo/tiny",
        "base_commit": "0" * 40,
        "problem_statement": f"issue {number}",
        "patch": "",
        "FAIL_TO_PASS": '["tests/test_a.py::test_a"]',
        "PASS_TO_PASS": "[]",
        "created_at": "2024-01-02T03:04:05Z",
    }


@pytest.fixture()
def hub_repo(tmp_path: Path) -> Path:
    """A dataset repository with a test and a dev split, as parquet files (as on the hub)."""
    data = tmp_path / "hub" / "data"
    data.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([_row(1), _row(2)]), data / "test-00000-of-00001.parquet")
    pq.write_table(pa.Table.from_pylist([_row(3)]), data / "dev-00000-of-00001.parquet")
    return data.parent


def _cli(tmp_path: Path, endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "SWE_AGENT_"))}
    env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT=endpoint,
               SWE_AGENT_CACHE=str(tmp_path / "cache"))  # fmt: skip
    (tmp_path / "mirrors").mkdir(exist_ok=True)
    mirrors = str(tmp_path / "mirrors")
    command = [sys.executable, "-m", "swe_agent", "bench", "localize", *args,
               "--repos", mirrors, "--repo-url-template", "", "--json"]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=240)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    return " ".join(done.stderr.split())  # the terminal's line breaks are not the message's


def _ids(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 0, done.stderr
    return [row["instance_id"] for row in json.loads(done.stdout)["rows"]]


def test_a_name_downloads_a_split_once_then_reads_it_offline(
    tmp_path: Path, hub_repo: Path
) -> None:
    with serve_dataset(hub_repo, NAME) as endpoint:
        assert _ids(_cli(tmp_path, endpoint, NAME, "--split", "dev")) == ["octo__tiny-3"]
        assert _ids(_cli(tmp_path, endpoint, NAME)) == ["octo__tiny-1", "octo__tiny-2"]
    offline = _cli(tmp_path, endpoint, NAME, "--split", "dev")
    assert _ids(offline) == ["octo__tiny-3"]
    assert "no network" in _said(offline)


def test_no_network_and_no_cache_is_bad_input_that_says_so(tmp_path: Path) -> None:
    with serve_dataset(tmp_path, NAME) as endpoint:
        pass  # stopped: nothing answers there any more
    done = _cli(tmp_path, endpoint, "princeton-nlp/SWE-bench_Lite", "--split", "test")
    assert done.returncode == 2
    assert "No network" in _said(done) and "not in the cache" in _said(done)
    assert "does not exist" not in _said(done) and "Traceback" not in done.stderr


def test_an_unknown_name_or_split_is_bad_input(tmp_path: Path, hub_repo: Path) -> None:
    with serve_dataset(hub_repo, NAME) as endpoint:
        unknown = _cli(tmp_path, endpoint, "octo/none")
        split = _cli(tmp_path, endpoint, NAME, "--split", "train")
    assert unknown.returncode == 2 and "has no dataset octo/none" in _said(unknown)
    assert split.returncode == 2 and "no split 'train'" in _said(split)
    assert "--split test" in _said(split)  # the splits it has


def test_without_the_extra_the_error_names_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['datasets'] = None; sys.argv[0] = 'swe-agent';"
        "from swe_agent.cli import main; main()"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, "bench", "env", NAME, "--repos", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "swe-agent[datasets]" in _said(done)


def test_a_saved_dataset_folder_is_read_by_split(tmp_path: Path) -> None:
    import datasets

    from swe_agent.bench import load_instances

    folder = tmp_path / "saved"
    splits = {"test": [_row(1), _row(2)], "dev": [_row(3)]}
    datasets.DatasetDict(
        {name: datasets.Dataset.from_list(rows) for name, rows in splits.items()}
    ).save_to_disk(str(folder))
    assert [i.instance_id for i in load_instances(folder, split="dev")] == ["octo__tiny-3"]
    loaded = load_instances(str(folder), pattern="-2$")
    assert [i.instance_id for i in loaded] == ["octo__tiny-2"]
    assert loaded[0].FAIL_TO_PASS == ["tests/test_a.py::test_a"]


def test_names_and_paths_are_told_apart(tmp_path: Path) -> None:
    (tmp_path / "octo").mkdir()
    (tmp_path / "octo" / "local").write_text("")
    os.chdir(tmp_path)
    assert looks_like_name("princeton-nlp/SWE-bench_Lite")
    assert looks_like_name("SWE-bench/SWE-bench_Verified")
    assert not looks_like_name("octo/local")  # a file of that name exists
    assert not looks_like_name("data/dev.jsonl")  # a missing file, by its suffix
    assert not looks_like_name("./a/b") and not looks_like_name("a/b/c")
    assert not looks_like_name("lite")
