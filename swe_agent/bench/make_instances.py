"""SWE-bench instances from mined candidates: ids, issue texts, versions, the dataset file.

The issue text of a candidate is, in this order: the text given for its commit, the texts of
the issues its message closes ("Fixes #12"), else its commit message (a merge's: the pull
request's title and body). Texts come from ``--issues FILE``: JSON, a JSON list or JSONL of
rows with ``number`` (an issue) or ``commit`` (a fix), and ``title`` and ``body`` (GitHub's
issue fields) or ``problem_statement``; ``hints_text``, or GitHub's ``comments`` list, gives
the hints.

    book = IssueBook.load(Path("issues.jsonl"))
    row = instance_of(change, repo="octo/calc", git_dir=mirror, issues=book)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swe_agent.bench.history import Change
from swe_agent.errors import BadInput

_NUMBERS = re.compile(r"\d+")
_ISSUE_KEYS = frozenset({"number", "commit", "title", "body", "problem_statement"})


@dataclass(frozen=True)
class IssueText:
    """What an issue (or the text given for a commit) says, and the hints that came with it."""

    text: str
    hints: str = ""


@dataclass(frozen=True)
class IssueBook:
    """Issue texts by issue number and by fix commit."""

    by_number: dict[int, IssueText] = field(default_factory=dict)
    by_commit: dict[str, IssueText] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> IssueBook:
        """The issues of ``--issues FILE`` (none without one)."""
        if path is None:
            return cls()
        by_number: dict[int, IssueText] = {}
        by_commit: dict[str, IssueText] = {}
        for number, row in enumerate(_issue_rows(path), start=1):
            issue = _issue(row)
            if issue is None or not isinstance(row, dict):
                raise BadInput(
                    f"{path}: row {number} is no issue",
                    hint="each row needs number or commit, and title and body "
                    "(or problem_statement)",
                )
            if row.get("commit"):
                by_commit[str(row["commit"]).lower()] = issue
            if str(row.get("number") or "").isdigit():
                by_number[int(row["number"])] = issue
        return cls(by_number, by_commit)

    def for_change(self, change: Change) -> tuple[IssueText, str]:
        """The issue text of ``change`` and where it came from (commit, issues, message)."""
        for commit, issue in self.by_commit.items():
            if len(commit) >= 7 and change.commit.startswith(commit):
                return issue, "given for the commit"
        linked = [self.by_number[n] for n in change.issue_numbers if n in self.by_number]
        if linked:
            numbers = ", ".join(f"#{n}" for n in change.issue_numbers if n in self.by_number)
            text = "\n".join(issue.text for issue in linked)
            hints = "\n".join(issue.hints for issue in linked if issue.hints)
            return IssueText(text, hints), f"issue {numbers}"
        return IssueText(change.message), "commit message"


def _issue_rows(path: Path) -> Iterable[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"--issues {path} cannot be read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise BadInput(f"--issues {path} is not JSON or JSONL: {exc.msg}") from None
    if isinstance(data, dict) and not _ISSUE_KEYS & set(data):  # {"12": {...}, ...}
        return [{"number": k, **v} if isinstance(v, dict) else v for k, v in data.items()]
    return data if isinstance(data, list) else [data]


def _issue(row: Any) -> IssueText | None:
    if not isinstance(row, dict) or not (row.get("number") or row.get("commit")):
        return None
    text = row.get("problem_statement")
    if not isinstance(text, str):
        title, body = row.get("title"), row.get("body")
        if not isinstance(title, str):
            return None
        text = f"{title}\n{body}" if isinstance(body, str) and body else title
    hints = row.get("hints_text")
    if not isinstance(hints, str):
        comments = row.get("comments")
        bodies = (
            [c.get("body") for c in comments if isinstance(c, dict)]
            if isinstance(comments, list)
            else []
        )
        hints = "\n".join(b for b in bodies if isinstance(b, str))
    return IssueText(text, hints)


def instance_id(repo: str, change: Change) -> str:
    """``owner__name-N`` for pull request N (SWE-bench's ids), else ``owner__name-<commit>``."""
    suffix = str(change.pull_number) if change.pull_number else change.commit[:12]
    return f"{repo.replace('/', '__')}-{suffix}"


def version_of(repo: str, git_dir: Path, commit: str) -> str:
    """The harness's version key for a repository it knows; else the nearest tag's X.Y."""
    from env_setup import describe_at, read_at, version_at

    tag = describe_at(git_dir, commit)
    known = version_at(repo, read_at(git_dir, commit), describe=tag)
    if known:
        return known
    numbers = _NUMBERS.findall(tag or "")
    return ".".join(numbers[:2])


def instance_of(change: Change, *, repo: str, git_dir: Path, issues: IssueBook) -> dict[str, Any]:
    """The SWE-bench row of a candidate, before its tests ran (FAIL_TO_PASS still empty)."""
    issue, source = issues.for_change(change)
    return {
        "repo": repo,
        "instance_id": instance_id(repo, change),
        "base_commit": change.base_commit,
        "patch": change.patch,
        "test_patch": change.test_patch,
        "problem_statement": issue.text,
        "hints_text": issue.hints,
        "created_at": change.created_at,
        "version": version_of(repo, git_dir, change.base_commit),
        "environment_setup_commit": change.base_commit,  # the version's latest, when written
        "FAIL_TO_PASS": [],
        "PASS_TO_PASS": [],
        "fix_commit": change.commit,
        "pull_number": change.pull_number,
        "issue_numbers": list(change.issue_numbers),
        "problem_statement_source": source,
    }


def with_setup_commits(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's environment_setup_commit: the base of its version's latest instance (as
    SWE-bench sets it: one environment per repository and version)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: str(r.get("created_at") or "")):
        latest[(row["repo"], str(row.get("version") or ""))] = row
    return [
        {**row, "environment_setup_commit":
            latest[(row["repo"], str(row.get("version") or ""))]["base_commit"]}
        for row in rows
    ]  # fmt: skip
