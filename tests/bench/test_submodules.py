"""Submodules of an instance's commit come from their own mirrors into the sandbox workspace."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

from sandbox.workspace import WorkspaceSource, write_archive
from swe_agent.bench.submodules import submodule_repo
from swe_agent.bench.workdirs import prepare_workdir

_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
        "GIT_ALLOW_PROTOCOL": "file"}  # fmt: skip


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "protocol.file.allow=always", *args],
        capture_output=True,
        text=True,
        env=_ENV,
        check=True,
    )
    return done.stdout.strip()


def _bare(mirrors: Path, name: str, work: Path) -> Path:
    """A bare mirror OWNER+NAME/repo of the work repository ``work``."""
    dest = mirrors / name.replace("/", "+") / "repo"
    dest.parent.mkdir(parents=True)
    _git(work.parent, "clone", "-q", "--bare", str(work), str(dest))
    return dest


def _names(root: Path, commit: str) -> set[str]:
    buffer = io.BytesIO()
    write_archive(WorkspaceSource(root, commit=commit), buffer)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tar:
        return {m.name for m in tar.getmembers()}


def test_a_submodule_with_a_mirror_is_in_the_workspace(tmp_path: Path) -> None:
    helpers = tmp_path / "helpers-work"
    helpers.mkdir()
    _git(helpers, "init", "-q")
    (helpers / "helperlib.py").write_text("X = 1\n")
    _git(helpers, "add", ".")
    _git(helpers, "commit", "-qm", "helpers")
    mirrors = tmp_path / "mirrors"
    _bare(mirrors, "octo/astro-helpers", helpers)

    main = tmp_path / "main-work"
    main.mkdir()
    _git(main, "init", "-q")
    (main / "setup.py").write_text("import helpers.helperlib\n")
    _git(main, "submodule", "-q", "add", str(helpers), "helpers")
    # Where the forge has it: what .gitmodules says in the real repository.
    _git(main, "config", "-f", ".gitmodules", "submodule.helpers.url",
         "https://github.com/octo/astro-helpers.git")  # fmt: skip
    _git(main, "add", ".")
    _git(main, "commit", "-qm", "main")
    commit = _git(main, "rev-parse", "HEAD")
    _bare(mirrors, "octo/astro", main)

    work = prepare_workdir(repo="octo/astro", commit=commit, test_patch="", mirrors=mirrors,
                           dest=tmp_path / "instance", url_template=None)  # fmt: skip
    assert (work.root / ".git" / "modules" / "helpers" / "HEAD").is_file()
    assert {"setup.py", ".gitmodules", "helpers/helperlib.py"} <= _names(work.root, work.base)


def test_a_submodule_without_a_mirror_is_left_out_quietly(tmp_path: Path) -> None:
    helpers = tmp_path / "helpers-work"
    helpers.mkdir()
    _git(helpers, "init", "-q")
    (helpers / "helperlib.py").write_text("X = 1\n")
    _git(helpers, "add", ".")
    _git(helpers, "commit", "-qm", "helpers")
    main = tmp_path / "main-work"
    main.mkdir()
    _git(main, "init", "-q")
    (main / "setup.py").write_text("")
    _git(main, "submodule", "-q", "add", str(helpers), "helpers")
    _git(main, "config", "-f", ".gitmodules", "submodule.helpers.url", "../astro-helpers.git")
    _git(main, "add", ".")
    _git(main, "commit", "-qm", "main")
    mirrors = tmp_path / "mirrors"
    _bare(mirrors, "octo/astro", main)
    commit = _git(main, "rev-parse", "HEAD")
    work = prepare_workdir(repo="octo/astro", commit=commit, test_patch="", mirrors=mirrors,
                           dest=tmp_path / "instance", url_template=None)  # fmt: skip
    assert "helpers/helperlib.py" not in _names(work.root, work.base)
    # A checkout made by `git submodule update` holds it in .git/modules: that one is copied.
    assert "helpers/helperlib.py" in _names(main, commit)


def test_submodule_urls_name_their_repository() -> None:
    assert submodule_repo("https://github.com/astropy/astropy-helpers.git", parent="a/b") == (
        "astropy/astropy-helpers"
    )
    assert submodule_repo("git@github.com:astropy/astropy-helpers", parent="a/b") == (
        "astropy/astropy-helpers"
    )
    assert submodule_repo("../astropy-helpers.git", parent="astropy/astropy") == (
        "astropy/astropy-helpers"
    )
