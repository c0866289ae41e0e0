"""The picked patch without the changes its tests do not need.

A small model that fixes one function often edits other files on the way (an import rewritten
in six other programs' test files, a helper touched and left different). ``patches.minimise``
drops whitespace and scratch files, but keeps every edit to an existing file as real work:
nothing in the text says which ones the fix needs. The tests do. When the picked state
resolved the issue by its tests and changed several files, its files outside the code under
repair are put back to the base (all at once, then one at a time); a put-back is kept when the
tests still resolve the issue with the same failing tests fixed and nothing broken.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from search import TestEvidence, Verdict

if TYPE_CHECKING:
    from patches import FileChange
    from sandbox import Sandbox
    from swe_agent.agent.evidence import TestProbe


@dataclass(frozen=True)
class Reduction:
    """The state whose diff is the patch, the files put back to the base, and what it cost."""

    state: str
    tests: Mapping[str, Any] | None
    dropped: tuple[str, ...] = ()
    tries: int = 0
    kept: tuple[str, ...] = ()  # files tried alone whose change the tests need

    def to_dict(self) -> dict[str, Any]:
        """The trajectory's ``reduced`` event."""
        return {"dropped": list(self.dropped), "kept": list(self.kept), "tries": self.tries}


def reducible(patch: str) -> list[str]:
    """The files of ``patch`` a put-back can restore: text changes that add, modify or delete
    a file (renames, binary files and mode changes stay)."""
    return [change.path for change in _changes(patch) if _restorable(change)]


def reduce_by_tests(
    box: Sandbox,
    probe: TestProbe,
    state: str,
    tests: Mapping[str, Any] | None,
    *,
    core: Collection[str],
    tries: int,
    deadline: float | None = None,
) -> Reduction:
    """Put back to the base the changed files outside ``core`` (the files of the code under
    repair) that the tests do not need, spending at most ``tries`` test runs: first all of
    them at once, then (when that breaks the fix) each alone. The agent's reproduction tests
    (the record's ``reproduction_tests``) stay: they are the evidence. ``tests`` is the
    state's tests record; nothing is tried unless it resolved the issue, and no try starts
    after ``deadline`` (``time.monotonic()``: the run's wall time). The sandbox ends on the
    result."""
    from patches import ChangeKind

    result = Reduction(state, tests)
    changes = [c for c in _changes(box.diff(box.base_state, state)) if _restorable(c)]
    own = {str(t) for t in (tests or {}).get("reproduction_tests") or []}
    optional = [c.path for c in changes if c.path not in core and c.path not in own]
    if tries <= 0 or not _resolved(tests) or len(changes) < 2 or not optional:
        return result
    if len(optional) == len(changes):  # nothing known to hold the fix: keep the largest change
        size = {c.path: c.added + c.removed for c in changes}
        optional.remove(max(optional, key=size.__getitem__))
    added = {c.path for c in changes if c.kind == ChangeKind.ADDED}
    fixed = set(_fixed(tests))
    singles = [[path] for path in optional] if len(optional) > 1 else []
    for group in [optional, *singles]:  # each path is in one single group: none is tried twice
        if result.tries >= tries or (deadline is not None and time.monotonic() >= deadline):
            break
        candidate = _put_back(box, result.state, group, added=added)
        record = probe.evidence(candidate) if candidate is not None else None
        if candidate is not None and _resolved(record) and fixed <= set(_fixed(record)):
            result = replace(result, state=candidate, tests=record, tries=result.tries + 1,
                             dropped=result.dropped + tuple(group))  # fmt: skip
            if group is optional:
                break
        else:
            kept = tuple(group) if len(group) == 1 else ()
            result = replace(result, tries=result.tries + 1, kept=result.kept + kept)
    box.restore(result.state)
    return result


def _resolved(tests: Mapping[str, Any] | None) -> bool:
    evidence = TestEvidence.from_record(dict(tests) if tests is not None else None)
    return evidence is not None and evidence.verdict is Verdict.RESOLVED


def _fixed(tests: Mapping[str, Any] | None) -> list[str]:
    value = (tests or {}).get("fixed") or []
    return [str(t) for t in value] if isinstance(value, list) else []


def _changes(patch: str) -> tuple[FileChange, ...]:
    from patches import InvalidPatch, parse_patch

    try:
        return parse_patch(patch).files
    except InvalidPatch:
        return ()


def _restorable(change: FileChange) -> bool:
    from patches import ChangeKind

    return (
        change.kind in (ChangeKind.ADDED, ChangeKind.MODIFIED, ChangeKind.DELETED)
        and not change.binary
        and (change.kind != ChangeKind.MODIFIED or change.old_mode == change.new_mode)
    )


def _put_back(box: Sandbox, state: str, paths: list[str], *, added: set[str]) -> str | None:
    """A new state: ``state`` with ``paths`` as they are at the base, bytes and modes (files
    the patch added removed); None when git could not put them back."""
    box.restore(state)
    old = [shlex.quote(path) for path in paths if path not in added]
    new = [shlex.quote(path) for path in paths if path in added]
    commands = [f"git checkout {box.base_state} -- {' '.join(old)}"] if old else []
    commands += [f"rm -f -- {' '.join(new)}"] if new else []
    obs = box.run(" && ".join(commands), timeout=60)
    if obs.exit_code != 0:
        box.restore(state)
        return None
    return box.snapshot()
