"""Benchmark candidates from a repository's history, SWE-bench's recipe.

Each commit (``--commits``), or each merged pull request's merge or squash commit
(``--from-prs``), whose diff against its first parent changes both test files and other files
is a candidate: the parent is ``base_commit``, the test files' changes are ``test_patch`` and
the rest, documentation and change notes left out as SWE-bench leaves them out, is ``patch``.
Nothing here runs the repository's code; the tests decide later which candidates become
instances (``bench make``).

    for found in mine(git_dir, commits=["v1.0..main"]):
        found.change if found.change else found.reason
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from common import is_test_path, run_git
from swe_agent.bench.errors import RepoNotAvailable
from swe_agent.errors import BadInput

# GitHub's merge commits and squash merges name the pull request.
_MERGE_PR = re.compile(r"^Merge pull request #(\d+)\b")
_SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")
# GitHub's closing keywords, as SWE-bench reads them: "Fixes #12", "closes owner/name#3".
_CLOSES = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?:[\w.-]+/[\w.-]+)?#(\d+)", re.IGNORECASE
)
_FILE_HEADER = re.compile(r"^diff --git a/(.*) b/(.*)$")
_LINES = re.compile(r"[^\n]*\n|[^\n]+$")
DOC_DIRS = frozenset({"doc", "docs", "changelog", "changes", "changelog.d", "newsfragments"})
DOC_SUFFIXES = (".rst", ".md", ".adoc")


@dataclass(frozen=True)
class Change:
    """One candidate: a fix with its tests, split at its first parent."""

    commit: str  # the fix (or the pull request's merge or squash commit)
    base_commit: str  # its first parent
    patch: str  # every change outside the tests
    test_patch: str  # the test files' changes
    message: str  # the commit message (a merge's: the pull request's title and body)
    created_at: str  # the author date, UTC, ISO 8601 ("2019-05-07T14:12:47Z")
    pull_number: int | None = None
    issue_numbers: tuple[int, ...] = ()  # the issues the message says it closes


@dataclass(frozen=True)
class Mined:
    """A commit looked at: its candidate, or why it is not one."""

    commit: str
    change: Change | None = None
    reason: str = ""


def is_doc_path(path: str) -> bool:
    """Documentation and change notes: a change no test sees, which SWE-bench's patches leave
    out (docs/changes/12.bugfix.rst, doc/whats-new.rst, CHANGES.rst, AUTHORS)."""
    parts = PurePosixPath(path).parts
    if any(part.lower() in DOC_DIRS for part in parts[:-1]):
        return True
    return path.lower().endswith(DOC_SUFFIXES) or PurePosixPath(path).stem.isupper()


def file_diffs(diff: str) -> Iterator[tuple[str, str]]:
    """(path, that file's part of ``diff``) for each file, in order."""
    path, lines = "", list[str]()
    # Lines end at "\n" only: a form feed or "\r" inside a line is the file's content.
    for line in _LINES.findall(diff):
        header = _FILE_HEADER.match(line.rstrip("\n"))
        if header:
            if lines:
                yield path, "".join(lines)
            path, lines = header.group(2), []
        lines.append(line)
    if lines:
        yield path, "".join(lines)


def split_patch(diff: str) -> tuple[str, str]:
    """(patch, test_patch): the changes outside the test files and the documentation, and the
    test files' changes."""
    source: list[str] = []
    tests: list[str] = []
    for path, part in file_diffs(diff):
        if is_test_path(path):
            tests.append(part)
        elif not is_doc_path(path):
            source.append(part)
    return "".join(source), "".join(tests)


def git(git_dir: Path, *args: str) -> str:
    """Run git on a repository (bare or not); its output, or RepoNotAvailable."""
    done = run_git(*args, git_dir=git_dir)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-2:]
        raise RepoNotAvailable(f"git {args[0]} failed in {git_dir}: {' '.join(message)}")
    return done.stdout.decode("utf-8", "surrogateescape")


def resolve_commits(git_dir: Path, specs: Iterable[str]) -> list[str]:
    """The commits ``--commits`` names: ``A..B`` (oldest first, merges left out) or one commit."""
    found: list[str] = []
    for spec in specs:
        try:
            if ".." in spec:
                listed = git(git_dir, "rev-list", "--reverse", "--no-merges", spec).split()
            else:
                listed = [git(git_dir, "rev-parse", "--verify", f"{spec}^{{commit}}").strip()]
        except RepoNotAvailable:
            raise BadInput(
                f"--commits {spec!r} names no commits of the repository",
                hint="give a range A..B or a commit the repository has (fetch it first)",
            ) from None
        found += [c for c in listed if c not in found]
    return found


def pull_request_commits(git_dir: Path, spec: str | None) -> list[tuple[str, int]]:
    """(commit, pull request number) of the merged pull requests on ``spec``'s first-parent line.

    ``spec``: a range ``A..B`` or a branch (default HEAD). A merge commit ("Merge pull request
    #N") stands for its pull request; so does a squash merge ("Title (#N)").
    """
    try:
        log = git(git_dir, "log", "--first-parent", "--reverse", "--format=%H %P%x00%s",
                  spec or "HEAD")  # fmt: skip
    except RepoNotAvailable:
        raise BadInput(f"--from-prs {spec!r} names no commits of the repository") from None
    found = []
    for line in log.split("\n"):
        head, _, subject = line.partition("\0")
        if not head.strip():
            continue
        commit, *parents = head.split()
        merged = _MERGE_PR.match(subject) if len(parents) > 1 else _SQUASH_PR.search(subject)
        if merged and parents:
            found.append((commit, int(merged.group(1))))
    return found


def _message(git_dir: Path, commit: str, *, merge: bool) -> str:
    text = git(git_dir, "log", "-1", "--format=%B", commit).strip()
    if merge and _MERGE_PR.match(text):
        text = text.partition("\n")[2].strip()  # the pull request's title and body
    return text


def _pull_number(git_dir: Path, commit: str, *, merge: bool) -> int | None:
    """The pull request a merge ("Merge pull request #N") or squash ("Title (#N)") names."""
    subject = git(git_dir, "log", "-1", "--format=%s", commit).strip()
    found = _MERGE_PR.match(subject) if merge else _SQUASH_PR.search(subject)
    return int(found.group(1)) if found else None


def _created_at(git_dir: Path, commit: str) -> str:
    stamp = git(git_dir, "log", "-1", "--format=%at", commit).strip()
    return datetime.fromtimestamp(int(stamp), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def examine(git_dir: Path, commit: str, *, pull_number: int | None = None) -> Mined:
    """The candidate ``commit`` makes against its first parent, or why it makes none."""
    parents = git(git_dir, "rev-list", "--parents", "-n", "1", commit).split()[1:]
    if not parents:
        return Mined(commit, reason="a root commit (no parent to be the base)")
    base = parents[0]
    diff = git(git_dir, "diff", "--no-color", "--no-ext-diff", "--no-renames", "--binary",
               base, commit)  # fmt: skip
    patch, test_patch = split_patch(diff)
    if not test_patch:
        return Mined(commit, reason="changes no test file")
    if not patch:
        documented = any(is_doc_path(p) and not is_test_path(p) for p, _ in file_diffs(diff))
        why = "only documentation besides the tests" if documented else "only test files"
        return Mined(commit, reason=f"changes {why}")
    if pull_number is None:
        pull_number = _pull_number(git_dir, commit, merge=len(parents) > 1)
    message = _message(git_dir, commit, merge=len(parents) > 1)
    change = Change(
        commit=commit,
        base_commit=base,
        patch=patch,
        test_patch=test_patch,
        message=message,
        created_at=_created_at(git_dir, commit),
        pull_number=pull_number,
        issue_numbers=tuple(dict.fromkeys(int(n) for n in _CLOSES.findall(message))),
    )
    return Mined(commit, change=change)


def mine(
    git_dir: Path,
    *,
    commits: Iterable[str] = (),
    from_prs: str | None = None,
    prs: bool = False,
    newest: int | None = None,
) -> list[Mined]:
    """Every commit ``--commits`` names, or every merged pull request (``prs``), examined,
    oldest first. ``newest``: only until that many candidates are found, newest first (a long
    history is not read whole for a few)."""
    targets: list[tuple[str, int | None]] = []
    if prs:
        targets += pull_request_commits(git_dir, from_prs)
    else:
        targets += [(commit, None) for commit in resolve_commits(git_dir, commits)]
    if newest is None:
        return [examine(git_dir, commit, pull_number=number) for commit, number in targets]
    found: list[Mined] = []
    for commit, number in reversed(targets):
        if sum(1 for m in found if m.change is not None) >= newest:
            break
        found.append(examine(git_dir, commit, pull_number=number))
    return found[::-1]
