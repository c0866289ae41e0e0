"""Append-only JSON-lines files that survive a crash: the batch journal and preds.jsonl.

Each record is written with one ``write`` on an ``O_APPEND`` descriptor and fsynced, so a
crash leaves at most one torn last line; readers skip a line that does not parse. The journal
says, per instance, ``started`` then ``finished`` or ``failed``; the last event wins.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from common import atomic_write


class Event(StrEnum):
    """What happened to an instance."""

    STARTED = "started"
    FINISHED = "finished"
    FAILED = "failed"


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON object as a line, in one write, flushed to disk."""
    data = (json.dumps(record, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        # A torn last line from an earlier crash must not glue onto this record.
        if os.fstat(fd).st_size and not _ends_with_newline(path):
            data = b"\n" + data
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSON-lines file; torn or foreign lines are skipped."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            yield record


def rewrite_lines(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace a JSON-lines file atomically (temp file + rename)."""
    atomic_write(path, "".join(json.dumps(r, default=str) + "\n" for r in records))


@dataclass(frozen=True)
class Journal:
    """The per-instance event log of one batch folder."""

    path: Path

    def record(self, instance_id: str, event: Event, **fields: Any) -> None:
        """Append one event for an instance."""
        append_line(
            self.path,
            {"instance_id": instance_id, "event": str(event), "time": time.time(), **fields},
        )

    def last_events(self) -> dict[str, dict[str, Any]]:
        """Instance id -> its latest event record."""
        latest: dict[str, dict[str, Any]] = {}
        for record in read_lines(self.path):
            if "instance_id" in record and "event" in record:
                latest[str(record["instance_id"])] = record
        return latest

    def finished(self) -> set[str]:
        """Ids whose latest event is ``finished`` (never run again)."""
        return {i for i, r in self.last_events().items() if r["event"] == Event.FINISHED}

    def interrupted(self) -> set[str]:
        """Ids that started and never ended (the process died under them)."""
        return {i for i, r in self.last_events().items() if r["event"] == Event.STARTED}

    def starts(self, instance_id: str) -> int:
        """How many times an instance was started (tests check that resume reran nothing)."""
        return sum(
            1
            for r in read_lines(self.path)
            if r.get("instance_id") == instance_id and r.get("event") == Event.STARTED
        )
