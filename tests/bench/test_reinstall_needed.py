"""When the offline re-install before the tests would change something, and when it would not.

A real local sandbox, a real venv and the probe `reinstall_needed` runs with the venv's Python.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from sandbox import start_sandbox
from swe_agent.bench.testrun import patched_paths, reinstall_needed

PLAIN = '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "calc"\nversion = "1"\n'
SCM = PLAIN + '\n[tool.setuptools_scm]\nwrite_to = "calc/_version.py"\n'
EXTENSION = (
    'from setuptools import Extension, setup\n\nsetup(ext_modules=[Extension("c", ["c.c"])])\n'
)


def _repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(root)]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return root


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({"pyproject.toml": PLAIN}, None),
        ({"pyproject.toml": SCM}, "pyproject.toml writes files into the tree (write_to)"),
        ({"setup.py": EXTENSION}, "setup.py writes files into the tree (ext_modules)"),
    ],
)
def test_the_install_runs_again_only_where_the_build_wrote_into_the_tree(
    tmp_path: Path, files: dict[str, str], why: str | None
) -> None:
    prefix = str(Path(sys.executable).parent.parent)
    with start_sandbox(_repo(tmp_path / "repo", files), backend="local") as box:
        assert reinstall_needed(box, venv=prefix) == why


def test_a_develop_install_or_a_patched_build_file_runs_it_again(tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    site = sysconfig.get_paths(vars={"base": str(env), "platbase": str(env)})["purelib"]
    with start_sandbox(_repo(tmp_path / "repo", {"pyproject.toml": PLAIN}), backend="local") as box:
        assert reinstall_needed(box, venv=str(env)) is None
        (Path(site) / "calc.egg-link").write_text(f"{box.workdir}\n.\n")
        assert "develop install" in (reinstall_needed(box, venv=str(env)) or "")
        touched = ["docs/setup.py.txt", "pkg/setup.cfg"]
        assert (
            reinstall_needed(box, venv=str(env), touched=touched)
            == "the patches edit pkg/setup.cfg"
        )


def test_the_paths_of_the_patches() -> None:
    patch = (
        "diff --git a/setup.py b/setup.py\n--- a/setup.py\n+++ b/setup.py\n@@ -1 +1 @@\n-a\n+b\n"
    )
    assert patched_paths(patch, "") == ["setup.py"]
    assert patched_paths("not a diff at all") == ["setup.py"]  # unreadable: re-install
