"""The local backend's shell commands see its own interpreter as `python`."""

from __future__ import annotations

import sys
from pathlib import Path

from sandbox import start_sandbox


def test_python_in_a_command_is_the_sandbox_interpreter(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    with start_sandbox(tmp_path, backend="local") as box:
        obs = box.run("python -c 'import sys; print(sys.prefix)'", timeout=30)
    assert obs.stdout.strip() == sys.prefix
