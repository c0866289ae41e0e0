"""Each budget stops the search, with the stop reason recorded."""

from __future__ import annotations

import pytest
from search_fakes import ScriptedExpander, ScriptedValue, StepClock, edit, submit

from search import (
    Budget,
    BudgetError,
    CostMeter,
    Node,
    Seams,
    Search,
    SearchOptions,
    Selection,
    StopReason,
    linear,
    reward_at_least,
)

SCRIPT = {"base": [edit("a"), edit("b"), edit("c")], "a": [edit("a1"), submit("a")]}


def _run(budget: Budget, *, script=SCRIPT, meter=None, clock=None, value=None, **options):
    value = value or ScriptedValue({"a": 20.0, "b": -10.0})
    extra = {"clock": clock} if clock is not None else {}
    search = Search(
        Seams(ScriptedExpander(script), value),
        options=SearchOptions(budget=budget, **options),
        meter=meter,
        **extra,
    )
    return search.start("base")


def test_iterations_budget() -> None:
    result = _run(Budget(max_iterations=4))
    assert result.stop_reason is StopReason.ITERATIONS
    assert result.tree.iteration == 4
    assert len(result.tree.nodes) == 5


def test_depth_budget() -> None:
    result = _run(linear(Budget(max_iterations=50, max_depth=3)))
    assert result.stop_reason is StopReason.DEPTH
    assert max(n.depth for n in result.tree.nodes.values()) == 3


def test_expansions_budget() -> None:
    script = {"base": [submit("x"), submit("y")]}
    result = _run(Budget(max_iterations=50, max_expansions=2), script=script)
    assert result.stop_reason is StopReason.EXPANSIONS
    assert len(result.tree.root.children) == 2


def test_dollar_budget_counts_every_billed_call() -> None:
    meter = CostMeter()
    value = ScriptedValue({}, meter=meter, dollars_per_call=0.4)
    result = _run(Budget(max_iterations=50, max_cost=1.0), meter=meter, value=value)
    assert result.stop_reason is StopReason.COST
    assert result.tree.iteration == 3  # 0.4, 0.8, then 1.2 crosses the limit
    assert result.tree.cost == pytest.approx(1.2)
    assert meter.calls == 3


def test_call_budget_counts_every_billed_call() -> None:
    meter = CostMeter()
    value = ScriptedValue({}, meter=meter, dollars_per_call=0.0)
    result = _run(Budget(max_iterations=50, max_calls=4), meter=meter, value=value)
    assert result.stop_reason is StopReason.CALLS
    assert result.tree.calls == 4
    assert result.tree.iteration == 4


def test_wall_time_budget_with_an_injected_clock() -> None:
    result = _run(Budget(max_iterations=50, max_seconds=25), clock=StepClock(10.0))
    assert result.stop_reason is StopReason.WALL_TIME
    assert result.tree.elapsed_s >= 25


def test_finished_nodes_budget() -> None:
    script = {"base": [submit("x"), submit("y"), submit("z")]}
    result = _run(Budget(max_iterations=50, max_finished=2), script=script)
    assert result.stop_reason is StopReason.FINISHED
    assert len(result.tree.finished()) == 2


def test_good_enough_stops_at_the_first_acceptable_finished_node() -> None:
    script = {"base": [submit("weak"), submit("strong"), edit("later")]}
    value = ScriptedValue({"weak": 10.0, "strong": 80.0})
    result = _run(
        Budget(max_iterations=50), script=script, value=value, good_enough=reward_at_least(50)
    )
    assert result.stop_reason is StopReason.GOOD_ENOUGH
    assert result.best is result.tree.nodes[2]


class _GivesUp:
    """A selector that finds nothing worth expanding."""

    def select(self, root: Node, *, expandable) -> Selection:  # type: ignore[no-untyped-def]
        return Selection(None)


def test_a_selector_with_nothing_to_expand_exhausts_the_search() -> None:
    search = Search(
        Seams(ScriptedExpander(SCRIPT), ScriptedValue({}), selector=_GivesUp()),
        options=SearchOptions(budget=Budget(max_iterations=5)),
    )
    result = search.start("base")
    assert result.stop_reason is StopReason.EXHAUSTED
    assert len(result.tree.nodes) == 1
    assert result.choice is None


@pytest.mark.parametrize(
    "field", ["max_iterations", "max_depth", "max_cost", "max_calls", "max_seconds"]
)
@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_a_budget_that_cannot_be_searched_with_is_bad_input(field: str, bad: float) -> None:
    with pytest.raises(BudgetError) as info:
        Budget(**{field: bad})  # type: ignore[arg-type]
    assert info.value.exit_code == 2
    assert info.value.hint


def test_budget_json_round_trip_and_unknown_fields() -> None:
    budget = Budget(max_iterations=7, max_cost=0.5, max_seconds=None)
    assert Budget.from_json(budget.to_json()) == budget
    with pytest.raises(BudgetError, match="max_dolars"):
        Budget.from_json({"max_dolars": 3})


def test_the_cost_meter_refuses_negative_costs() -> None:
    meter = CostMeter()
    meter.add(0.25)
    with pytest.raises(BudgetError):
        meter.add(-0.1)
    assert (meter.total, meter.calls) == (0.25, 1)


def test_linear_keeps_the_other_limits() -> None:
    budget = linear(Budget(max_iterations=9, max_depth=4))
    assert (budget.max_iterations, budget.max_depth, budget.max_expansions) == (9, 4, 1)
    assert budget.linear


def test_a_budget_that_never_stops_is_refused() -> None:
    with pytest.raises(BudgetError, match="never stops"):
        Budget(max_iterations=None, max_expansions=None)
    assert Budget(max_iterations=None, max_cost=2.0).max_cost == 2.0
    assert Budget(max_iterations=None).max_depth == 20  # depth x expansions bound the tree


def test_the_summary_names_what_a_json_report_needs() -> None:
    script = {"base": [edit("a"), submit("b")], "a": [edit("a1")]}
    result = _run(Budget(max_iterations=4), script=script, value=ScriptedValue({"a": -90.0}))
    summary = result.summary()
    assert set(summary) == {
        "mode",
        "nodes",
        "finished",
        "max_depth",
        "iterations",
        "calls",
        "stop_reason",
        "chosen",
    }
    assert summary["nodes"] == len(result.tree.nodes) == summary["iterations"] + 1
    assert summary["finished"] == len(result.tree.finished()) >= 1
    assert summary["stop_reason"] == str(result.stop_reason)
