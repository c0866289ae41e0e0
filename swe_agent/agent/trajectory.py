"""The append-only record of a run: one JSON object a line, flushed per event."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Trajectory:
    """Writes ``trajectory.jsonl``: every model call, action, observation and stop."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        _drop_torn_tail(path)
        self._handle = path.open("a", encoding="utf-8")
        self._seq = sum(1 for _ in read_events(path))

    def record(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Append one event and make it durable before returning."""
        event = {"seq": self._seq, "type": kind, "time": round(time.time(), 3), **fields}
        self._handle.write(json.dumps(event, default=str) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._seq += 1
        return event

    def close(self) -> None:
        """Close the file; further records are an error."""
        self._handle.close()

    def __enter__(self) -> Trajectory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_events(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the events of a trajectory; a torn last line (a killed run, or one still
    writing) ends them, and a line that is not an object is skipped."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                return
            if isinstance(event, dict):
                yield event


def _drop_torn_tail(path: Path) -> None:
    """Cut a half-written last line left by a killed run, so appends start on a fresh line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        with path.open("r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)
