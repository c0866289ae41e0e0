"""Check that a patch is safe to apply to a repository, naming each problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from patches._git import Git, open_repo, temporary_index
from patches.errors import InvalidPatch
from patches.model import FileChange, Patch, parse_patch
from patches.symlinks import SYMLINK_MODE, parent_of, resolve, tree_symlinks

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_FILES = 100


class ProblemKind(StrEnum):
    """Why a patch is refused."""

    EMPTY = "empty"
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    TOO_MANY_FILES = "too_many_files"
    ABSOLUTE_PATH = "absolute_path"
    PATH_TRAVERSAL = "path_traversal"
    GIT_DIR = "git_dir"
    SYMLINK_ESCAPE = "symlink_escape"
    BINARY = "binary"
    DOES_NOT_APPLY = "does_not_apply"


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a patch."""

    kind: ProblemKind
    message: str
    path: str | None = None

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, str | None]:
        """A JSON-ready form."""
        return {"kind": str(self.kind), "path": self.path, "message": self.message}


@dataclass(frozen=True)
class Validation:
    """The outcome of ``validate``: the parsed patch (when it parsed) and every problem found."""

    problems: tuple[Problem, ...]
    patch: Patch | None = None
    base_commit: str | None = None
    kinds: frozenset[ProblemKind] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", frozenset(p.kind for p in self.problems))

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def raise_if_invalid(self) -> None:
        """Raise ``InvalidPatch`` listing the problems, if there are any."""
        if self.problems:
            lines = "; ".join(p.message for p in self.problems)
            raise InvalidPatch(
                f"the patch was refused: {lines}",
                problems=self.problems,
                hint="fix or regenerate the patch; nothing was changed",
            )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "ok": self.ok,
            "base_commit": self.base_commit,
            "problems": [p.to_dict() for p in self.problems],
            "patch": self.patch.to_dict() if self.patch else None,
        }


def validate(
    patch_text: str,
    repo_dir: Path | str,
    base_commit: str | None = None,
    *,
    allow_binary: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
) -> Validation:
    """Check ``patch_text`` against ``base_commit`` (default HEAD) of the repository ``repo_dir``.

    Never writes the user's index or working tree: the apply check runs on a throw-away index.
    """
    git = open_repo(repo_dir)
    base = _base_commit(git, base_commit)
    problems = _size_problems(patch_text, max_bytes=max_bytes)
    if problems and len(patch_text) > 8 * max_bytes:
        return Validation(tuple(problems), None, base)  # too big to be worth parsing
    try:
        patch = parse_patch(patch_text)
    except InvalidPatch as exc:
        return Validation((*problems, Problem(ProblemKind.MALFORMED, str(exc))), None, base)
    problems += _content_problems(patch, allow_binary=allow_binary, max_files=max_files)
    if not patch.files:
        return Validation(tuple(problems), patch, base)
    base_links = tree_symlinks(git, base)
    problems += _declared_link_problems(patch, base_links)
    if not any(p.kind in _PATH_KINDS for p in problems):
        problems += _apply_problems(git, patch, base, base_links)
    return Validation(tuple(dict.fromkeys(problems)), patch, base)


_PATH_KINDS = {ProblemKind.ABSOLUTE_PATH, ProblemKind.PATH_TRAVERSAL, ProblemKind.GIT_DIR}


def _base_commit(git: Git, base_commit: str | None) -> str:
    rev = base_commit or "HEAD"
    commit = git.rev(rev)
    if commit is None:
        raise InvalidPatch(
            f"the base commit {rev!r} is not in {git.root}",
            hint="pass a commit id or branch name of this repository",
        )
    return commit


def _size_problems(text: str, *, max_bytes: int) -> list[Problem]:
    size = len(text.encode("utf-8", errors="surrogateescape"))
    if size > max_bytes:
        msg = f"the patch is {size:,} bytes, over the limit of {max_bytes:,}"
        return [Problem(ProblemKind.TOO_LARGE, msg)]
    return []


def _content_problems(patch: Patch, *, allow_binary: bool, max_files: int) -> list[Problem]:
    if not patch.files:
        return [Problem(ProblemKind.EMPTY, "the patch changes no file")]
    problems: list[Problem] = []
    if len(patch.files) > max_files:
        msg = f"the patch touches {len(patch.files)} files, over the limit of {max_files}"
        problems.append(Problem(ProblemKind.TOO_MANY_FILES, msg))
    for change in patch.files:
        for path in change.named_paths or (change.path,):
            problems += path_problems(path)
        if change.binary and not allow_binary:
            msg = f"{change.path} is a binary change (not allowed)"
            problems.append(Problem(ProblemKind.BINARY, msg, change.path))
    return problems


def path_problems(path: str) -> list[Problem]:
    """What is wrong with writing ``path`` (repository-relative, ``/``-separated), if anything."""
    if not path:
        return [Problem(ProblemKind.MALFORMED, "a file header names an empty path")]
    if path.startswith("/"):
        return [Problem(ProblemKind.ABSOLUTE_PATH, f"{path} is an absolute path", path)]
    parts = path.split("/")
    if ".." in parts:
        return [Problem(ProblemKind.PATH_TRAVERSAL, f"{path} leaves the repository (..)", path)]
    if any(part.lower() == ".git" for part in parts):
        return [Problem(ProblemKind.GIT_DIR, f"{path} is inside a .git directory", path)]
    return []


def _declared_link_problems(patch: Patch, base_links: dict[str, str]) -> list[Problem]:
    """Symlinks the patch creates, and writes below symlinks, that lead outside the tree."""
    links = dict(base_links)
    for change in patch.files:
        if change.kind == "deleted" or change.new_mode != SYMLINK_MODE:
            links.pop(change.path, None)
        if change.symlink_target is not None:
            links[change.path] = change.symlink_target
    problems: list[Problem] = []
    for change in patch.files:
        problems += _link_problems(change, links, base_links)
    return problems


def _link_problems(
    change: FileChange, links: dict[str, str], base_links: dict[str, str]
) -> list[Problem]:
    problems = []
    for path in change.paths:
        if path_problems(path):
            continue
        for table in (base_links, links):
            if resolve(parent_of(path), table) is None:
                msg = f"{path} is written through a symlink that leads outside the repository"
                problems.append(Problem(ProblemKind.SYMLINK_ESCAPE, msg, path))
    if change.symlink_target is not None and change.kind != "deleted":
        problems += _target_problems(change.path, change.symlink_target, links)
    return problems


def _target_problems(path: str, target: str, links: dict[str, str]) -> list[Problem]:
    landing = resolve(path, links)
    if landing is None:
        msg = f"the symlink {path} -> {target} points outside the repository"
        return [Problem(ProblemKind.SYMLINK_ESCAPE, msg, path)]
    if landing.split("/")[0].lower() == ".git":
        return [
            Problem(ProblemKind.GIT_DIR, f"the symlink {path} -> {target} points into .git", path)
        ]
    return []


def _apply_problems(git: Git, patch: Patch, base: str, base_links: dict[str, str]) -> list[Problem]:
    """Apply to a throw-away index of ``base``; then check the symlinks of the result too."""
    with temporary_index(git, base) as scratch:
        proc = scratch.run(
            "apply",
            "--cached",
            "--whitespace=nowarn",
            "-",
            input=patch.text.encode("utf-8", errors="surrogateescape"),
            check=False,
        )
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
            msg = f"the patch does not apply to {base[:12]}: " + " / ".join(detail[:4])
            return [Problem(ProblemKind.DOES_NOT_APPLY, msg)]
        final_links = tree_symlinks(git, scratch.out("write-tree"))
    problems: list[Problem] = []
    for path in patch.paths:
        target = final_links.get(path)
        if target is not None and target != base_links.get(path):
            problems += _target_problems(path, target, final_links)
    return problems
