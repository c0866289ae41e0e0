"""A shared environment that lacks a module the instance's commit needs: env_setup's own one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_world import FILES, GOLD, TEST_PATCH, commit_tinycalc, git, instance

from swe_agent.bench import load_instances
from swe_agent.bench.evaluate import EvalOptions, evaluate

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(900)]
NEEDS_SIX = TEST_PATCH + (
    "diff --git a/tests/test_six.py b/tests/test_six.py\n"
    "new file mode 100644\n"
    "--- /dev/null\n"
    "+++ b/tests/test_six.py\n"
    "@@ -0,0 +1,5 @@\n"
    "+import six\n"
    "+\n"
    "+\n"
    "+def test_six():\n"
    "+    assert six.PY3\n"
)


def _two_commits(root: Path) -> tuple[Path, str, str]:
    """tinycalc, then a commit that adds the dependency six (same version, same quarter)."""
    work = root / "src"
    first = commit_tinycalc(work)
    pyproject = FILES["pyproject.toml"].replace(
        'requires-python = ">=3.8"\n', 'requires-python = ">=3.8"\ndependencies = ["six"]\n'
    )
    (work / "pyproject.toml").write_text(pyproject)
    git(work, "commit", "-qam", "depend on six")
    second = git(work, "rev-parse", "HEAD")
    mirrors = root / "mirrors"
    git(root, "clone", "-q", "--bare", str(work), str(mirrors / "octo+tinycalc" / "repo"))
    return mirrors, first, second


def test_a_module_missing_from_the_shared_environment_gets_its_own(
    tmp_path: Path, docker_image: str
) -> None:
    mirrors, first, second = _two_commits(tmp_path)
    six_tests = json.dumps(["tests/test_six.py::test_six", "tests/test_stats.py::test_median_even"])
    rows = [
        instance("octo__tinycalc-1", first),
        instance("octo__tinycalc-2", second, test_patch=NEEDS_SIX, FAIL_TO_PASS=six_tests),
    ]
    dataset = tmp_path / "dataset.jsonl"
    dataset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "eval"
    options = EvalOptions(out=out, mirrors=mirrors, workers=1)  # in order: the first one shares
    summary = evaluate(load_instances(dataset), "gold", options)
    assert summary["resolved"] == ["octo__tinycalc-1", "octo__tinycalc-2"], summary
    first_row, second_row = (json.loads((out / str(r["instance_id"]) / "eval.json").read_text())
                             for r in rows)  # fmt: skip
    assert any("shared environment" in note for note in second_row["notes"]), second_row
    assert second_row["image"] != first_row["image"] and not second_row["env_shared"]
    assert GOLD in (out / "octo__tinycalc-2" / "patch.diff").read_text()
