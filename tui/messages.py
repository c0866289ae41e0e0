"""The messages the review app's workers and widgets send (all in one place)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.message import Message

from tui.service import Outcome


class OperationDone(Message):
    """An apply, undo or export finished; ``doing`` names which."""

    def __init__(self, doing: str, outcome: Outcome) -> None:
        super().__init__()
        self.doing, self.outcome = doing, outcome


class OperationFailed(Message):
    """An operation was refused or failed for a reason a person can act on."""

    def __init__(self, doing: str, title: str, text: str, hint: str | None = None) -> None:
        super().__init__()
        self.doing, self.title, self.text, self.hint = doing, title, text, hint


class TestsFinished(Message):
    """Re-running a node's tests gave a new tests record."""

    __test__ = False  # not a pytest class, despite the name

    def __init__(self, node_id: int, record: Mapping[str, Any]) -> None:
        super().__init__()
        self.node_id, self.record = node_id, record


class HunkToggled(Message):
    """The person toggled the hunk under the diff cursor (space, or a click)."""
