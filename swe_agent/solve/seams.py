"""The parts of a search that depend on the options: the model's settings and meter, the
value function and discriminator, the budget, and what the agent may rewrite."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from swe_agent.agent.expander import StepValue
from swe_agent.agent.trajectory import Trajectory
from swe_agent.solve.options import SolveOptions

if TYPE_CHECKING:
    from repo_graph import CodeGraph
    from sandbox import Sandbox
    from swe_agent.agent.rewrite import Target


def rewrite_targets(
    box: Sandbox, locations: Sequence[dict[str, Any]], options: SolveOptions
) -> list[Any]:
    """The localized functions a rewrite may replace, read from the base state's files."""
    from sandbox import SandboxError
    from swe_agent.agent.rewrite import pick_targets
    from swe_agent.agent.snippets import about_tests

    def source_of(path: str) -> str | None:
        try:
            return str(box.read_file(path))
        except SandboxError:
            return None

    return pick_targets(
        locations,
        source_of=source_of,
        tests_first=about_tests(options.issue),
        max_lines=options.agent.rewrite_max_lines,
    )


def test_selector(graph: CodeGraph | None) -> Callable[[str], list[str]] | None:
    """Diff -> the test files the code graph links to its change (None without a graph)."""
    if graph is None:
        return None
    from swe_agent.solve.context import related_tests

    return lambda diff: related_tests(graph, diff)


def focus_tests(graph: CodeGraph | None, targets: Sequence[Target]) -> list[str]:
    """The test files that check the functions under repair (none: no graph, or no sign of
    any: ``tests_for``)."""
    if graph is None:
        return []
    from swe_agent.solve.context import tests_for

    return tests_for(graph, [t.id for t in targets])


def judging(
    options: SolveOptions,
    box: Sandbox,
    model: Any,
    trajectory: Trajectory,
    *,
    may_call: Callable[[], bool] = lambda: True,
) -> tuple[Any, Any]:
    """The value function and discriminator: tests first, the model's judgement when enabled
    (within the run's cap on model calls: ``may_call``)."""
    from search import CompositeValue, TestEvidenceValue, TestsFirstDiscriminator, Weighted
    from swe_agent.agent.judge import ModelJudge, ModelVote

    tests = Weighted("tests", 0.7, TestEvidenceValue())
    if not judge_enabled(options):
        return CompositeValue([tests, Weighted("step", 0.3, StepValue())]), (
            TestsFirstDiscriminator()
        )
    issue = prompt_issue(options)

    def diff_of(state: str) -> str:
        return str(box.diff(box.base_state, state))

    judge = ModelJudge(
        model, issue=issue, diff_of=diff_of, trajectory=trajectory, may_call=may_call
    )
    vote = ModelVote(model, issue=issue, diff_of=diff_of, trajectory=trajectory, may_call=may_call)
    value = CompositeValue(
        [
            replace(tests, weight=0.6),
            Weighted("judge", 0.25, judge),
            Weighted("step", 0.15, StepValue()),
        ]
    )
    return value, TestsFirstDiscriminator(vote=vote, vote_margin=5.0)


def judge_enabled(options: SolveOptions) -> bool:
    """on / off as asked; auto: on for hosted models, off for the small embedded one and replays."""
    if options.judge != "auto":
        return options.judge == "on"
    return hosted_model(options.model)


def prompt_issue(options: SolveOptions) -> str:
    """The issue as the model is sent it: bounded, head and tail with a note when too long."""
    from swe_agent.agent.bounded import clip_middle

    limit = options.agent.max_issue_chars
    return clip_middle(options.issue, limit=limit, what="the issue").text


def model_settings(options: SolveOptions) -> dict[str, Any]:
    """Settings for the model the options name: the embedded model takes the seed, a litellm
    model the api_base of a self-hosted server."""
    from swe_agent.models.registry import parse_spec

    kind = parse_spec(options.model)[0]
    if kind == "local":
        return {"seed": options.seed}
    if kind == "litellm" and options.api_base:
        return {"api_base": options.api_base}
    return {}


def hosted_model(spec: str | None) -> bool:
    """True for a litellm model (hosted or self-hosted), not the embedded one or a replay."""
    from swe_agent.models.registry import parse_spec

    return isinstance(spec, str) and parse_spec(spec)[0] == "litellm"


def make_budget(options: SolveOptions) -> Any:
    """The search budget the options ask for; linear mode is one expansion per node."""
    from search import Budget, linear

    budget = Budget(
        max_iterations=options.iterations,
        max_depth=options.max_steps,
        max_expansions=options.expansions,
        max_cost=options.budget_usd,
        max_calls=options.max_calls,
        max_seconds=options.wall_time_s,
    )
    return linear(budget) if options.search == "linear" else budget


def calls_left(cap: int | None, meter: Any, *, before: int) -> Callable[[], int | None]:
    """Model calls the run may still make under ``--max-calls`` (None: no cap)."""
    return lambda: None if cap is None else max(0, cap - before - meter.calls)


class Metered:
    """A model whose billed calls also feed the search's cost meter."""

    def __init__(self, model: Any, meter: Any) -> None:
        self._model, self._meter = model, meter
        self.name, self.usage = model.name, model.usage
        self.honours_deadline = getattr(model, "honours_deadline", False)

    def query(self, messages: Any, **kwargs: Any) -> Any:
        response = self._model.query(messages, **kwargs)
        self._meter.add(response.cost_usd)
        return response
