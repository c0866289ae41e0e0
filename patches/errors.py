"""User-facing errors of the patches package.

Same shape as every package's errors: class attributes ``title`` and ``exit_code`` (2: bad
input, 1: the work failed) and an optional ``hint`` on the instance naming the fix.
"""

from __future__ import annotations

from common import UserError


class PatchError(UserError):
    """Base of the errors that a person sees without a traceback."""

    title = "Patch error"
    exit_code = 1


class NotARepository(PatchError):
    """The path is not a git repository with at least one commit."""

    title = "Not a git repository"
    exit_code = 2


class InvalidPatch(PatchError):
    """The patch failed validation; ``problems`` names each reason."""

    title = "Invalid patch"
    exit_code = 2

    def __init__(self, message: str, *, problems: tuple[object, ...] = (), hint: str | None = None):
        super().__init__(message, hint=hint)
        self.problems = problems


class DirtyFiles(PatchError):
    """Files the operation would write have uncommitted changes."""

    title = "Uncommitted changes"
    exit_code = 2

    def __init__(self, message: str, *, paths: tuple[str, ...], hint: str | None = None):
        super().__init__(message, hint=hint)
        self.paths = paths


class UndoRefused(PatchError):
    """Undoing would lose later work, or there is nothing to undo."""

    title = "Cannot undo"
    exit_code = 2


class RecordError(PatchError):
    """An ``applied.json`` record or a run folder is missing or unreadable."""

    title = "Run record problem"
    exit_code = 2


class GitFailed(PatchError):
    """A git command failed for a reason that is not the user's input."""

    title = "git failed"
    exit_code = 1
