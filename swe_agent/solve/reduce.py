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
from dataclasses import dataclass, field
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
    kept: tuple[str, ...] = field(default=())  # files tried whose change the tests need

    def to_dict(self) -> dict[str, Any]:
        """The trajectory's ``reduced`` event."""
        return {"dropped": list(self.dropped), "kept": list(self.kept), "tries": self.tries}


def reducible(patch: str) -> list[str]:
    """The files of ``patch`` a put-back can restore: text changes that add, modify or delete
    a file (renames, binary files and mode changes stay)."""
    from patches import ChangeKind, InvalidPatch, parse_patch

    try:
        changes = parse_patch(patch).files
    except InvalidPatch:
        return []
    return [
        change.path
        for change in changes
        if change.kind in (ChangeKind.ADDED, ChangeKind.MODIFIED, ChangeKind.DELETED)
        and not change.binary
        and (change.kind != ChangeKind.MODIFIED or change.old_mode == change.new_mode)
    ]


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
    result = Reduction(state, tests)
    patch = box.diff(box.base_state, state)
    files = reducible(patch)
    own = {str(t) for t in (tests or {}).get("reproduction_tests") or []}
    optional = [path for path in files if path not in core and path not in own]
    if tries <= 0 or not _resolved(tests) or len(files) < 2 or not optional:
        return result
    if len(optional) == len(files):  # nothing known to hold the fix: keep the largest change
        size = {c.path: c.added + c.removed for c in _changes(patch)}
        optional.remove(max(optional, key=lambda path: size.get(path, 0)))
    fixed = set(_fixed(tests))
    groups = [optional] + ([[path] for path in optional] if len(optional) > 1 else [])
    for group in groups:
        if result.tries >= tries or (deadline is not None and time.monotonic() >= deadline):
            break
        todo = [path for path in group if path not in result.dropped]
        if not todo or (len(group) == 1 and group[0] in result.kept):
            continue
        candidate = _put_back(box, result.state, todo, added=_added(patch))
        record = probe.evidence(candidate) if candidate is not None else None
        ok = candidate is not None and _resolved(record) and fixed <= set(_fixed(record))
        result = Reduction(
            candidate if ok and candidate is not None else result.state,
            record if ok else result.tests,
            result.dropped + tuple(todo) if ok else result.dropped,
            result.tries + 1,
            result.kept + (tuple(todo) if not ok and len(todo) == 1 else ()),
        )
        if ok and group is optional:
            break
    box.restore(result.state)
    return result


def _resolved(tests: Mapping[str, Any] | None) -> bool:
    evidence = TestEvidence.from_record(dict(tests) if tests is not None else None)
    return evidence is not None and evidence.verdict is Verdict.RESOLVED


def _fixed(tests: Mapping[str, Any] | None) -> list[str]:
    value = (tests or {}).get("fixed") or []
    return [str(t) for t in value] if isinstance(value, list) else []


def _changes(patch: str) -> tuple[FileChange, ...]:
    from patches import parse_patch

    return parse_patch(patch).files


def _added(patch: str) -> set[str]:
    from patches import ChangeKind

    return {c.path for c in _changes(patch) if c.kind == ChangeKind.ADDED}


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
