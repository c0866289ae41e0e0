"""env.json, the cache key, and the `swe-agent env` commands that need no Docker."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from env_setup import (
    CommandResult,
    EnvRecord,
    Plan,
    Verification,
    detect,
    load_record,
    make_plan,
    record_path,
)
from env_setup.cache import cache_key, keyed_command
from env_setup.record import write_record
from swe_agent.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "env"
IMAGES = {"3.9": "swe-agent/python:3.9", "3.11": "swe-agent/python:3.11"}


def _record(**changes: object) -> EnvRecord:
    fields: dict[str, object] = {
        "success": True,
        "python": "3.11",
        "base_image": "swe-agent/python:3.11",
        "image": "swe-agent/env:abc",
        "cache_key": "abc",
        "cache_hit": False,
        "test_command": "/opt/swe-venv/bin/python -m pytest tests",
        "test_runner": "pytest",
        "venv": "/opt/swe-venv",
        "commands": (
            CommandResult("python3.9 -m venv v", "venv", "venv", 0, 1.0, True, python="3.9"),
            CommandResult("pip install '.[test]'", "project", "project", 1, 2.0, False),
            CommandResult("pip install PyYAML", "repair", "repair", 0, 1.5, True, python="3.11"),
        ),
        "resolved": {"pytest": "8.3.0"},
        "verify": Verification(ok=True, imports={"pkg": None}, collected=3),
        "timings": {"total_s": 12.5},
    }
    fields.update(changes)
    return EnvRecord(**fields)  # type: ignore[arg-type]


def test_record_round_trip_and_replay(tmp_path: Path) -> None:
    path = write_record(tmp_path, _record())
    assert path == record_path(tmp_path)
    assert (tmp_path / ".swe-agent" / ".gitignore").read_text() == "*\n!config.yaml\n"
    assert not list(path.parent.glob(".env.*"))  # no temporary file left behind
    loaded = load_record(tmp_path)
    assert loaded == _record()
    # Only what worked, and only from the attempt with the recorded Python, is replayed.
    assert loaded.replay_commands == ["pip install PyYAML"]


def test_cache_key_follows_dependency_files_and_python(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "setupcfg", root)
    detection = detect(root)
    plan = make_plan(detection, IMAGES, python="3.9")
    key = cache_key(root, detection, plan)
    assert key == cache_key(root, detect(root), make_plan(detect(root), IMAGES, python="3.9"))
    assert key != cache_key(root, detection, make_plan(detection, IMAGES, python="3.11"))
    (root / "cfgpkg" / "code.py").write_text("x = 1\n")  # not a dependency file
    assert key == cache_key(root, detection, plan)
    (root / "setup.cfg").write_text((root / "setup.cfg").read_text() + "\n# changed\n")
    assert key != cache_key(root, detection, plan)


def test_cache_key_reads_files_at_a_commit(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "setupcfg", root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    detection = detect(root)
    plan = make_plan(detection, IMAGES, python="3.9")
    before = cache_key(root, detection, plan, commit="HEAD")
    (root / "setup.cfg").write_text("changed in the working tree only\n")
    assert cache_key(root, detection, plan, commit="HEAD") == before


def test_cache_key_ignores_what_follows_the_commit_not_the_files(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "setupcfg", root)
    detection = detect(root)

    def key(as_of: str) -> str:
        return cache_key(root, detection, make_plan(detection, IMAGES, python="3.9", as_of=as_of))

    # Neighbouring commits resolve "as of" nearly the same day: one quarter, one image.
    assert key("2021-10-06T00:00:00Z") == key("2021-10-26T00:00:00Z")
    assert key("2021-10-06T00:00:00Z") != key("2022-01-22T00:00:00Z")
    assert keyed_command(
        "SETUPTOOLS_SCM_PRETEND_VERSION=1.2 pip install --uploaded-prior-to=2021-11-30T00:00:00Z x"
    ) == keyed_command(
        "SETUPTOOLS_SCM_PRETEND_VERSION=1.3 pip install --uploaded-prior-to=2021-10-01T00:00:00Z x"
    )


def test_the_python_that_worked_last_time_is_tried_first(tmp_path: Path) -> None:
    from env_setup import SetupOptions
    from env_setup.reuse import prefer_recorded_python

    detection = detect(FIXTURES / "setupcfg")
    plan = make_plan(detection, IMAGES)
    other = next(v for v in plan.python_candidates if v != plan.python)
    failed = CommandResult("pip install .", "p", "project", 1, 2.0, False, python=plan.python)
    worked = CommandResult("pip install .", "p", "project", 0, 2.0, True, python=other)
    write_record(tmp_path, _record(python=other, commands=(worked,)))

    def plan_for(python: str) -> Plan:
        return make_plan(detection, IMAGES, python=python)

    # The record's Python was an older plan's first choice: nothing failed on this plan's.
    assert prefer_recorded_python(tmp_path, plan, SetupOptions(), plan_for) is plan
    write_record(tmp_path, _record(python=other, commands=(failed, worked)))
    chosen = prefer_recorded_python(tmp_path, plan, SetupOptions(), plan_for)
    assert chosen.python == other and chosen.python_candidates[0] == other
    assert set(chosen.python_candidates) == set(plan.python_candidates)
    assert "worked last time" in chosen.python_reason
    # Not when a Python is forced, the cache is off, or the record failed.
    forced = SetupOptions(python=plan.python)
    assert prefer_recorded_python(tmp_path, plan, forced, plan_for) is plan
    assert prefer_recorded_python(tmp_path, plan, SetupOptions(use_cache=False), plan_for) is plan
    write_record(tmp_path, _record(python=other, commands=(failed, worked), success=False))
    assert prefer_recorded_python(tmp_path, plan, SetupOptions(), plan_for) is plan


def test_cli_bad_path_exits_2_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["env", "setup", str(tmp_path / "missing"), "--json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


def test_cli_bad_commit_exits_2(tmp_path: Path) -> None:
    subprocess.run(["git", "-C", str(tmp_path), "init", "-q"], check=True)
    result = CliRunner().invoke(app, ["env", "setup", str(tmp_path), "--commit", "nope"])
    assert result.exit_code == 2
    assert "not a commit" in result.output


def test_cli_show_without_record_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["env", "show", str(tmp_path)])
    assert result.exit_code == 2
    assert "env setup" in result.output  # the fix names the command


def test_cli_show(tmp_path: Path) -> None:
    write_record(tmp_path, _record())
    shown = CliRunner().invoke(app, ["env", "show", str(tmp_path), "--json"])
    assert shown.exit_code == 0
    assert json.loads(shown.stdout) == json.loads(record_path(tmp_path).read_text())
    human = CliRunner().invoke(app, ["env", "show", str(tmp_path)])
    assert human.exit_code == 0
    assert "3 tests collected" in human.stdout
    assert ".[test]" in human.stdout  # brackets are not eaten as markup


def test_detection_at_a_commit_skips_links_out_of_the_tree(tmp_path: Path) -> None:
    from env_setup.source import detect_at

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "setupcfg", root)
    (root / "escape").symlink_to("/etc/passwd")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    (root / "setup.cfg").unlink()  # the working tree differs; the commit is what counts
    found = detect_at(root, "HEAD")
    assert found.test_extras == ("testing",)
    assert found.commit_date is not None


def test_tag_versioned_projects_get_their_version_passed_in(tmp_path: Path) -> None:
    from env_setup.source import detect_at

    (tmp_path / "setup.py").write_text(
        "from setuptools import setup\nsetup(use_scm_version=True)\n"
    )
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "x"], check=True)
    subprocess.run([*git, "tag", "v1.2.3"], check=True)
    found = detect_at(tmp_path, "HEAD")
    assert found.uses_scm and found.scm_version == "1.2.3"
    project = next(s for s in make_plan(found, IMAGES, python="3.9").steps if s.kind == "project")
    assert project.command.startswith("SETUPTOOLS_SCM_PRETEND_VERSION=1.2.3 ")


def test_versioneer_projects_get_the_last_tag_in_the_sandbox_copy(tmp_path: Path) -> None:
    # pvlib 0.8 (versioneer, tag_prefix v): built untagged it is version 0+untagged.1.gHASH,
    # and its [optional] extra's pvfactors (pvlib>=0.6.0) makes pip's resolution impossible.
    from env_setup.source import detect_at

    repo, copy = tmp_path / "repo", tmp_path / "copy"
    repo.mkdir()
    (repo / "setup.py").write_text(
        "import versioneer\nfrom setuptools import setup\n"
        "setup(name='pv', version=versioneer.get_version())\n"
    )
    (repo / "setup.cfg").write_text("[versioneer]\nVCS = git\ntag_prefix = v\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "-C", str(repo), "init", "-q"], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "."], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "x"], check=True)
    subprocess.run([*git, "-C", str(repo), "tag", "v0.8.0"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "y", "--allow-empty"], check=True)
    found = detect_at(repo, "HEAD")
    assert found.uses_versioneer and not found.uses_scm
    assert (found.scm_tag, found.scm_version) == ("v0.8.0", "0.8.0")
    plan = make_plan(found, IMAGES, python="3.9")
    project = next(s for s in plan.steps if s.kind == "project")
    prefix = "git tag -f v0.8.0 >/dev/null 2>&1; "
    assert project.command.startswith(prefix) and "PRETEND" not in project.command
    # The sandbox copy is a fresh one-commit repository: the prefix gives git describe its tag.
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    subprocess.run([*git, "-C", str(copy), "init", "-q"], check=True)
    subprocess.run([*git, "-C", str(copy), "add", "."], check=True)
    subprocess.run([*git, "-C", str(copy), "commit", "-qm", "baseline"], check=True)
    subprocess.run(prefix + "true", shell=True, cwd=copy, check=True)
    described = subprocess.run(
        ["git", "-C", str(copy), "describe", "--tags", "--long", "--match", "v*"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert described.stdout.startswith("v0.8.0-0-g")
    # The tag follows the commit, not the dependency files: neighbours share one image.
    assert keyed_command(project.command) == keyed_command(project.command.replace("0.8.0", "0.9"))


def test_a_committed_env_json_is_not_a_record_of_this_tool(tmp_path: Path) -> None:
    from env_setup import NoRecord, read_local_record

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "flit", root)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    write_record(root, _record())
    assert read_local_record(root) is not None and load_record(root).image == "swe-agent/env:abc"
    subprocess.run([*git, "add", "-A", "-f"], check=True)
    subprocess.run([*git, "commit", "-qm", "with a .swe-agent folder"], check=True)
    assert read_local_record(root) is None
    with pytest.raises(NoRecord, match="committed to the repository"):
        load_record(root)


def test_the_venv_is_compiled_once_before_the_commit_less_test_folders(tmp_path: Path) -> None:
    import sys

    from env_setup.pipeline import _COMPILE

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    package = venv / "lib" / "python3" / "site-packages" / "pkg"
    for name in ("__init__.py", "core.py", "tests/test_core.py", "test/data.py", "testing.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x = 1\n")
    (package / "py2.py").write_text("print 'another era'\n")  # does not stop the others
    workdir = tmp_path / "workspace"  # the checkout goes meanwhile, the folder stays
    (workdir / "src" / "deep").mkdir(parents=True)
    (workdir / "src" / "deep" / "m.py").write_text("x = 1\n")
    (workdir / ".git").mkdir()
    command = _COMPILE.format(venv=venv, workdir=workdir)
    subprocess.run(command, shell=True, check=False, timeout=120, cwd=workdir)
    compiled = {p.name.split(".")[0] for p in (package / "__pycache__").iterdir()}
    assert compiled == {"__init__", "core", "testing"}
    assert workdir.is_dir() and not any(workdir.iterdir())
    assert not (package / "tests" / "__pycache__").exists()
    assert not (package / "test" / "__pycache__").exists()


def test_a_guessed_spec_dropped_here_last_time_is_not_planned_again(tmp_path: Path) -> None:
    from env_setup import SetupOptions
    from env_setup.reuse import dropped_last_time

    source = "known-spec psf/requests 2.10"
    tried = CommandResult("pip install pytest", "t", "test-tools", 1, 2.0, False, source=source)
    worked = CommandResult("pip install -r requirements.txt", "d", "dependencies", 0, 2.0, True)
    here = SetupOptions(commit="36453b95")
    write_record(tmp_path, _record(commands=(tried, worked), commit="36453b95", known_spec=None))
    assert dropped_last_time(tmp_path, source, here)
    # Not another spec, another commit, a record that kept the spec or failed, a forced Python.
    assert not dropped_last_time(tmp_path, "known-spec psf/requests 2.9", here)
    assert not dropped_last_time(tmp_path, source, SetupOptions(commit="0123abcd"))
    assert not dropped_last_time(tmp_path, source, replace(here, python="3.9"))
    assert not dropped_last_time(tmp_path, source, replace(here, use_cache=False))
    for changed in ({"known_spec": "psf/requests 2.10"}, {"success": False}):
        record = _record(commands=(tried, worked), commit="36453b95", **changed)
        write_record(tmp_path, record)
        assert not dropped_last_time(tmp_path, source, here)
