"""Test evidence and value functions built on it: tests first, the model's judgement second.

A node's ``tests`` record is JSON of this shape (every key optional)::

    {
      "reproduction": true | false | null,  # the reproduction test, which failed on the base
                                            # state, passes on this node (null: none ran)
      "regression": {                       # regression tests chosen through the code graph
        "passed": 12,                       # pass here
        "failed": 0,                        # pass on the base state, fail here (re-run once
                                            # on the base to tell flaky from broken)
        "flaky": 1                          # failed here, but are flaky: not held against it
      },
      "fixed": ["t::a"],                    # tests failing on the base state that pass here
      "still_failing": ["t::b", "t::c"]     # ... and those that still fail (progress counts)
    }
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from search.errors import BadTestsRecord
from search.node import Json, Node, Reward
from search.protocols import PartialValue


class Verdict(StrEnum):
    """What the tests say about a node, best first in `VERDICT_RANK`."""

    RESOLVED = "resolved"  # reproduction passes, no regression
    CLEAN = "clean"  # no reproduction test, regression tests ran and none failed
    UNTESTED = "untested"  # no tests ran
    BROKEN = "broken"  # the reproduction still fails, or a regression


VERDICT_RANK = {Verdict.RESOLVED: 3, Verdict.CLEAN: 2, Verdict.UNTESTED: 1, Verdict.BROKEN: 0}


@dataclass(frozen=True)
class TestEvidence:
    """A parsed tests record (see the module docstring for the JSON shape)."""

    __test__ = False  # not a pytest class, despite the name

    reproduction: bool | None = None
    passed: int = 0
    failed: int = 0
    flaky: int = 0
    regression_ran: bool = False
    fixed: int = 0  # tests failing on the base state that pass here
    still_failing: int = 0  # tests failing on the base state that still fail here

    @property
    def progress(self) -> float | None:
        """The share of the base state's failing tests that pass here (None: not recorded)."""
        failing = self.fixed + self.still_failing
        return self.fixed / failing if failing else None

    @classmethod
    def from_record(cls, record: Json) -> TestEvidence | None:
        """Parse a node's tests record; None when there is none."""
        if record is None:
            return None
        if not isinstance(record, Mapping):
            raise BadTestsRecord(f"a tests record is a JSON object, not {record!r}")
        reproduction = record.get("reproduction")
        if reproduction is not None and not isinstance(reproduction, bool):
            raise BadTestsRecord(f"tests.reproduction is true, false or null: {reproduction!r}")
        fixed, still_failing = _count(record, "fixed"), _count(record, "still_failing")
        regression = record.get("regression")
        if regression is None:
            return cls(reproduction=reproduction, fixed=fixed, still_failing=still_failing)
        if not isinstance(regression, Mapping):
            raise BadTestsRecord(f"tests.regression is a JSON object, not {regression!r}")
        counts = {key: regression.get(key, 0) for key in ("passed", "failed", "flaky")}
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in counts.values()):
            raise BadTestsRecord(f"tests.regression counts are whole numbers >= 0: {counts}")
        return cls(
            reproduction=reproduction,
            regression_ran=True,
            fixed=fixed,
            still_failing=still_failing,
            **counts,
        )

    @property
    def verdict(self) -> Verdict:
        """Resolved, clean, untested or broken."""
        if self.reproduction is False or self.failed > 0:
            return Verdict.BROKEN
        if self.reproduction is True:
            return Verdict.RESOLVED
        return Verdict.CLEAN if self.regression_ran else Verdict.UNTESTED


def _count(record: Mapping[str, Json], key: str) -> int:
    """The length of a list of test ids in a tests record (0 when absent)."""
    value = record.get(key)
    if value is None:
        return 0
    if not isinstance(value, list):
        raise BadTestsRecord(f"tests.{key} is a list of test ids, not {value!r}")
    return len(value)


def verdict_of(node: Node) -> Verdict:
    """The verdict of a node's tests record (untested when it has none)."""
    evidence = TestEvidence.from_record(node.tests)
    return evidence.verdict if evidence is not None else Verdict.UNTESTED


@dataclass(frozen=True)
class TestEvidenceValue:
    """Scores a node from its tests record alone; abstains (None) when no tests ran."""

    __test__ = False

    reproduction_weight: float = 2.0
    regression_weight: float = 1.0
    regression_floor: float = 25.0  # even one regression costs at least this much

    def evaluate(self, node: Node) -> Reward | None:
        """Reproduction: +100 passes; when it fails, -100 less 100 per share of the failing
        tests it fixed (half of them fixed: -50); regressions: +100 none, else <= -floor."""
        evidence = TestEvidence.from_record(node.tests)
        if evidence is None:
            return None
        parts: dict[str, float] = {}
        if evidence.reproduction is not None:
            parts["reproduction"] = 100.0 if evidence.reproduction else _failing_part(evidence)
        if evidence.regression_ran:
            parts["regression"] = self._regression_part(evidence)
        if not parts:
            return None
        weights = {"reproduction": self.reproduction_weight, "regression": self.regression_weight}
        value = sum(weights[k] * v for k, v in parts.items()) / sum(weights[k] for k in parts)
        return Reward.clamped(value, parts=parts, explanation=_describe(evidence))

    def _regression_part(self, evidence: TestEvidence) -> float:
        if evidence.failed == 0:
            return 100.0
        share = evidence.failed / (evidence.passed + evidence.failed)
        return -max(self.regression_floor, 100.0 * share)


def _failing_part(evidence: TestEvidence) -> float:
    """-100 for a reproduction that still fails, less the share of failing tests it fixed."""
    return -100.0 * (1.0 - (evidence.progress or 0.0))


def _describe(evidence: TestEvidence) -> str:
    said = []
    if evidence.reproduction is not None:
        said.append("reproduction " + ("passes" if evidence.reproduction else "still fails"))
        if not evidence.reproduction and evidence.fixed:
            said.append(f"{evidence.fixed} of {evidence.fixed + evidence.still_failing} fixed")
    if evidence.regression_ran:
        said.append(f"regression {evidence.passed} passed, {evidence.failed} failed")
        if evidence.flaky:
            said.append(f"{evidence.flaky} flaky ignored")
    return ", ".join(said)


@dataclass(frozen=True)
class Weighted:
    """One named, weighted part of a `CompositeValue`."""

    name: str
    weight: float
    function: PartialValue


class CompositeValue:
    """A weighted mean of value functions; parts that abstain drop out and the rest reweigh."""

    def __init__(self, parts: Sequence[Weighted]) -> None:
        if not parts or any(p.weight <= 0 for p in parts):
            raise ValueError("a CompositeValue needs at least one part, each with a weight > 0")
        self.parts = tuple(parts)

    @classmethod
    def tests_and_judge(
        cls, judge: PartialValue, *, tests_weight: float = 0.6, judge_weight: float = 0.4
    ) -> CompositeValue:
        """Test evidence first (weight 0.6), the model's judgement against a rubric second."""
        return cls(
            [
                Weighted("tests", tests_weight, TestEvidenceValue()),
                Weighted("judge", judge_weight, judge),
            ]
        )

    def evaluate(self, node: Node) -> Reward:
        """The weighted mean of the parts that had something to say; 0 when none did."""
        given = [(p, r) for p in self.parts if (r := p.function.evaluate(node)) is not None]
        if not given:
            return Reward(0.0, {}, "no evidence")
        total_weight = sum(p.weight for p, _ in given)
        value = sum(p.weight * r.value for p, r in given) / total_weight
        parts: dict[str, float] = {}
        for p, r in given:
            parts[p.name] = r.value
            parts.update({f"{p.name}.{k}": v for k, v in r.parts.items()})
        explanation = "; ".join(
            f"{p.name} {r.value:+.0f} x{p.weight / total_weight:.2f}"
            + (f": {r.explanation}" if r.explanation else "")
            for p, r in given
        )
        return Reward.clamped(value, parts=parts, explanation=explanation)
