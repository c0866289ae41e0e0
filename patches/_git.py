"""A thin, explicit wrapper around the git command line (subprocess, no shell)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from common import run_git
from patches.errors import GitFailed, NotARepository

# Over common's safe environment: pathspecs taken literally, so a file named "*.py" means that
# file.
_BASE_ENV = {"GIT_LITERAL_PATHSPECS": "1"}
_FALLBACK_IDENTITY = ("swe-agent", "swe-agent@localhost")


@dataclass(frozen=True)
class Git:
    """Runs git in one repository, optionally with a temporary index file."""

    root: Path
    index_file: str | None = None

    def run(
        self, *args: str, input: bytes | None = None, check: bool = True, env: dict | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``git ARGS`` in the repository and return the finished process."""
        full_env = {**_BASE_ENV, **(env or {})}
        if self.index_file is not None:
            full_env["GIT_INDEX_FILE"] = self.index_file
        proc = run_git(*args, cwd=self.root, input=input, env=full_env)
        if check and proc.returncode != 0:
            raise GitFailed(f"git {' '.join(args[:3])} failed: {_text(proc.stderr).strip()}")
        return proc

    def out(self, *args: str, input: bytes | None = None) -> str:
        """Run git and return its stdout as stripped text."""
        return _text(self.run(*args, input=input).stdout).strip()

    def rev(self, rev: str) -> str | None:
        """The full commit id of ``rev``, or None when it does not name a commit."""
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        return _text(proc.stdout).strip() or None

    def head_branch(self) -> str | None:
        """The branch HEAD points to (``main``), or None when HEAD is detached."""
        proc = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return _text(proc.stdout).strip() or None

    def dirty(self, paths: Sequence[str]) -> tuple[str, ...]:
        """Those of ``paths`` with staged, unstaged or untracked changes (ignored files too)."""
        if not paths:
            return ()
        proc = self.run(
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignored=matching",
            "--",
            *paths,
        )
        found = []
        entries = iter(_text(proc.stdout).split("\0"))
        for entry in entries:
            if not entry:
                continue
            found.append(entry[3:])
            if entry[0] in "RC":  # a rename or copy carries its source path as the next entry
                found.append(next(entries, ""))
        # A wholly untracked or ignored directory is reported once, as "dir/".
        dirs = tuple(p for p in found if p.endswith("/"))
        wanted = set(found)
        return tuple(sorted(p for p in set(paths) if p in wanted or p.startswith(dirs)))

    def sync_paths(self, paths: Sequence[str]) -> None:
        """Make index and working tree of ``paths`` match HEAD; other paths are not touched."""
        if not paths:
            return
        self.run("reset", "-q", "HEAD", "--", *paths)
        listed = self.run("ls-files", "-z", "--", *paths).stdout.decode("utf-8", "surrogateescape")
        present = {p for p in listed.split("\0") if p}
        for path in paths:
            if path not in present:
                _remove_file(self.root, path)
        if present:
            self.run("checkout-index", "-f", "--", *sorted(present))

    def commit_tree(self, tree: str, *, parent: str, message: str) -> str:
        """A new commit object with ``tree`` on top of ``parent``; no ref moves, no hooks run."""
        proc = self.run(
            "commit-tree",
            tree,
            "-p",
            parent,
            "-F",
            "-",
            input=message.encode("utf-8"),
            env=self.identity_env(),
        )
        return _text(proc.stdout).strip()

    def identity_env(self) -> dict[str, str]:
        """Author and committer variables when the repository has no identity configured."""
        name = self.run("config", "user.name", check=False).stdout.strip()
        email = self.run("config", "user.email", check=False).stdout.strip()
        if name and email:
            return {}
        fallback_name, fallback_email = _FALLBACK_IDENTITY
        return {
            "GIT_AUTHOR_NAME": _text(name) or fallback_name,
            "GIT_AUTHOR_EMAIL": _text(email) or fallback_email,
            "GIT_COMMITTER_NAME": _text(name) or fallback_name,
            "GIT_COMMITTER_EMAIL": _text(email) or fallback_email,
        }


def open_repo(path: Path | str) -> Git:
    """A ``Git`` for the top level of the repository containing ``path``; raises when none."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise NotARepository(f"{path} is not a directory", hint="pass --repo PATH of a git clone")
    proc = Git(path).run("rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise NotARepository(
            f"{path} is not inside a git repository", hint="run `git init` or pass --repo PATH"
        )
    git = Git(Path(_text(proc.stdout).strip()))
    if git.rev("HEAD") is None:
        raise NotARepository(
            f"{git.root} has no commits yet", hint="make a first commit, then try again"
        )
    return git


@contextlib.contextmanager
def temporary_index(git: Git, tree_ish: str) -> Iterator[Git]:
    """A ``Git`` whose index is a throw-away file loaded from ``tree_ish``.

    The user's own index and working tree are never read or written through it.
    """
    with tempfile.TemporaryDirectory(prefix="swe-agent-index-") as tmp:
        scratch = Git(git.root, index_file=os.path.join(tmp, "index"))
        scratch.run("read-tree", tree_ish)
        yield scratch


def _remove_file(root: Path, path: str) -> None:
    """Delete a file the new HEAD no longer has, then any directories that became empty."""
    target = root / path
    if target.is_symlink() or target.is_file():
        target.unlink()
    parent = target.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _text(data: bytes | str) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")
