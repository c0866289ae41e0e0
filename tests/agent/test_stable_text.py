"""The model's prompt does not depend on where or when a run happens."""

from __future__ import annotations

import os
from pathlib import Path

from swe_agent.agent.stable_text import shown_workdir, stable_text


def test_a_temporary_workspace_is_shown_as_the_current_folder(tmp_path: Path) -> None:
    root = str(tmp_path / "workspace")
    trace = f'File "{root}/calculator/stats.py", line 22, in median\nrootdir: {root}'
    assert shown_workdir(root) == "."
    assert stable_text(trace, workdir=root) == (
        'File "calculator/stats.py", line 22, in median\nrootdir: .'
    )


def test_a_symlinked_workspace_is_shown_relative_under_either_path(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    text = f"{os.path.realpath(link)}/a.py and {link}/b.py"
    assert stable_text(text, workdir=str(link)) == "a.py and b.py"


def test_the_docker_workspace_stays_as_it_is() -> None:
    text = 'File "/workspace/calc/stats.py", line 3'
    assert shown_workdir("/workspace") == "/workspace"
    assert stable_text(text, workdir="/workspace") == text


def test_durations_and_addresses_are_dropped() -> None:
    text = (
        "tests/test_stats.py .F\n"
        "========== 1 failed, 6 passed in 0.12s ==========\n"
        "===== 3 passed in 61.02s (0:01:01) =====\n"
        "Ran 3 tests in 0.001s\n"
        "<calculator.core.Calc object at 0x7f3a2b4c5d60>\n"
        "a line that says it ran in 0.5s stays\n"
    )
    assert stable_text(text, workdir="/workspace") == (
        "tests/test_stats.py .F\n"
        "========== 1 failed, 6 passed ==========\n"
        "===== 3 passed =====\n"
        "Ran 3 tests\n"
        "<calculator.core.Calc object at 0x...>\n"
        "a line that says it ran in 0.5s stays\n"
    )
