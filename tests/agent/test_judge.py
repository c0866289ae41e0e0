"""The model judge and vote, with scripted replies."""

from __future__ import annotations

from pathlib import Path

from search import Node, TestsFirstDiscriminator
from swe_agent.agent.judge import ModelJudge, ModelVote
from swe_agent.agent.trajectory import Trajectory, read_events
from swe_agent.models import get_model

DIFFS = {"s1": "-a\n+b\n", "s2": "-a\n+c\n", "s3": ""}


def _tree() -> tuple[Node, list[Node]]:
    root = Node(id=0, state="s0")
    kids = [Node(id=i, state=f"s{i}", parent=root, depth=1, terminal=True) for i in (1, 2, 3)]
    root.children.extend(kids)
    return root, kids


def test_the_judge_reads_the_last_score_and_clamps_it(tmp_path: Path) -> None:
    trajectory = Trajectory(tmp_path / "t.jsonl")
    model = get_model(["SCORE: 5 is low. Better: SCORE: 140"])
    judge = ModelJudge(model, issue="x", diff_of=DIFFS.__getitem__, trajectory=trajectory)
    _, (one, _, three) = _tree()
    reward = judge.evaluate(one)
    assert reward is not None and reward.value == 100.0
    assert judge.evaluate(one) is reward  # one call per state
    assert judge.evaluate(three) is None  # no change: nothing to judge, no call
    calls = [e for e in read_events(tmp_path / "t.jsonl") if e["type"] == "model_call"]
    assert [c["role"] for c in calls] == ["judge"]


def test_the_vote_settles_a_tie_among_finished_nodes(tmp_path: Path) -> None:
    trajectory = Trajectory(tmp_path / "t.jsonl")
    vote = ModelVote(
        get_model(["The second one.\nANSWER: 2"]),
        issue="x",
        diff_of=DIFFS.__getitem__,
        trajectory=trajectory,
    )
    _, (one, two, _) = _tree()
    choice = TestsFirstDiscriminator(vote=vote).choose([one, two])
    assert choice.node is two
    assert any("vote" in reason for reason in choice.reasons)


def test_an_unreadable_vote_takes_the_first(tmp_path: Path) -> None:
    trajectory = Trajectory(tmp_path / "t.jsonl")
    vote = ModelVote(
        get_model(["both fine"]), issue="x", diff_of=DIFFS.__getitem__, trajectory=trajectory
    )
    _, (one, two, _) = _tree()
    assert vote([one, two]) is one


def test_no_calls_left_no_judge_and_no_vote(tmp_path: Path) -> None:
    trajectory = Trajectory(tmp_path / "t.jsonl")
    model = get_model(["SCORE: 50", "ANSWER: 2"])
    shared = {"issue": "x", "diff_of": DIFFS.__getitem__, "trajectory": trajectory}
    judge = ModelJudge(model, **shared, may_call=lambda: False)  # type: ignore[arg-type]
    vote = ModelVote(model, **shared, may_call=lambda: False)  # type: ignore[arg-type]
    _, (one, two, _) = _tree()
    assert judge.evaluate(one) is None
    assert vote([one, two]) is one
    assert model.usage.calls == 0
