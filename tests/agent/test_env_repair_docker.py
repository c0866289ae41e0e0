"""The model repairer through the real Docker sandbox: it fixes what no rule can, then replays."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from env_setup import SetupOptions, setup_environment
from swe_agent.agent.env_repair import ModelRepairer
from swe_agent.models import get_model

pytestmark = [pytest.mark.docker, pytest.mark.slow]
PYTHON = "3.9"
DEP = "swe_fixture_only_local_dep"  # on no index: only the copy under vendor/ provides it
FILES = {
    "pyproject.toml": (
        '[build-system]\nrequires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "appx"\nversion = "0.1"\n\n'
        '[tool.setuptools]\npackages = ["appx"]\n'
    ),
    "appx/__init__.py": f"from {DEP} import VALUE\n",
    "tests/test_appx.py": "import appx\n\n\ndef test_value():\n    assert appx.VALUE == 1\n",
    f"vendor/{DEP}/pyproject.toml": (
        '[build-system]\nrequires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{DEP}"\nversion = "1.0"\n'
    ),
    f"vendor/{DEP}/{DEP}.py": "VALUE = 1\n",
}
FIX = f"/opt/swe-venv/bin/python -m pip install --no-build-isolation ./vendor/{DEP}"


def _repo(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "fixture"], check=True)
    return root


def _remove(image: str | None) -> None:
    if image:
        subprocess.run(["docker", "rmi", "-f", image], capture_output=True, check=False)


@pytest.mark.full
def test_model_repairs_what_rules_cannot_and_the_next_setup_replays(
    tmp_path: Path, docker_image: str
) -> None:
    root = _repo(tmp_path / "appx")
    model = get_model(
        [
            "The module is vendored in the repository.\n```bash\nls vendor\n```",
            f"Install the vendored copy.\n```bash\n{FIX}\n```",
            "DONE",
        ]
    )
    agent = ModelRepairer(model)
    options = SetupOptions(python=PYTHON, use_cache=False, agent=agent)
    first = setup_environment(root, options)
    try:
        assert first.success, first.verify
        assert agent.stopped == "fixed" and model.usage.calls == 3
        by_command = {c.command: c for c in first.commands}
        assert by_command[FIX].ok and by_command[FIX].kind == "repair"
        assert by_command["ls vendor"].kind == "inspect"
        # The rules tried (and failed) first: a PyPI install of the import name.
        assert any(c.kind == "repair" and not c.ok for c in first.commands)
        assert first.resolved.get(DEP.replace("_", "-")) or first.resolved.get(DEP)

        # The image is gone: the next setup replays env.json's commands, with no model at all.
        _remove(first.image)
        second = setup_environment(root, SetupOptions(python=PYTHON))
        assert second.success and not second.cache_hit
        assert "replayed from env.json" in second.notes
        assert FIX in [c.command for c in second.commands]
        assert "ls vendor" not in [c.command for c in second.commands]
        assert second.image == first.image
    finally:
        _remove(first.image)
