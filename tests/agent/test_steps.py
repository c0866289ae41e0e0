"""The note on sibling attempts says in words how each went."""

from __future__ import annotations

from typing import Any

from search import SiblingSummary
from swe_agent.agent.steps import siblings_note


def _sibling(action: dict[str, Any], text: str = "", **extra: Any) -> SiblingSummary:
    return SiblingSummary(
        node_id=1,
        action={"summary": "edit x", **action},
        observation={"text": text, "error": extra.pop("error", None)},
        reward=-20.0,
        explanation="tests -33 x0.70: reproduction still fails",
        terminal=extra.pop("terminal", False),
        best_in_branch=None,
        branch_size=1,
    )


def test_the_note_reads_as_words_not_reward_arithmetic() -> None:
    (note,) = siblings_note(
        [
            _sibling({"code": "x", "rejected": "it is the same code as f is now"}),
            _sibling({"code": "x"}, "replaced f\nThe tests: 2 of 5 failing tests pass now."),
            _sibling({"code": ""}),
            _sibling({"code": "x"}, "Traceback", error="NameError: name 'y' is not defined"),
            _sibling({"code": "x"}, "The tests: the failing tests pass now.", terminal=True),
        ]
    )
    lines = note["content"].splitlines()[1:]
    assert lines == [
        "- edit x: refused, it is the same code as f is now",
        "- edit x: 2 of 5 failing tests pass now",
        "- edit x: no valid action",
        "- edit x: failed: NameError: name 'y' is not defined",
        "- edit x: finished; the failing tests pass now.",
    ]
    assert "x0.70" not in note["content"] and "reward" not in note["content"]
    assert siblings_note([]) == []
