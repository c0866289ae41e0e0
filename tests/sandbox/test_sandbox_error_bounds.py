"""An action's error is bounded like its output: a huge exception message reaches no prompt."""

from __future__ import annotations

from pathlib import Path

from sandbox import start_sandbox


def test_a_huge_exception_message_is_cut_like_output(module_repo: Path) -> None:
    # Before: the whole message, twice (error and traceback), went into every later prompt.
    with start_sandbox(module_repo, backend="local") as box:
        obs = box.execute("raise ValueError('x' * 1_000_000)")
    assert obs.error is not None and obs.traceback is not None
    assert obs.error.startswith("ValueError: xxx") and len(obs.error) < 10_100
    assert "characters truncated" in obs.error
    assert "Traceback" in obs.traceback and len(obs.traceback) < 10_100
