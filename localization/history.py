"""Past changes as evidence: the files that commits like this issue touched.

A repository's history is a record of earlier problems and where they were fixed. A commit
whose message reads like the issue ("Fix autodoc_typehints for None in signatures") names, by
the files it touched, where this kind of behaviour lives, in the project's own words; the
issue's vocabulary and the code's need not meet at all. This is the "similar bug reports"
component of bug localizers such as BugLocator, with commit messages as the reports.

Only what the history holds before the revision being localized is read, so a benchmark
instance never sees its own fix.
"""

from __future__ import annotations

import logging
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common import run_git
from localization.features import Feature, Ledger, spread
from localization.lexical import Bm25
from localization.tokens import tokenize

log = logging.getLogger(__name__)

COMMITS = 5000  # how far back the history is read
MAX_FILES = 20  # a commit touching more source files is a sweep (a reformat, a rename)
_SEP, _BODY = "\x00", "\x01"  # what %x00 and %x01 of the format write


@dataclass(frozen=True)
class Change:
    """One commit: its message and the files it touched."""

    message: str
    files: tuple[str, ...]


def read_history(git_dir: Path, rev: str = "HEAD", *, limit: int = COMMITS) -> tuple[Change, ...]:
    """The last ``limit`` non-merge commits reachable from ``rev``, newest first; none when
    ``git_dir`` is not in a git repository or git fails (the ranking goes on without)."""
    command = ["log", "--no-merges", "--no-renames", "--relative", "--name-only"]
    command += ["--format=%x00%s%n%b%x01", "-n", str(limit), rev, "--"]
    try:
        done = run_git(*command, cwd=git_dir, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("no history for %s: %s", git_dir, exc)
        return ()
    if done.returncode != 0:
        log.info("no history for %s: %s", git_dir, done.stderr.decode(errors="replace")[:200])
        return ()
    return tuple(_parse(done.stdout.decode("utf-8", "replace")))


def _parse(out: str) -> Iterable[Change]:
    for chunk in out.split(_SEP)[1:]:
        message, _, names = chunk.partition(_BODY)
        files = tuple(line for line in names.splitlines() if line.strip())
        yield Change(message.strip(), files)


class HistoryIndex:
    """BM25 over the messages of the commits that touched a few source files."""

    def __init__(
        self, changes: Sequence[Change], *, keep: Callable[[str], bool], max_files: int = MAX_FILES
    ) -> None:
        self.touched: list[tuple[str, ...]] = []
        documents = []
        for change in changes:
            files = tuple(f for f in change.files if keep(f))
            if files and len(files) <= max_files:
                self.touched.append(files)
                documents.append(tokenize(change.message))
        self._index = Bm25(documents)

    def __len__(self) -> int:
        return len(self.touched)

    def file_scores(self, query: list[str], *, commits: int) -> dict[str, float]:
        """Files of the ``commits`` messages most like the query, each commit's score shared
        by its files (by the square root of their number: a focused commit says more)."""
        scores: dict[str, float] = defaultdict(float)
        for number, score in self._index.top(query, commits):
            files = self.touched[number]
            for path in files:
                scores[path] += score * spread(len(files))
        return dict(scores)

    def credit(self, files: Ledger, subject: list[str], *, commits: int) -> None:
        """Credit the files of the past commits whose messages read most like the issue's
        subject (its title and the names it emphasizes: matched with its whole text, commits
        came up on the issue's common words), the best with 1."""
        scores = self.file_scores(subject, commits=commits)
        top = max(scores.values(), default=0.0)
        for path, value in scores.items():
            label = "touched by past commits like the issue"
            files.add(path, Feature.HISTORY, value / top, label)
