"""Submodules of an instance's commit, made available from mirrors (astropy's astropy_helpers).

A work folder shares its mirror's objects, and a submodule's commit is in another repository.
For each submodule that ``.gitmodules`` names, the mirror of that repository (found or cloned
as any instance's is) is shared into ``.git/modules/PATH``, where ``git submodule`` keeps its
clones too; the workspace archive then copies the submodule's files at the recorded commit.
"""

from __future__ import annotations

import re
from pathlib import Path

from common import git_stdout, run_git
from swe_agent.bench.errors import RepoNotAvailable
from swe_agent.bench.repos import ensure_mirror

_FORGE_URL = re.compile(r"[:/]([\w.\-]+)/([\w.\-]+?)(?:\.git)?/?$")


def link_submodules(
    root: Path, commit: str, *, repo: str, mirrors: Path, url_template: str | None
) -> tuple[str, ...]:
    """Share the mirrors of ``commit``'s submodules into ``root``; the paths left without one."""
    missing = []
    for path, url in _submodules(root, commit):
        name = submodule_repo(url, parent=repo)
        store = root / ".git" / "modules" / path
        if name is None:
            missing.append(path)
            continue
        if (store / "HEAD").is_file():
            continue
        try:
            mirror = ensure_mirror(mirrors, name, url_template=url_template)
        except RepoNotAvailable:
            missing.append(path)
            continue
        store.parent.mkdir(parents=True, exist_ok=True)
        done = run_git("clone", "-q", "--bare", "--shared", str(mirror), str(store))
        if done.returncode != 0:
            missing.append(path)
    return tuple(missing)


def submodule_repo(url: str, *, parent: str) -> str | None:
    """OWNER/NAME of a submodule URL (relative URLs are siblings of ``parent``)."""
    if url.startswith("../"):
        owner = parent.split("/")[0]
        return f"{owner}/{url.removeprefix('../').removesuffix('.git').strip('/')}"
    found = _FORGE_URL.search(url)
    return f"{found[1]}/{found[2]}" if found else None


def _submodules(root: Path, commit: str) -> list[tuple[str, str]]:
    """(path, url) of each submodule ``.gitmodules`` names at ``commit``."""
    regexp = r"^submodule\..*\.(path|url)$"
    out = git_stdout("config", "--blob", f"{commit}:.gitmodules", "--get-regexp", regexp, cwd=root)
    if out is None:
        return []  # no .gitmodules at that commit
    paths: dict[str, str] = {}
    urls: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        name, _, field = key.removeprefix("submodule.").rpartition(".")
        (paths if field == "path" else urls)[name] = value.strip()
    return [(paths[name], urls[name]) for name in paths if name in urls]
