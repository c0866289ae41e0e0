"""The repository ``bench make`` reads: a local git repository, or OWNER/NAME from the mirrors.

A local repository gets a bare mirror under the mirrors folder (``OWNER+NAME/repo``, its
objects hard-linked, refreshed on every run) so that ``bench run`` and ``bench eval`` find the
instances' commits the way they find any other repository's. Its name is ``--name``, else its
``origin`` remote's OWNER/NAME, else ``local/<folder name>``.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from common import atomic_folder, git_stdout, run_git
from swe_agent.bench.errors import RepoNotAvailable
from swe_agent.bench.repos import DEFAULT_REPO_URL, ensure_mirror, find_mirror, locked
from swe_agent.errors import BadInput

_REPO_NAME = re.compile(r"[\w.-]+/[\w.-]+")
_REMOTE = re.compile(r"[:/]([\w.-]+)/([\w.-]+?)(?:\.git)?/?$")
# Every branch and tag, and the commit checked out, go to the mirror.
_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+HEAD:refs/source/HEAD")


def _git_dir(path: Path) -> Path | None:
    found = git_stdout("rev-parse", "--absolute-git-dir", cwd=path)
    return Path(found) if found else None


def _origin_name(git_dir: Path) -> str | None:
    url = git_stdout("config", "--get", "remote.origin.url", git_dir=git_dir) or ""
    found = _REMOTE.search(url)
    return f"{found.group(1)}/{found.group(2)}" if found else None


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]", "-", name).strip("-.") or "repo"


def register_mirror(git_dir: Path, repo: str, mirrors: Path) -> Path:
    """The mirror of ``repo`` under ``mirrors``, made from (or refreshed by) ``git_dir``."""
    folder = mirrors / repo.replace("/", "+")
    with locked(mirrors / f".{folder.name}.lock"):
        try:
            mirror = find_mirror(mirrors, repo)
        except RepoNotAvailable:
            mirror = _clone(git_dir, folder / "repo")
        if mirror.resolve() != git_dir.resolve():
            done = run_git(
                "fetch", "--quiet", "--no-tags", str(git_dir), *_REFSPECS, git_dir=mirror
            )
            if done.returncode != 0:
                raise RepoNotAvailable(
                    f"could not update the mirror {mirror} from {git_dir}: {_stderr(done)}"
                )
    return mirror


def _clone(git_dir: Path, dest: Path) -> Path:
    with atomic_folder(dest) as tmp:
        done = run_git("clone", "--bare", "--quiet", str(git_dir), str(tmp))
        if done.returncode != 0:
            raise RepoNotAvailable(f"could not mirror {git_dir}: {_stderr(done)}")
    return dest


def source_repository(
    source: str,
    *,
    mirrors: Path,
    name: str | None = None,
    url_template: str | None = DEFAULT_REPO_URL,
) -> tuple[str, Path]:
    """(OWNER/NAME, its bare git directory under ``mirrors``) for REPO of ``bench make``."""
    if name is not None and not _REPO_NAME.fullmatch(name):
        raise BadInput(f"--name {name!r} is not OWNER/NAME")
    path = Path(source).expanduser()
    if path.exists():
        git_dir = _git_dir(path)
        if git_dir is None:
            raise BadInput(
                f"{path} is not a git repository",
                hint="bench make reads a repository's commits: pass a git checkout, a bare "
                "repository, or OWNER/NAME of a mirror under --repos",
            )
        repo = name or _origin_name(git_dir) or f"local/{_safe_name(path.resolve().name)}"
        return repo, register_mirror(git_dir, repo, mirrors)
    if not _REPO_NAME.fullmatch(source):
        raise BadInput(
            f"{source} is neither a folder nor OWNER/NAME",
            hint="pass a git repository's path, or OWNER/NAME of a mirror under --repos",
        )
    if name is not None and name != source:
        raise BadInput("--name names a local repository; a mirror's name is its OWNER/NAME")
    return source, ensure_mirror(mirrors, source, url_template=url_template)


def _stderr(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stderr.decode("utf-8", "replace").strip()
