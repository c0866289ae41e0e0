"""SWE-bench predictions: JSONL, a JSON list or an object keyed by id; ``gold`` and ``empty``.

A line that cannot be read is reported with its number and skipped; the others are evaluated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swe_agent.bench.datasets import Instance
from swe_agent.errors import BadInput, unreadable_file

GOLD, EMPTY = "gold", "empty"


@dataclass(frozen=True)
class Prediction:
    """One model's patch for one instance (``model_patch`` None: the model gave none)."""

    instance_id: str
    model_name_or_path: str
    model_patch: str | None

    @property
    def digest(self) -> str:
        """A short hash of the patch (a cached evaluation is reused only for the same one)."""
        text = "\0none" if self.model_patch is None else self.model_patch
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


@dataclass(frozen=True)
class PredictionProblem:
    """A prediction that was skipped, and why."""

    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        """As shown in the summary."""
        return {"line": self.line, "error": self.message}


def _rows(path: Path) -> Iterator[tuple[int, Any]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.lstrip().startswith(("[", "{")) and "\n{" not in text.strip():
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, list):
            yield from enumerate(data, start=1)
            return
        if isinstance(data, dict) and "instance_id" not in data:
            for number, (key, row) in enumerate(data.items(), start=1):
                yield number, {"instance_id": key, **row} if isinstance(row, dict) else row
            return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, exc


def _prediction(row: Any) -> Prediction | str:
    """The prediction in a row, or why there is none."""
    if isinstance(row, json.JSONDecodeError):
        return f"not JSON ({row.msg} at column {row.colno})"
    if not isinstance(row, dict):
        return f"not a JSON object but {type(row).__name__}"
    instance_id = row.get("instance_id")
    if not isinstance(instance_id, str) or not instance_id:
        return "no instance_id"
    patch = row.get("model_patch")
    if patch is not None and not isinstance(patch, str):
        return f"{instance_id}: model_patch is {type(patch).__name__}, not a string"
    return Prediction(instance_id, str(row.get("model_name_or_path") or "unknown"), patch)


def load_predictions(
    source: str, *, instances: Iterable[Instance], dataset_ids: Iterable[str] = ()
) -> tuple[dict[str, Prediction], list[PredictionProblem]]:
    """Predictions by instance id for the given instances, and the lines that were skipped.

    A prediction for an instance of the dataset that was not selected is left out quietly;
    one for an id the dataset does not have is a problem (a typo, or the wrong dataset).
    """
    known = {i.instance_id: i for i in instances}
    everything = set(dataset_ids) | set(known)
    if source in (GOLD, EMPTY):
        return {
            i: Prediction(i, source, inst.patch if source == GOLD else "")
            for i, inst in known.items()
        }, []
    path = Path(source).expanduser()
    problem = unreadable_file(path)
    if problem:
        raise BadInput(
            f"the predictions file {path} {problem}",
            hint="pass a preds.jsonl, or 'gold' (the dataset's patches) or 'empty'",
        )
    found: dict[str, Prediction] = {}
    problems: list[PredictionProblem] = []
    for number, row in _rows(path):
        parsed = _prediction(row)
        if isinstance(parsed, str):
            problems.append(PredictionProblem(number, f"{path.name}:{number}: {parsed}"))
        elif parsed.instance_id not in everything:
            message = f"{path.name}:{number}: {parsed.instance_id} is not in the dataset"
            problems.append(PredictionProblem(number, message))
        elif parsed.instance_id in known:
            found[parsed.instance_id] = parsed  # a later line for the same id wins
    return found, problems
