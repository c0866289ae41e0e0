"""A pip install the venv already satisfies is answered from its metadata; the rest runs pip.

A real local sandbox and the test venv's own Python (which holds pytest, not argcomplete).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from env_setup.install import InstallLog, run_step
from env_setup.model import Step, StepKind
from env_setup.satisfied import SATISFIED, already_satisfied, plain_install
from sandbox import start_sandbox

VENV = "/opt/swe-venv/bin/python -m pip install"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (f"{VENV} --uploaded-prior-to=2023-07-30T00:00:00Z setuptools", ("setuptools",)),
        (f"{VENV} -q 'setuptools~=66.1' 'wheel~=0.37.1'", ("setuptools~=66.1", "wheel~=0.37.1")),
        (f"{VENV} --uploaded-prior-to 2020-01-01 'coverage[toml]>=5'", ("coverage[toml]>=5",)),
        (f"{VENV} --upgrade pip", None),
        (f"{VENV} -r requirements.txt", None),
        (f"{VENV} -e '.[tests]'", None),
        (f"{VENV} 'a @ https://example.org/a.whl'", None),
        (f"{VENV} ./vendored", None),
        (f"{VENV} 'a>1' > log", None),
        (f"{VENV} a && rm -rf build", None),
        (f"{VENV} $(echo a)", None),
        (f"{VENV}", None),
        ("pip install a", None),
    ],
)
def test_only_a_plain_list_of_requirements_is_answered_without_pip(
    command: str, expected: tuple[str, ...] | None
) -> None:
    parsed = plain_install(command)
    assert (parsed[1] if parsed else None) == expected


def _repo(root: Path) -> Path:
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(root)]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return root


def test_the_venv_metadata_decides_with_dependencies_and_extras(tmp_path: Path) -> None:
    pip = f"{sys.executable} -m pip install --uploaded-prior-to=2020-01-01T00:00:00Z"
    with start_sandbox(_repo(tmp_path / "repo"), backend="local") as box:
        held = already_satisfied(box, f"{pip} 'pytest>=7' Pygments")
        assert held is not None and "pluggy" in held  # pytest's own dependencies were looked at
        assert already_satisfied(box, f"{pip} 'pytest>999'") is None
        assert already_satisfied(box, f"{pip} pytest no-such-distribution-xyz") is None
        assert already_satisfied(box, f"{pip} 'pytest[dev]'") is None  # argcomplete is missing


def test_a_satisfied_step_is_logged_as_done_and_another_runs_pip(tmp_path: Path) -> None:
    log = InstallLog()
    with start_sandbox(_repo(tmp_path / "repo"), backend="local") as box:
        done = run_step(
            box,
            Step(f"{sys.executable} -m pip install pytest", "test runner", StepKind.TEST_TOOLS),
            log=log,
            progress=lambda _message: None,
        )
        ran = run_step(
            box,
            Step(f"{sys.executable} -m pip install --no-index nothing-xyz", "x", StepKind.REPAIR),
            log=log,
            progress=lambda _message: None,
        )
    assert done.ok and done.output_tail.startswith(SATISFIED) and "pytest" in done.output_tail
    assert done.kind == "test-tools" and done.command.endswith("pip install pytest")
    assert not ran.ok and SATISFIED not in ran.output_tail
    assert [result.command for result in log.results] == [done.command, ran.command]
