"""The review app in a real terminal (tmux): `swe-agent review` and `swe-agent solve --tui`."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_testlib import FIXTURE_RUN, ROOT, RUN_ID, git, head

SWE_AGENT = Path(sys.executable).with_name("swe-agent")
TIMEOUT_S = 30.0
pytestmark = pytest.mark.slow


class Terminal:
    """One tmux server on its own socket, running one command in an 80x24 window."""

    def __init__(self, cwd: Path, argv: list[str]) -> None:
        self.base = ["tmux", "-L", f"swe-review-{uuid.uuid4().hex[:8]}", "-f", "/dev/null"]
        env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [*self.base, "new-session", "-d", "-x", "80", "-y", "24", "-s", "review"]
            + ["-c", str(cwd), shlex.join(argv)],
            check=True,
            env=env,
        )

    def screen(self) -> str:
        """The visible text of the pane."""
        out = subprocess.run(
            [*self.base, "capture-pane", "-p", "-t", "review"], capture_output=True, text=True
        )
        return out.stdout

    def keys(self, *keys: str) -> None:
        """Type keys into the pane."""
        subprocess.run([*self.base, "send-keys", "-t", "review", *keys], check=True)

    def alive(self) -> bool:
        """True while the command runs (the session ends with it)."""
        probe = [*self.base, "has-session", "-t", "review"]
        return subprocess.run(probe, capture_output=True).returncode == 0

    def close(self) -> None:
        """Stop the tmux server of this test."""
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def _wait(what: str, ready: Callable[[], bool], describe: Callable[[], str]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; screen:\n{describe()}")


@pytest.fixture
def terminal(repo: Path) -> Iterator[Terminal]:
    term = Terminal(repo, [str(SWE_AGENT), "review"])
    try:
        yield term
    finally:
        term.close()


def test_review_accept_apply_undo_quit(repo: Path, terminal: Terminal) -> None:
    base = head(repo)
    shown = terminal.screen

    _wait("the review screen", lambda: "median() returns the wrong" in shown(), shown)
    _wait("the chosen node's hunk", lambda: "[ ] @@" in shown(), shown)
    screen = shown()
    assert "★#3 +73 n1" in screen and "calculator/stats.py" in screen
    assert "resolved" in screen and "Apply" in screen

    terminal.keys("a")
    _wait("accepted marks", lambda: "[x] @@" in shown() and "[ ] @@" not in shown(), shown)
    assert head(repo) == base  # accepting changes nothing yet

    terminal.keys("p")
    _wait("the apply commit", lambda: head(repo) != base, shown)
    _wait("the apply notification", lambda: "applied as" in shown(), shown)
    assert git(repo, "rev-parse", "HEAD~1").strip() == base
    assert git(repo, "log", "-1", "--format=%s").strip() == (
        f"swe-agent: apply 1 of 1 hunks of node #3, run {RUN_ID}"
    )
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["calculator/stats.py"]

    terminal.keys("u")
    _wait("the undo", lambda: head(repo) == base, shown)
    _wait("the undo notification", lambda: "undone by reset" in shown(), shown)
    assert git(repo, "status", "--porcelain") == ""

    terminal.keys("q")
    _wait("the app to quit", lambda: not terminal.alive(), shown)
    assert head(repo) == base


def test_solve_tui_shows_the_search_live_and_quits(repo: Path) -> None:
    """solve --tui replays the recorded run's model replies; the app follows its folder."""
    before = set((repo / ".swe-agent" / "runs").iterdir())
    argv = [str(SWE_AGENT), "solve", "--issue", "@ISSUE.md", "--tui"]
    argv += ["--model", f"replay:{FIXTURE_RUN}", "--sandbox", "local", "--no-env"]
    term = Terminal(repo, [*argv, "--iterations", "12"])
    shown = term.screen
    try:
        _wait("the live review", lambda: "median() returns the wrong" in shown(), shown)
        # the tree grows as the search adds nodes; the chosen node is marked once it is done
        _wait(
            "the chosen node", lambda: "★#3 " in shown() and "(no valid action)" in shown(), shown
        )
        _wait("the final status", lambda: "resolved" in shown(), shown)
        term.keys("t")  # the run ended; --no-env left no image to re-run its tests in
        refused = ("tests: Bad input", "swe-agent env setup builds it")  # wrapped: whole lines
        _wait("the test re-run's refusal", lambda: all(r in shown() for r in refused), shown)
        term.keys("q")
        _wait("solve to finish", lambda: not term.alive(), shown)
    finally:
        term.close()
    (run_dir,) = set((repo / ".swe-agent" / "runs").iterdir()) - before
    assert json.loads((run_dir / "report.json").read_text())["status"] == "resolved"
    assert git(repo, "status", "--porcelain") == ""  # solve --tui never applies by itself
