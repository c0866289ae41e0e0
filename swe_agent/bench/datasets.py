"""SWE-bench-style datasets: JSONL or JSON files of instances, with selection by id or regex."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
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


def _instance(path: Path, number: int, row: Any) -> Instance:
    try:
        return Instance.model_validate(row)
    except (ValidationError, json.JSONDecodeError) as exc:
        first = str(exc).splitlines()[:3]
        raise BadInput(f"{path}:{number} is not a SWE-bench instance: {' '.join(first)}") from None


def load_instances(
    path: Path,
    *,
    instances: Iterable[str] = (),
    pattern: str | None = None,
    limit: int | None = None,
) -> list[Instance]:
    """Instances of a JSONL or JSON dataset, selected by id list, id regex and count."""
    if not path.is_file():
        raise BadInput(f"the dataset {path} does not exist", hint="pass a .jsonl or .json file")
    wanted = {i.strip() for i in instances if i.strip()}
    try:
        regex = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise BadInput(f"--filter {pattern!r} is not a regular expression: {exc}") from None
    text = path.read_text(encoding="utf-8", errors="replace")
    selected: list[Instance] = []
    for number, row in _rows(path, text):
        instance = _instance(path, number, row)
        if wanted and instance.instance_id not in wanted:
            continue
        if regex and not regex.search(instance.instance_id):
            continue
        selected.append(instance)
        if limit is not None and len(selected) >= limit:
            break
    missing = wanted - {i.instance_id for i in selected}
    if missing and limit is None:
        raise BadInput(f"not in {path.name}: {', '.join(sorted(missing))}")
    return selected
