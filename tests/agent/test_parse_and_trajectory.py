"""Reply parsing and the append-only trajectory file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from swe_agent.agent.parse import FormatError, parse_action
from swe_agent.agent.trajectory import Trajectory, read_events


def test_one_python_block_is_an_action() -> None:
    action = parse_action("Look at the file first.\n```python\nview('a.py')\n```\n")
    assert action.thought == "Look at the file first."
    assert action.code == "view('a.py')"
    assert action.summary() == "view('a.py')"


def test_an_untagged_block_that_parses_is_accepted() -> None:
    assert parse_action("ok\n```\nx = 1\n```").code == "x = 1"


def test_code_pasted_with_the_line_numbers_of_a_view_is_read_without_them() -> None:
    # A small model copied the first message's numbered snippet back as its edit.
    listing = (
        "# src/pkg/store.py:Store.call\n"
        "52 |     def call(self, getter, data):\n"
        '53 |         """Call getter on data."""\n'
        "54 |\n"
        "55 |         return getter(data)\n"
    )
    action = parse_action(f"Fix it.\n```python\n{listing}```")
    assert action.code == (
        'def call(self, getter, data):\n    """Call getter on data."""\n\n    return getter(data)'
    )
    same = parse_action("Run.\n```python\n1 | 2\nprint(3)\n```")  # a code line has no number
    assert same.code == "1 | 2\nprint(3)"
    assert parse_action("Run.\n```python\nx = 1 | 2\n```").code == "x = 1 | 2"


def test_a_pasted_interactive_session_is_read_as_the_code_it_ran() -> None:
    # Lite dev astroid-1268: the 1.5B wrote ">>> import astroid" lines, a SyntaxError as Python.
    session = ">>> import astroid\n>>> for n in range(2):\n...     print(n)\n0\n1\n>>> astroid.x\n"
    action = parse_action(f"Look.\n```python\n{session}```")
    assert action.code == "import astroid\nfor n in range(2):\n    print(n)\nastroid.x\n"
    text = 'print(">>> not a prompt")'  # parses already: unchanged
    assert parse_action(f"Run.\n```python\n{text}\n```").code == text


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("I will look at it.", "no python code blocks"),
        ("```python\na()\n```\n```python\nb()\n```", "2 python code blocks"),
        ("```python\n\n```", "empty"),
    ],
)
def test_replies_without_exactly_one_block_are_format_errors(reply: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_action(reply)


def test_trajectory_appends_and_survives_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "run" / "trajectory.jsonl"
    with Trajectory(path) as trajectory:
        trajectory.record("start", issue="x")
        trajectory.record("model_call", response="y")
    with path.open("a") as handle:
        handle.write('{"seq": 2, "type": "acti')  # the process was killed mid-write
    assert [e["type"] for e in read_events(path)] == ["start", "model_call"]
    with Trajectory(path) as trajectory:
        trajectory.record("stop", stop_reason="submitted")
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["seq"], e["type"]) for e in events] == [(0, "start"), (1, "model_call"), (2, "stop")]


def test_an_action_of_only_definitions_is_a_rewrite() -> None:
    from swe_agent.agent.expander import definitions_only

    assert definitions_only("import os\ndef median(values):\n    return 1\n")
    assert not definitions_only("view('a.py')")
    assert not definitions_only("def f():\n    pass\nf()")


def test_tests_that_hang_at_the_base_count_as_failing() -> None:
    from swe_agent.agent.evidence import TestRun, _exit_code_evidence

    hung = TestRun(exit_code=None, timed_out=True)
    assert _exit_code_evidence(TestRun(exit_code=0), hung)["reproduction"] is True
    assert (
        _exit_code_evidence(TestRun(exit_code=None, timed_out=True), hung)["reproduction"] is False
    )


def test_a_run_with_no_outcome_is_described_by_how_it_ran() -> None:
    """A suite cut by its timeout on both sides says so, never "they still fail" (pydicom-901)."""
    from swe_agent.agent.evidence import TestRun, _exit_code_evidence
    from swe_agent.agent.rewrite_kind import describe_tests

    hung = TestRun(exit_code=None, timed_out=True)
    both_hang = describe_tests(_exit_code_evidence(hung, hung))
    assert both_hang == (
        "The tests: the test command did not finish in time and printed no test outcome "
        "(before the change it did not finish in time), so no failing test is known."
    )
    fixed = describe_tests(_exit_code_evidence(TestRun(exit_code=0), TestRun(exit_code=1)))
    assert fixed == (
        "The tests: the test command passes now (before the change it failed with exit code 1)."
    )
    broke = describe_tests(_exit_code_evidence(TestRun(exit_code=2), TestRun(exit_code=0)))
    assert "exit code 2 and printed no test outcome (before the change it passed)" in broke
