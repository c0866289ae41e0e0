"""Bounds on what goes to the model: the head and tail of a long text, with a note."""

from __future__ import annotations

from swe_agent.agent.bounded import clip_middle


def test_a_short_text_is_left_whole() -> None:
    clipped = clip_middle("short issue", limit=1000)
    assert clipped.text == "short issue" and not clipped.clipped


def test_a_long_text_keeps_head_and_tail_with_a_note() -> None:
    text = "TITLE: median is wrong\n" + "".join(f"log line {i}\n" for i in range(100_000))
    text += "Traceback: the end\n"
    clipped = clip_middle(text, limit=20_000, what="the issue")
    assert clipped.clipped and len(clipped.text) < 20_200
    assert clipped.text.startswith("TITLE: median is wrong\n")
    assert clipped.text.endswith("Traceback: the end\n")
    assert f"[... {clipped.left_out:,} characters of the issue are left out here ...]" in (
        clipped.text
    )
    # Cut at line ends: every line around the note is whole.
    head, tail = clipped.text.split("\n\n[...")[0], clipped.text.split("...]\n\n")[1]
    assert head.splitlines()[-1].startswith("log line ") and tail.startswith("log line ")


def test_one_huge_line_is_still_bounded() -> None:
    clipped = clip_middle("x" * 1_000_000, limit=5_000)
    assert len(clipped.text) < 5_100 and clipped.left_out == 995_000
