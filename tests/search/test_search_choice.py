"""Discriminator and value functions: tests first, then mean value, then a vote; parts recorded."""

from __future__ import annotations

import pytest

from search import (
    BadReward,
    BadTestsRecord,
    CompositeValue,
    Node,
    Reward,
    TestEvidence,
    TestEvidenceValue,
    TestsFirstDiscriminator,
    Verdict,
    Weighted,
    best_unfinished,
)


def _finished(node_id: int, *, mean: float, tests: object) -> Node:
    return Node(
        id=node_id, state=f"s{node_id}", terminal=True, tests=tests, visits=1, value_sum=mean
    )


RESOLVED = {"reproduction": True, "regression": {"passed": 4, "failed": 0}}
REGRESSED = {"reproduction": True, "regression": {"passed": 3, "failed": 1}}
STILL_FAILS = {"reproduction": False}


def test_the_test_passing_node_beats_a_higher_valued_failing_one() -> None:
    failing = _finished(1, mean=90.0, tests=REGRESSED)
    passing = _finished(2, mean=20.0, tests=RESOLVED)
    choice = TestsFirstDiscriminator().choose([failing, passing])
    assert choice.node is passing
    assert choice.reasons[0] == "tests: node 2 is resolved (2 finished: 1 resolved, 1 broken)"


def test_mean_value_decides_between_equal_verdicts() -> None:
    low, high = _finished(1, mean=10.0, tests=RESOLVED), _finished(2, mean=30.0, tests=RESOLVED)
    choice = TestsFirstDiscriminator().choose([low, high])
    assert choice.node is high
    assert "mean value: node 2 +30.0 over node 1 +10.0" in choice.reasons[1]


def test_a_vote_settles_near_ties() -> None:
    ballots: list[list[int]] = []

    def vote(nodes):  # type: ignore[no-untyped-def]
        ballots.append([n.id for n in nodes])
        return nodes[-1]

    a, b = _finished(1, mean=30.0, tests=RESOLVED), _finished(2, mean=28.0, tests=RESOLVED)
    far = _finished(3, mean=-50.0, tests=RESOLVED)
    choice = TestsFirstDiscriminator(vote=vote, vote_margin=5.0).choose([a, b, far])
    assert ballots == [[1, 2]]
    assert choice.node is b
    assert choice.reasons[-1] == "vote among nodes 1, 2: node 2"


def test_a_vote_must_pick_from_the_ballot() -> None:
    stranger = _finished(9, mean=0.0, tests=None)
    a, b = _finished(1, mean=0.0, tests=None), _finished(2, mean=0.0, tests=None)
    with pytest.raises(ValueError, match="not on the ballot"):
        TestsFirstDiscriminator(vote=lambda nodes: stranger).choose([a, b])


@pytest.mark.parametrize(
    ("record", "verdict"),
    [
        (None, Verdict.UNTESTED),
        ({}, Verdict.UNTESTED),
        (RESOLVED, Verdict.RESOLVED),
        ({"reproduction": True}, Verdict.RESOLVED),
        ({"regression": {"passed": 2, "failed": 0, "flaky": 1}}, Verdict.CLEAN),
        (REGRESSED, Verdict.BROKEN),
        (STILL_FAILS, Verdict.BROKEN),
    ],
)
def test_verdicts_from_the_documented_record_shape(record: object, verdict: Verdict) -> None:
    evidence = TestEvidence.from_record(record)
    assert (evidence.verdict if evidence else Verdict.UNTESTED) is verdict


@pytest.mark.parametrize(
    "record",
    [
        [],
        {"reproduction": "yes"},
        {"regression": [1, 2]},
        {"regression": {"failed": -1}},
        {"regression": {"passed": True}},
    ],
)
def test_a_malformed_tests_record_is_refused(record: object) -> None:
    with pytest.raises(BadTestsRecord):
        TestEvidence.from_record(record)


def test_test_evidence_value_parts() -> None:
    value = TestEvidenceValue()
    resolved = value.evaluate(_finished(1, mean=0, tests=RESOLVED))
    assert resolved is not None
    assert (resolved.value, dict(resolved.parts)) == (
        100.0,
        {"reproduction": 100.0, "regression": 100.0},
    )
    regressed = value.evaluate(_finished(2, mean=0, tests=REGRESSED))
    assert regressed is not None
    assert regressed.parts["regression"] == -25.0  # 1 of 4 failed: 25 %, also the floor
    assert regressed.value == pytest.approx((2 * 100 - 25) / 3)
    assert "regression 3 passed, 1 failed" in regressed.explanation
    assert value.evaluate(_finished(3, mean=0, tests=None)) is None


class _Judge:
    def __init__(self, value: float | None) -> None:
        self.value = value

    def evaluate(self, node: Node) -> Reward | None:
        return (
            None if self.value is None else Reward(self.value, {"rubric": self.value}, "looks ok")
        )


def test_composite_value_weighs_tests_and_judge_and_records_parts() -> None:
    composite = CompositeValue.tests_and_judge(_Judge(50.0))
    reward = composite.evaluate(_finished(1, mean=0, tests={"reproduction": False}))
    assert reward.value == pytest.approx(0.6 * -100 + 0.4 * 50)
    assert reward.parts == {
        "tests": -100.0,
        "tests.reproduction": -100.0,
        "judge": 50.0,
        "judge.rubric": 50.0,
    }
    assert reward.explanation.startswith("tests -100 x0.60: reproduction still fails; judge +50")


def test_composite_value_reweighs_when_a_part_abstains() -> None:
    only_judge = CompositeValue.tests_and_judge(_Judge(40.0)).evaluate(
        _finished(1, mean=0, tests=None)
    )
    assert (only_judge.value, only_judge.parts["judge"]) == (40.0, 40.0)
    nothing = CompositeValue([Weighted("judge", 1.0, _Judge(None))]).evaluate(
        _finished(2, mean=0, tests=None)
    )
    assert (nothing.value, nothing.explanation) == (0.0, "no evidence")


def test_rewards_stay_in_range() -> None:
    with pytest.raises(BadReward):
        Reward(101.0)
    with pytest.raises(BadReward):
        Reward(float("nan"))
    assert Reward.clamped(250.0, explanation="judge overshot").value == 100.0
    assert Reward.clamped(-250.0).value == -100.0


def _scored(node_id: int, parent: Node, *, state: str, reward: float, tests: object) -> Node:
    node = Node(id=node_id, state=state, parent=parent, tests=tests, reward=Reward(reward))
    parent.children.append(node)
    return node


def test_an_unfinished_search_offers_its_best_changed_state() -> None:
    root = Node(id=0, state="base")
    assert best_unfinished(root) is None  # nothing but the root
    _scored(1, root, state="base", reward=50.0, tests=None)  # scored, but changed nothing
    assert best_unfinished(root) is None
    low = _scored(2, root, state="s2", reward=-40.0, tests=STILL_FAILS)
    assert best_unfinished(root) is low  # a changed state, even a failing one, beats nothing
    high = _scored(3, low, state="s3", reward=20.0, tests=STILL_FAILS)
    passing = _scored(4, root, state="s4", reward=10.0, tests=RESOLVED)
    assert best_unfinished(root) is passing  # the verdict first, as for finished nodes
    twin = _scored(5, root, state="s5", reward=20.0, tests=STILL_FAILS)
    passing.tests = STILL_FAILS
    assert best_unfinished(root) is high and twin is not high  # then reward, then the earliest


def test_an_unfinished_search_never_offers_a_state_that_breaks_passing_tests() -> None:
    # Lite dev marshmallow-1359 and astroid-1333 offered states that broke 76 and 15 tests
    # passing at the base: a patch worse than none.
    root = Node(id=0, state="base")
    _scored(1, root, state="s1", reward=-30.0, tests=REGRESSED)
    assert best_unfinished(root) is None
    failing = _scored(2, root, state="s2", reward=-40.0, tests=STILL_FAILS)
    assert best_unfinished(root) is failing  # still failing, nothing else broken: offered
    # astroid-1196: a format error under the breaking state kept that state with no tests of
    # its own, and was offered as "untested" ahead of a state that broke nothing.
    regressed = next(n for n in root.children if n.id == 1)
    _scored(3, regressed, state="s1", reward=-40.0, tests=None)
    assert best_unfinished(root) is failing
