"""The rewrite kind on a real repository: sampled siblings, checked before the tests, scored."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sandbox import start_sandbox
from search import Node, SearchTree
from swe_agent.agent.evidence import TestProbe
from swe_agent.agent.expander import AgentExpander, StepValue
from swe_agent.agent.policy import AgentConfig, Policy
from swe_agent.agent.rewrite import Target
from swe_agent.agent.trajectory import Trajectory, read_events
from swe_agent.models import Message, get_model

STATS = (
    "def mean(values):\n    return sum(values) / len(values)\n\n\n"
    "def median(values):\n    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n"
)
TESTS = (
    "from stats import median\n\n\n"
    "def test_odd():\n    assert median([3, 1, 2]) == 2\n\n\n"
    "def test_even():\n    assert median([4, 1, 3, 2]) == 2.5\n"
)
WRONG = (
    "The middle is off.\n```python\ndef median(values):\n"
    "    ordered = sorted(values)\n    return ordered[len(ordered) // 2 - 1]\n```"
)
WRONG_AGAIN = (  # the same code, formatted and commented differently
    "Same idea.\n```python\ndef median( values ):\n    # sort first\n"
    "    ordered = sorted( values )\n    return ordered[len(ordered)//2 - 1]\n```"
)
RIGHT = (
    "An even count averages the two middle values.\n```python\ndef median(values):\n"
    "    ordered = sorted(values)\n    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2 == 0:\n        return (ordered[middle - 1] + ordered[middle]) / 2\n"
    "    return ordered[middle]\n```"
)
OPENING: list[Message] = [
    {"role": "system", "content": "You fix issues."},
    {"role": "user", "content": "median([4, 1, 3, 2]) should be 2.5"},
]


def _repo(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    (root / "stats.py").write_text(STATS)
    (root / "test_stats.py").write_text(TESTS)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    return root


def test_rewrite_siblings_sample_are_checked_and_scored(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    with start_sandbox(repo, backend="local") as box, Trajectory(tmp_path / "t.jsonl") as traj:
        probe = TestProbe(box, "python -m pytest -q -p no:cacheprovider test_stats.py", strict=True)
        probe.record_base()
        model = get_model([WRONG, WRONG_AGAIN, RIGHT])
        policy = Policy(model, config=AgentConfig(), trajectory=traj)
        expander = AgentExpander(
            policy,
            box,
            opening=OPENING,
            trajectory=traj,
            probe=probe,
            max_steps=5,
            targets=[Target("stats.py", "median")],
        )
        tree = SearchTree.new(box.base_state)
        root = tree.root
        assert expander.kinds(root) == ("rewrite", "act")
        children: list[Node] = []
        for _ in range(3):
            expansion = expander.expand(root, tree.siblings_of_next_child(root), kind="rewrite")
            children.append(tree.add_child(root, expansion))
        wrong, again, right = children
        patch = box.diff(box.base_state, right.state)

    assert [c.action["temperature"] for c in children] == [0.0, 0.7, 1.0]
    assert {c.kind for c in children} == {"rewrite"}
    # The wrong candidate ran the tests: the failing test still fails (another way).
    assert wrong.state != root.state and wrong.tests["reproduction"] is False
    assert "0 of 1 failing tests pass now" in wrong.observation["text"]
    assert "assert 2 == 2.5" in wrong.observation["text"]  # the failure it left
    # The same code again is refused before any test: same state, no tests record.
    assert again.state == root.state and again.tests is None
    assert "same code as an earlier candidate" in again.action["rejected"]
    reward = StepValue().evaluate(again)
    assert reward is not None and reward.value == -40.0
    # The right one finishes the branch.
    assert right.terminal and right.tests["reproduction"] is True
    assert "+        return (ordered[middle - 1] + ordered[middle]) / 2" in patch
    calls = [e for e in read_events(tmp_path / "t.jsonl") if e["type"] == "model_call"]
    first = calls[0]["messages"]
    # The request extends the first message (a shared prefix) with the source and the failure.
    assert first[0] == OPENING[0] and first[1]["content"].startswith(OPENING[1]["content"])
    assert "return ordered[len(ordered) // 2]" in first[1]["content"]
    assert "assert 3 == 2.5" in first[1]["content"]  # the failure at the base
    assert "complete corrected definition of `median`" in first[1]["content"]
    # Samples stay independent: no note on the siblings, the same request each time.
    assert [c["messages"] for c in calls[1:]] == [calls[0]["messages"]] * 2
    assert [e["why"] for e in read_events(tmp_path / "t.jsonl") if e["type"] == "rejected"]


def test_no_target_no_rewrite_kind(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    with start_sandbox(repo, backend="local") as box, Trajectory(tmp_path / "t.jsonl") as traj:
        policy = Policy(get_model([]), config=AgentConfig(), trajectory=traj)
        expander = AgentExpander(
            policy, box, opening=OPENING, trajectory=traj, probe=None, max_steps=5
        )
        assert expander.kinds(SearchTree.new(box.base_state).root) == ("act",)


def test_a_step_that_changes_no_file_does_not_ask_the_same_sample_again(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    view = 'I read the module.\n```python\nview("stats.py")\n```'
    with start_sandbox(repo, backend="local") as box, Trajectory(tmp_path / "t.jsonl") as traj:
        probe = TestProbe(box, "python -m pytest -q -p no:cacheprovider test_stats.py", strict=True)
        probe.record_base()
        policy = Policy(get_model([WRONG, view, RIGHT]), config=AgentConfig(), trajectory=traj)
        expander = AgentExpander(
            policy,
            box,
            opening=OPENING,
            trajectory=traj,
            probe=probe,
            max_steps=5,
            targets=[Target("stats.py", "median")],
        )
        tree = SearchTree.new(box.base_state)
        first = tree.add_child(tree.root, expander.expand(tree.root, [], kind="rewrite"))
        box.restore(tree.root.state)
        read = tree.add_child(tree.root, expander.expand(tree.root, [], kind="act"))
        assert read.state == tree.root.state  # the same files, another branch
        again = tree.add_child(read, expander.expand(read, [], kind="rewrite"))
    # The greedy sample from these files was asked already: the next one samples on.
    assert [first.action["temperature"], again.action["temperature"]] == [0.0, 0.7]
    assert again.terminal and again.tests["reproduction"] is True


def test_a_suite_failure_that_never_touches_the_target_is_not_shown(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "test_env.py").write_text(  # fails for the environment's sake, first in the report
        "import os\n\n\ndef test_home():\n    assert os.environ.get('NO_SUCH_VAR_X') == '/home'\n"
    )
    repo = _repo(repo)
    with start_sandbox(repo, backend="local") as box, Trajectory(tmp_path / "t.jsonl") as traj:
        probe = TestProbe(box, "python -m pytest -q -p no:cacheprovider")  # no named tests
        assert probe.record_base().failing == {"test_env.py::test_home", "test_stats.py::test_even"}
        policy = Policy(get_model([WRONG]), config=AgentConfig(), trajectory=traj)
        expander = AgentExpander(
            policy,
            box,
            opening=OPENING,
            trajectory=traj,
            probe=probe,
            max_steps=5,
            targets=[Target("stats.py", "median")],
        )
        tree = SearchTree.new(box.base_state)
        expander.expand(tree.root, tree.siblings_of_next_child(tree.root), kind="rewrite")
    calls = [e for e in read_events(tmp_path / "t.jsonl") if e["type"] == "model_call"]
    request = calls[0]["messages"][1]["content"]
    assert "assert 3 == 2.5" in request  # the failure of the function under repair
    assert "NO_SUCH_VAR_X" not in request and "test_home" not in request


PASSING_TESTS = "from stats import mean\n\n\ndef test_mean():\n    assert mean([1, 2, 3]) == 2\n"
MEDIAN_FIXED = (
    "An even count averages the two middle values.\n```python\ndef median(values):\n"
    "    ordered = sorted(values)\n    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2 == 0:\n        return (ordered[middle - 1] + ordered[middle]) / 2\n"
    "    return ordered[middle]\n```"
)


def test_with_no_failing_test_the_issue_alone_asks_for_a_rewrite_at_the_base(
    tmp_path: Path,
) -> None:
    # As in most SWE-bench instances, the issue's own test does not exist before its fix:
    # every test passes at the base, and the rewrite is scored by what it must not break.
    repo = tmp_path / "repo"
    repo.mkdir()
    repo = _repo(repo)
    (repo / "test_stats.py").write_text(PASSING_TESTS)
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "commit", "-qam", "only the passing test"], cwd=repo, check=True)
    with start_sandbox(repo, backend="local") as box, Trajectory(tmp_path / "t.jsonl") as traj:
        probe = TestProbe(box, "python -m pytest -q -p no:cacheprovider")  # no named tests
        assert probe.record_base().failing == set()
        policy = Policy(get_model([MEDIAN_FIXED]), config=AgentConfig(), trajectory=traj)
        expander = AgentExpander(
            policy,
            box,
            opening=OPENING,
            trajectory=traj,
            probe=probe,
            max_steps=5,
            targets=[Target("stats.py", "median")],
        )
        tree = SearchTree.new(box.base_state)
        assert expander.kinds(tree.root) == ("rewrite", "act")
        expansion = expander.expand(tree.root, [], kind="rewrite")
        child = tree.add_child(tree.root, expansion)
        # Past the base, with nothing failing, the conversation goes on (run, view, submit).
        assert expander.kinds(child) == ("act",)
    assert child.state != tree.root.state and not child.terminal
    assert child.tests["reproduction"] is None and child.tests["regression"]["failed"] == 0
    said = "nothing broke, and no test failed on this code before the change"
    assert said in child.observation["text"]
    events = read_events(tmp_path / "t.jsonl")
    request = next(e for e in events if e["type"] == "model_call")["messages"][1]["content"]
    assert "complete corrected definition of `median` that fixes the issue" in request
    assert "The tests fail" not in request


def test_named_tests_that_pass_at_the_base_offer_no_rewrite(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    with start_sandbox(repo, backend="local") as box, Trajectory(tmp_path / "t.jsonl") as traj:
        command = "python -m pytest -q -p no:cacheprovider test_stats.py::test_odd"
        probe = TestProbe(box, command, strict=True)  # named for the issue, and they pass
        assert probe.record_base().failing == set()
        policy = Policy(get_model([]), config=AgentConfig(), trajectory=traj)
        expander = AgentExpander(
            policy,
            box,
            opening=OPENING,
            trajectory=traj,
            probe=probe,
            max_steps=5,
            targets=[Target("stats.py", "median")],
        )
        assert expander.kinds(SearchTree.new(box.base_state).root) == ("act",)
