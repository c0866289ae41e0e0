"""Diffs between two states of a git repository, as ``Patch`` values."""

from __future__ import annotations

from pathlib import Path

from patches._git import Git, open_repo, temporary_index
from patches.errors import InvalidPatch
from patches.model import Patch, parse_patch

# One fixed diff format, whatever the user's git config says: binary data included so the patch
# applies on its own, full blob ids, renames off (a rename is a delete plus an add, so every
# touched path is named on its own), no external or textconv drivers, standard a/ b/ prefixes.
_DIFF_ARGS = (
    "-c",
    "core.quotePath=true",
    "diff",
    "--binary",
    "--full-index",
    "--no-renames",
    "--no-ext-diff",
    "--no-textconv",
    "--no-color",
    "--no-relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


def extract_diff(repo_dir: Path | str, base: str, target: str) -> Patch:
    """The patch that turns ``base`` into ``target`` (commits or tree ids) in ``repo_dir``."""
    git = open_repo(repo_dir)
    base_tree, target_tree = _tree(git, base), _tree(git, target)
    text = diff_text(git, base_tree, target_tree)
    return parse_patch(text)


def snapshot_tree(repo_dir: Path | str) -> str:
    """The tree id of the working tree as it is now, untracked files included, ignored ones not.

    Uses a throw-away index, so the user's index is untouched.
    """
    git = open_repo(repo_dir)
    with temporary_index(git, "HEAD") as scratch:
        scratch.run("add", "-A", "--", ".")
        return scratch.out("write-tree")


def _tree(git: Git, rev: str) -> str:
    proc = git.run("rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}", check=False)
    tree = proc.stdout.decode().strip()
    if proc.returncode != 0 or not tree:
        raise InvalidPatch(
            f"{rev!r} names no commit or tree in {git.root}",
            hint="pass a commit id, a branch or a tree id from this repository",
        )
    return tree


def diff_text(git: Git, base: str, target: str) -> str:
    """The diff text from ``base`` to ``target`` in the one fixed format of this package."""
    proc = git.run(*_DIFF_ARGS, base, target)
    return proc.stdout.decode("utf-8", errors="surrogateescape")
