"""SWE-bench-style datasets: JSONL, JSON or parquet files of instances, selected by id or regex."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from swe_agent.errors import BadInput


class Instance(BaseModel):
    """One SWE-bench task: a repository at a commit, an issue, and the reference patch."""

    model_config = ConfigDict(extra="allow", frozen=True)

    instance_id: str
    repo: str
    base_commit: str
    problem_statement: str
    patch: str = ""
    test_patch: str = ""
    hints_text: str = ""
    version: str = ""
    FAIL_TO_PASS: list[str] = []
    PASS_TO_PASS: list[str] = []

    @field_validator("FAIL_TO_PASS", "PASS_TO_PASS", mode="before")
    @classmethod
    def _tests_list(cls, value: Any) -> Any:
        """Upstream SWE-bench stores the test lists as JSON-encoded strings."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else []
        return value

    @field_validator("patch", "test_patch", "hints_text", "version", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        """Parquet and JSON copies hold nulls for empty texts and numbers for versions."""
        if value is None:
            return ""
        return str(value) if isinstance(value, int | float) else value


PARQUET_MAGIC = b"PAR1"


def _parquet_rows(path: Path) -> Iterable[tuple[int, Any]]:
    """Rows of a parquet file (what the Hugging Face copies of SWE-bench are)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise BadInput(
            f"{path} is a parquet file, and reading parquet needs the pyarrow package",
            hint="pip install 'swe-agent[parquet]' (or pyarrow), or convert it to JSONL",
        ) from None
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise BadInput(f"{path} is not a readable parquet file: {exc}") from None
    for number, row in enumerate(table.to_pylist(), start=1):
        # Timestamps (created_at) become ISO text, so that an instance stays JSON.
        yield number, {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}


def _rows(path: Path, text: str) -> Iterable[tuple[int, Any]]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path} is not valid JSON: {exc}") from None
        yield from enumerate(rows, start=1)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(
                f"{path}:{number} is not a JSON object: {exc.msg}",
                hint="each line of a JSONL dataset must be one JSON object",
            ) from None


def _file_rows(path: Path) -> Iterable[tuple[int, Any]]:
    with open(path, "rb") as handle:
        if handle.read(4) == PARQUET_MAGIC:
            return _parquet_rows(path)
    return _rows(path, path.read_text(encoding="utf-8", errors="replace"))


@dataclass(frozen=True)
class Rows:
    """The raw rows of a dataset, numbered, and where they came from (for messages)."""

    origin: str
    rows: tuple[tuple[int, Any], ...]
    note: str = ""  # said once to the person (read from the cache with no network, ...)

    def ids(self) -> list[str]:
        """Every row's instance_id, in order (rows without one are left out)."""
        return [
            str(r["instance_id"])
            for _, r in self.rows
            if isinstance(r, dict) and r.get("instance_id")
        ]


def read_dataset(source: str | Path, *, split: str | None = None) -> Rows:
    """The rows of a JSONL, JSON or parquet file, a dataset folder, or a Hugging Face dataset.

    ``split`` picks a split of a Hugging Face dataset or folder (default ``test``); a file has
    one, and is read whole.
    """
    from swe_agent.bench import hub

    text = str(source)
    if isinstance(source, str) and hub.looks_like_name(text):
        loaded = hub.load_hub_rows(text, split=split)
        note = (
            f"{text} read from the Hugging Face cache ({loaded.offline})" if loaded.offline else ""
        )
        return Rows(text, tuple(enumerate(loaded.rows, start=1)), note)
    path = Path(text).expanduser()
    if path.is_dir():
        return Rows(str(path), tuple(enumerate(hub.load_local_rows(path, split=split), start=1)))
    if not path.is_file():
        raise BadInput(
            f"the dataset {path} does not exist",
            hint="pass a .jsonl, .json or .parquet file, or a Hugging Face dataset name "
            "(OWNER/NAME, e.g. princeton-nlp/SWE-bench_Lite) with --split",
        )
    return Rows(path.name, tuple(_file_rows(path)))


def is_file_source(source: str | Path) -> bool:
    """Is ``source`` one data file (which has no splits)?"""
    return Path(str(source)).expanduser().is_file()


def _instance(origin: str, number: int, row: Any) -> Instance:
    try:
        return Instance.model_validate(row)
    except (ValidationError, json.JSONDecodeError) as exc:
        first = str(exc).splitlines()[:3]
        raise BadInput(
            f"{origin}:{number} is not a SWE-bench instance: {' '.join(first)}"
        ) from None


def select(
    dataset: Rows,
    *,
    instances: Iterable[str] = (),
    pattern: str | None = None,
    limit: int | None = None,
) -> list[Instance]:
    """Instances of ``dataset`` selected by id list, id regex and count (rows read lazily)."""
    wanted = {i.strip() for i in instances if i.strip()}
    try:
        regex = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise BadInput(f"--filter {pattern!r} is not a regular expression: {exc}") from None
    selected: list[Instance] = []
    for number, row in dataset.rows:
        instance = _instance(dataset.origin, number, row)
        if wanted and instance.instance_id not in wanted:
            continue
        if regex and not regex.search(instance.instance_id):
            continue
        selected.append(instance)
        if limit is not None and len(selected) >= limit:
            break
    missing = wanted - {i.instance_id for i in selected}
    if missing and limit is None:
        raise BadInput(f"not in {dataset.origin}: {', '.join(sorted(missing))}")
    return selected


def load_instances(
    source: str | Path,
    *,
    split: str | None = None,
    instances: Iterable[str] = (),
    pattern: str | None = None,
    limit: int | None = None,
) -> list[Instance]:
    """Instances of a dataset (file, folder or Hugging Face name), selected by ids, regex, count."""
    return select(
        read_dataset(source, split=split), instances=instances, pattern=pattern, limit=limit
    )
