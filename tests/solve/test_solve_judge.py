"""The model's judgement as part of a node's value, and its vote among finished nodes."""

from __future__ import annotations

import json
from pathlib import Path

from solve_replies import FIX, SUBMIT, local_options

from swe_agent.agent.trajectory import read_events
from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve
from swe_agent.solve.seams import judge_enabled

JUDGED = "The change fixes the average of the two middle values.\nSCORE: 80"


def _options(repo: Path, issue: str, **overrides: object) -> SolveOptions:
    return local_options(repo, issue, **({"judge": "on"} | overrides))


def test_the_judge_scores_a_changed_state_and_is_recorded(calc_repo: Path, issue_text: str) -> None:
    report = solve(_options(calc_repo, issue_text), model=get_model([FIX, JUDGED, SUBMIT]))
    assert report.status == "resolved"
    assert report.model_calls == 3
    events = list(read_events(Path(report.run_dir, "trajectory.jsonl")))
    roles = [e.get("role") for e in events if e["type"] == "model_call"]
    assert roles == [None, "judge", None]  # the submit leaves the judged state: no second call
    tree = json.loads(Path(report.run_dir, "tree.json").read_text())
    judged = [n for n in tree["nodes"] if "judge" in ((n.get("reward") or {}).get("parts") or {})]
    assert judged and judged[0]["reward"]["parts"]["judge"] == 80.0


def test_an_unreadable_judgement_abstains(calc_repo: Path, issue_text: str) -> None:
    report = solve(_options(calc_repo, issue_text), model=get_model([FIX, "no idea", SUBMIT]))
    assert report.status == "resolved"  # the tests decide; the judge said nothing usable


def test_auto_judges_hosted_models_only() -> None:
    repo, issue = Path("."), "x"
    assert judge_enabled(SolveOptions(repo=repo, issue=issue, model="openai/gpt-4o-mini"))
    assert not judge_enabled(SolveOptions(repo=repo, issue=issue))
    assert not judge_enabled(SolveOptions(repo=repo, issue=issue, model="replay:/tmp/run"))
    assert judge_enabled(SolveOptions(repo=repo, issue=issue, judge="on"))


def test_a_hosted_model_also_repairs_environments() -> None:
    from swe_agent.agent.env_repair import ModelRepairer
    from swe_agent.solve.pipeline import env_repairer

    repo, issue = Path("."), "x"
    hosted = SolveOptions(repo=repo, issue=issue, model="openai/gpt-4o-mini")
    assert isinstance(env_repairer(hosted), ModelRepairer)
    assert env_repairer(SolveOptions(repo=repo, issue=issue)) is None


def test_the_seed_goes_to_the_embedded_model_only() -> None:
    from swe_agent.solve.seams import model_settings

    def options(model: str | None, api_base: str | None = None) -> SolveOptions:
        return SolveOptions(repo=Path("."), issue="x", model=model, seed=3, api_base=api_base)

    assert model_settings(options(None)) == {"seed": 3}
    assert model_settings(options("qwen2.5-coder-0.5b")) == {"seed": 3}
    assert model_settings(options("openai/gpt-4o")) == {}  # not every provider takes a seed
    served = options("openai/qwen", api_base="http://127.0.0.1:8000/v1")
    assert model_settings(served) == {"api_base": "http://127.0.0.1:8000/v1"}
    assert get_model(None, **model_settings(options(None))).config.seed == 3  # type: ignore[attr-defined]
