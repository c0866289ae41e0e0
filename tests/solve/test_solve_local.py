"""End-to-end solve with scripted replies, the local sandbox and real git and pytest."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from solve_replies import BREAK, FIX, LOOK, SUBMIT, local_options

from swe_agent.agent.expander import AgentExpander
from swe_agent.agent.policy import AgentConfig
from swe_agent.agent.trajectory import read_events
from swe_agent.models import get_model
from swe_agent.solve import SolveOptions, solve


def _options(repo: Path, issue: str, **overrides: object) -> SolveOptions:
    return local_options(repo, issue, **overrides)


def test_linear_solve_resolves_the_example(calc_repo: Path, issue_text: str) -> None:
    model = get_model([LOOK, FIX, SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    assert report.status == "resolved"
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
    assert "+        return (ordered[middle - 1] + ordered[middle]) / 2" in report.patch
    run = Path(report.run_dir)
    assert json.loads((run / "report.json").read_text())["run_id"] == report.run_id
    assert (run / "patch.diff").read_text() == report.patch
    tree = json.loads((run / "tree.json").read_text())
    assert len(tree["nodes"]) == 4
    kinds = [e["type"] for e in read_events(run / "trajectory.jsonl")]
    assert kinds.count("model_call") == 3 and kinds.count("action") == 3
    # The user's working tree is untouched until they apply.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=calc_repo,
        capture_output=True,
        text=True,
    )
    assert status.stdout == ""


def test_format_errors_are_shown_to_the_model_and_bounded(calc_repo: Path, issue_text: str) -> None:
    model = get_model(["I think the bug is in median.", FIX, SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    assert report.status == "resolved"
    events = list(read_events(Path(report.run_dir) / "trajectory.jsonl"))
    assert [e["type"] for e in events].count("format_error") == 1


def test_step_budget_stops_an_unfinished_run(calc_repo: Path, issue_text: str) -> None:
    model = get_model([LOOK, LOOK, LOOK, LOOK])
    agent = AgentConfig(auto_finish=False, repeat_retries=0, rewrite=False)
    report = solve(_options(calc_repo, issue_text, iterations=3, agent=agent), model=model)
    assert report.status == "unfinished"
    assert report.search["stop_reason"] == "max_iterations"
    assert report.patch == "" and report.autosubmitted is None  # nothing changed: nothing offered


def test_an_unfinished_run_offers_its_best_state_unsubmitted(
    calc_repo: Path, issue_text: str
) -> None:
    model = get_model([LOOK, FIX, LOOK, LOOK])
    agent = AgentConfig(auto_finish=False, repeat_retries=0, rewrite=False)
    options = _options(calc_repo, issue_text, iterations=3, agent=agent, apply=True)
    report = solve(options, model=model)
    assert report.status == "unfinished" and not report.succeeded
    assert "+        return (ordered[middle - 1] + ordered[middle]) / 2" in report.patch
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
    saved = json.loads((Path(report.run_dir) / "report.json").read_text())
    assert saved["autosubmitted"]["node"] == 2 and saved["autosubmitted"]["verdict"] == "resolved"
    assert "not submitted by the model" in saved["autosubmitted"]["why"]
    assert saved["search"]["chosen"] is None and report.applied is None  # never applied
    assert (Path(report.run_dir) / "patch.diff").read_text() == report.patch


def test_the_call_cap_holds_for_re_asks_too(calc_repo: Path, issue_text: str) -> None:
    prose = "I think the bug is in median."
    model = get_model([prose] * 3 + [LOOK] * 4)
    report = solve(_options(calc_repo, issue_text, max_calls=2), model=model)
    events = list(read_events(Path(report.run_dir, "trajectory.jsonl")))
    assert [e["type"] for e in events].count("model_call") == 2  # not 1 + 3 format re-asks
    assert report.search["stop_reason"] == "max_calls"
    assert report.search["calls"] == 2


def test_a_repeated_action_is_asked_again(calc_repo: Path, issue_text: str) -> None:
    model = get_model([LOOK, LOOK, FIX, SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    events = list(read_events(Path(report.run_dir, "trajectory.jsonl")))
    assert [e["type"] for e in events].count("repeat") == 1
    assert [e["type"] for e in events].count("model_call") == 4
    assert report.status == "resolved"


COPIED_EXAMPLE = (  # sqlfluff-2419's first reply: the system prompt's worked example, verbatim
    "The remainder of an even number is 0, not 1, so I will write the corrected function.\n"
    "```python\ndef is_even(n):\n    return n % 2 == 0\n```\n"
)


def test_a_copy_of_the_prompts_worked_example_is_asked_again(
    calc_repo: Path, issue_text: str
) -> None:
    model = get_model([COPIED_EXAMPLE, FIX, SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    events = list(read_events(Path(report.run_dir, "trajectory.jsonl")))
    repeats = [e for e in events if e["type"] == "repeat"]
    assert [(e["example"], e["code"]) for e in repeats] == [
        (True, "def is_even(n):\n    return n % 2 == 0")
    ]
    calls = [e for e in events if e["type"] == "model_call"]
    assert "worked example from the instructions" in calls[1]["messages"][-1]["content"]
    assert [e["code"] for e in events if e["type"] == "action"][
        0
    ] != "def is_even(n):\n    return n % 2 == 0"
    assert report.status == "resolved" and len(calls) == 3


RUN_TESTS = "Check.\n```python\nrun_tests()\n```"


def test_run_tests_after_a_change_runs_the_test_files_related_to_it(
    calc_repo: Path, issue_text: str
) -> None:
    model = get_model([RUN_TESTS, FIX, RUN_TESTS, SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    events = list(read_events(Path(report.run_dir, "trajectory.jsonl")))
    before, after = [e["obs"]["stdout"] for e in events if e["type"] == "action"][::2][:2]
    # At the base (no change) the whole suite runs: 4 tests of stats, 3 of core.
    assert "related to your change" not in before and "1 failed, 6 passed" in before
    # After the edit of stats.py only the test file that imports it runs.
    assert "the 1 test files related to your change: tests/test_stats.py" in after
    assert "4 passed" in after
    assert report.status == "resolved"


def test_a_submitted_change_that_breaks_tests_is_not_resolved(
    calc_repo: Path, issue_text: str
) -> None:
    model = get_model([BREAK, SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    assert report.status == "submitted"
    assert (report.tests or {})["reproduction"] is False
    assert (report.tests or {})["broken"]


def test_apply_commits_the_patch(calc_repo: Path, issue_text: str) -> None:
    model = get_model([FIX, SUBMIT])
    report = solve(_options(calc_repo, issue_text, apply=True), model=model)
    assert report.applied and report.applied["commit"]
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=calc_repo, capture_output=True, text=True
    )
    assert log.stdout.splitlines()[0].startswith("swe-agent")


def test_mcts_backs_out_of_a_branch_that_breaks_the_tests(calc_repo: Path, issue_text: str) -> None:
    model = get_model([BREAK, FIX, SUBMIT, LOOK, LOOK, LOOK])
    report = solve(_options(calc_repo, issue_text, search="mcts"), model=model)
    assert report.status == "resolved"
    nodes = json.loads((Path(report.run_dir) / "tree.json").read_text())["nodes"]
    broken, fixed = nodes[1], nodes[2]
    assert broken["parent"] == fixed["parent"] == 0  # the second try is a sibling
    assert broken["reward"]["value"] < 0 < fixed["reward"]["value"]
    assert broken["tests"]["broken"] and fixed["tests"]["fixed"]
    chosen = nodes[report.search["chosen"]]
    assert chosen["terminal"] and chosen["parent"] == fixed["id"]
    assert (Path(report.run_dir) / "nodes" / f"{chosen['id']}.diff").read_text()


def test_a_killed_run_resumes_from_its_folder(calc_repo: Path, issue_text: str) -> None:
    from swe_agent.models import Fault, FaultKind
    from swe_agent.models.replay import ReplayModel
    from swe_agent.runs import list_runs
    from swe_agent.solve.resume import load_options

    crash = {2: Fault(FaultKind.RAISE, error=KeyboardInterrupt())}
    options = _options(calc_repo, issue_text)
    with pytest.raises(KeyboardInterrupt):
        solve(options, model=ReplayModel([LOOK, FIX, SUBMIT], faults=crash))
    (run,) = list_runs(calc_repo)
    assert not run.report.exists()
    assert len(json.loads(run.tree.read_text())["nodes"]) == 3  # root, look, fix
    report = solve(load_options(run), model=get_model([SUBMIT]), run=run, resume=True)
    assert report.status == "resolved"
    assert (report.tests or {})["fixed"] == ["tests/test_stats.py::test_median_even"]
    assert report.run_id == run.run_id
    events = [e["type"] for e in read_events(run.trajectory)]
    assert "resume" in events


def test_node_diffs_carry_no_bytecode_or_caches(calc_repo: Path, issue_text: str) -> None:
    model = get_model([FIX, "Check.\n```python\nrun_tests()\n```", SUBMIT])
    report = solve(_options(calc_repo, issue_text), model=model)
    run = Path(report.run_dir)
    for diff in (run / "nodes").glob("*.diff"):
        assert "__pycache__" not in diff.read_text() and ".pyc" not in diff.read_text()
    tree = json.loads((run / "tree.json").read_text())
    fix, tests = tree["nodes"][1], tree["nodes"][2]
    assert tests["state"] == fix["state"]  # running the tests changes no file


def test_a_whole_function_rewrite_replaces_it_in_its_file(calc_repo: Path, issue_text: str) -> None:
    from solve_replies import REWRITE

    report = solve(_options(calc_repo, issue_text), model=get_model([REWRITE, SUBMIT]))
    assert report.status == "resolved"
    assert "-    return ordered[middle]" not in report.patch
    assert "+    if len(ordered) % 2 == 0:" in report.patch


def test_a_state_that_fixes_the_failing_tests_finishes_its_branch(
    calc_repo: Path, issue_text: str
) -> None:
    options = _options(calc_repo, issue_text, agent=AgentConfig(rewrite=False))
    report = solve(options, model=get_model([FIX]))
    assert report.status == "resolved"
    assert report.search["nodes"] == 2  # root and the fix: no submit() needed
    tree = json.loads((Path(report.run_dir) / "tree.json").read_text())
    assert "finished]" in tree["nodes"][1]["observation"]["text"]


def test_a_rewrite_that_changes_nothing_is_refused(calc_repo: Path, issue_text: str) -> None:
    from solve_replies import REWRITE

    unchanged = (
        "Rewrite median.\n```python\ndef median(values):\n"
        '    """Middle value of the sorted values (the mean of the two middle ones for even '
        'counts)."""\n'
        "    ordered = sorted(_require_values(values))\n    middle = len(ordered) // 2\n"
        "    return ordered[middle]\n```"
    )
    report = solve(_options(calc_repo, issue_text), model=get_model([unchanged, REWRITE, SUBMIT]))
    tree = json.loads((Path(report.run_dir) / "tree.json").read_text())
    refused = tree["nodes"][1]
    assert refused["dead_end"] and refused["state"] == tree["nodes"][0]["state"]
    assert refused["tests"] is None
    why = refused["action"]["rejected"]
    assert why == "median in calculator/stats.py is already exactly this: nothing changed"
    assert refused["reward"]["value"] == -40.0
    assert report.status == "resolved"  # the chain went on from the root


def test_a_rewrite_of_a_local_name_is_refused_naming_the_function_to_write(
    calc_repo: Path, issue_text: str
) -> None:
    from solve_replies import REWRITE

    local = "Fix the ordering.\n```python\ndef ordered(values):\n    return sorted(values)\n```"
    report = solve(_options(calc_repo, issue_text), model=get_model([local, REWRITE, SUBMIT]))
    tree = json.loads((Path(report.run_dir) / "tree.json").read_text())
    refused = tree["nodes"][1]
    assert refused["dead_end"] and refused["reward"]["value"] == -40.0
    why = refused["action"]["rejected"]
    assert why.startswith("no file defines ordered, so no file changed: ordered is a name used")
    assert "median in calculator/stats.py (line 18)" in why and "corrected median." in why
    assert report.status == "resolved"


def test_the_models_deadline_starts_with_the_search_clock(
    calc_repo: Path, issue_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set-up between the base tests and the search (here slowed by a second) does not eat the
    model's time: else its deadline passes while the search still has time, and the next call
    is asked with none left (it came back empty)."""
    import time

    import search
    from swe_agent.solve import pipeline

    slow_targets = pipeline.rewrite_targets

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(1.0)
        return slow_targets(*args, **kwargs)  # type: ignore[arg-type]

    seen: list[float] = []
    start = search.Search.start

    def at_start(self: search.Search, state: str) -> object:
        expander = self.seams.expander
        assert isinstance(expander, AgentExpander) and expander.policy.deadline is not None
        seen.append(expander.policy.deadline - time.monotonic())
        return start(self, state)

    monkeypatch.setattr(pipeline, "rewrite_targets", slow)
    monkeypatch.setattr(search.Search, "start", at_start)
    report = solve(_options(calc_repo, issue_text, wall_time_s=600), model=get_model([FIX, SUBMIT]))
    assert report.status == "resolved"
    assert len(seen) == 1 and 599.5 < seen[0] <= 600
