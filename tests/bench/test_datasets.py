from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from swe_agent.bench import load_instances
from swe_agent.errors import BadInput


def _row(n: int, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "instance_id": f"o__r-{n}",
        "repo": "o/r",
        "base_commit": "a" * 40,
        "problem_statement": f"issue {n}",
        "patch": "",
    }
    row.update(extra)
    return row


def _jsonl(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_with_string_and_list_test_fields(tmp_path: Path) -> None:
    rows = [
        _row(1, FAIL_TO_PASS='["t.py::a"]', PASS_TO_PASS="[]"),
        _row(2, FAIL_TO_PASS=["t.py::b"], PASS_TO_PASS=["t.py::c"]),
        _row(3),
    ]
    loaded = load_instances(_jsonl(tmp_path, rows))
    assert [i.FAIL_TO_PASS for i in loaded] == [["t.py::a"], ["t.py::b"], []]
    assert loaded[1].PASS_TO_PASS == ["t.py::c"]


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text(json.dumps([_row(1), _row(2)]), encoding="utf-8")
    assert [i.instance_id for i in load_instances(path)] == ["o__r-1", "o__r-2"]


def test_selection_by_ids_regex_and_limit(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, [_row(n) for n in range(1, 6)])
    assert [i.instance_id for i in load_instances(path, instances=["o__r-4", "o__r-2"])] == [
        "o__r-2",
        "o__r-4",
    ]
    assert len(load_instances(path, pattern=r"-[345]$")) == 3
    assert len(load_instances(path, limit=2)) == 2


def test_unknown_instance_id_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="o__r-9"):
        load_instances(_jsonl(tmp_path, [_row(1)]), instances=["o__r-9"])


def test_corrupt_line_names_its_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path, [_row(1)])
    path.write_text(path.read_text() + "{not json\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"data.jsonl:2"):
        load_instances(path)


def test_missing_field_and_missing_file(tmp_path: Path) -> None:
    row = _row(1)
    del row["base_commit"]
    with pytest.raises(BadInput, match="not a SWE-bench instance"):
        load_instances(_jsonl(tmp_path, [row]))
    with pytest.raises(BadInput, match="does not exist"):
        load_instances(tmp_path / "nope.jsonl")


def test_bad_regex(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="regular expression"):
        load_instances(_jsonl(tmp_path, [_row(1)]), pattern="(")


def _parquet(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    import datetime

    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    created = datetime.datetime(2023, 5, 1, 12, 0, tzinfo=datetime.UTC)
    table = pa.Table.from_pylist([{**row, "created_at": created} for row in rows])
    path = tmp_path / "dev-00000-of-00001.parquet"  # the name says nothing: the bytes do
    pq.write_table(table, path)
    return path


def test_parquet_as_huggingface_stores_swebench(tmp_path: Path) -> None:
    rows = [
        _row(1, FAIL_TO_PASS='["t.py::a"]', PASS_TO_PASS="[]", hints_text=None, version="0.6"),
        _row(2, FAIL_TO_PASS='["t.py::b"]', PASS_TO_PASS='["t.py::c"]', hints_text="h",
             version="2.20"),
    ]  # fmt: skip
    path = _parquet(tmp_path, rows)
    loaded = load_instances(path, pattern="-2$")
    assert [i.instance_id for i in loaded] == ["o__r-2"]
    assert loaded[0].FAIL_TO_PASS == ["t.py::b"] and loaded[0].version == "2.20"
    first = load_instances(path, instances=["o__r-1"])[0]
    assert first.hints_text == "" and first.PASS_TO_PASS == []
    json.dumps(first.model_dump())  # the timestamp column became text


def test_parquet_without_pyarrow_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _parquet(tmp_path, [_row(1)])
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an environment without it sees
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(BadInput, match="needs the pyarrow package") as caught:
        load_instances(path)
    assert "pip install" in str(caught.value.hint)


def test_a_broken_parquet_file_is_bad_input(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    path.write_bytes(b"PAR1 and then nothing a parquet reader wants")
    with pytest.raises(BadInput, match="not a readable parquet file"):
        load_instances(path)
