"""Picking the answer among finished nodes: tests first, then mean value, then an optional vote;
and, when no node finished, the best-scored changed state (`best_unfinished`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from search.node import Node
from search.protocols import Choice
from search.value import VERDICT_RANK, TestEvidence, Verdict, verdict_of

Vote = Callable[[Sequence[Node]], Node]  # e.g. a model vote; must return one of the nodes given


@dataclass(frozen=True)
class TestsFirstDiscriminator:
    """Best test verdict wins; then the highest mean value; a vote settles near-ties if given."""

    __test__ = False

    vote: Vote | None = None
    vote_margin: float = 0.0  # nodes within this many points of the best mean go to the vote

    def choose(self, finished: Sequence[Node]) -> Choice:
        """The finished node to submit, with the reasons in the order they decided."""
        if not finished:
            raise ValueError("choose() needs at least one finished node")
        verdicts = {n.id: verdict_of(n) for n in finished}
        ranked = sorted(
            finished, key=lambda n: (-VERDICT_RANK[verdicts[n.id]], -n.mean_value, n.id)
        )
        best_verdict = verdicts[ranked[0].id]
        tier = [n for n in ranked if verdicts[n.id] is best_verdict]
        reasons = [_tests_reason(ranked[0], best_verdict, verdicts)]
        finalists = [n for n in tier if tier[0].mean_value - n.mean_value <= self.vote_margin]
        if self.vote is not None and len(finalists) > 1:
            picked = _run_vote(self.vote, finalists)
            reasons.append(f"vote among nodes {_ids(finalists)}: node {picked.id}")
            return Choice(picked, tuple(reasons))
        if len(tier) > 1:
            runner_up = tier[1]
            reasons.append(
                f"mean value: node {tier[0].id} {tier[0].mean_value:+.1f} over node "
                f"{runner_up.id} {runner_up.mean_value:+.1f} (same verdict)"
            )
        return Choice(tier[0], tuple(reasons))


def best_unfinished(root: Node) -> Node | None:
    """The scored node under `root` whose state differs from the root's and breaks no test
    that passed at the base: best test verdict first, then its own reward, then the earliest;
    None when no scored node changed anything without breaking tests.

    What a run whose budget ended before any node finished submits instead of nothing (as
    SWE-agent submits its last state at its cost limit): the model never submitted it. A state
    that breaks passing tests is worse than no patch, so it is never offered.
    """
    tested = {n.state for n in root.walk() if n.tests is not None}
    changed = [n for n in root.walk() if _offerable(n, root=root, tested=tested)]
    if not changed:
        return None
    return min(changed, key=lambda n: (-VERDICT_RANK[verdict_of(n)], -_own(n), n.id))


def _offerable(node: Node, *, root: Node, tested: set[str]) -> bool:
    """Scored, changed and breaking no passing test. A state's tests ran once, at the node
    that reached it first: a later node of that state (a step that changed no file) is that
    node's state, not an untested one."""
    if node.reward is None or node.state == root.state or _breaks_tests(node):
        return False
    return node.tests is not None or node.state not in tested


def _breaks_tests(node: Node) -> bool:
    evidence = TestEvidence.from_record(node.tests)
    return evidence is not None and evidence.failed > 0


def _own(node: Node) -> float:
    return node.reward.value if node.reward is not None else 0.0


def _run_vote(vote: Vote, finalists: list[Node]) -> Node:
    picked = vote(finalists)
    if all(picked is not n for n in finalists):
        raise ValueError(f"the vote returned a node that was not on the ballot: {picked!r}")
    return picked


def _tests_reason(best: Node, verdict: Verdict, verdicts: dict[int, Verdict]) -> str:
    tally = Counter(verdicts.values())
    summary = ", ".join(f"{tally[v]} {v}" for v in sorted(tally, key=lambda v: -VERDICT_RANK[v]))
    return f"tests: node {best.id} is {verdict} ({len(verdicts)} finished: {summary})"


def _ids(nodes: Sequence[Node]) -> str:
    return ", ".join(str(n.id) for n in nodes)
