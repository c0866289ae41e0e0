"""User-facing errors of the review TUI.

Same shape as every package's errors: class attributes ``title`` and ``exit_code`` (2: bad
input, 1: the work failed) and an optional ``hint`` on the instance naming the fix.
"""

from __future__ import annotations


def is_user_facing(exc: BaseException) -> bool:
    """True for errors any package marks as shown to a person (``title`` and ``exit_code``)."""
    return isinstance(getattr(exc, "title", None), str) and isinstance(
        getattr(exc, "exit_code", None), int
    )


class ReviewError(Exception):
    """Base of the errors that the CLI or the TUI shows without a traceback."""

    title = "Review error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class BadRunFolder(ReviewError):
    """The run folder holds a file that cannot be read as the documented format."""

    title = "Unreadable run"
    exit_code = 2


class NothingAccepted(ReviewError):
    """Apply or export was asked for while no hunk is accepted."""

    title = "No accepted hunks"
    exit_code = 2


class BadSetting(ReviewError):
    """A review setting (theme, branch mode) has a value the app does not know."""

    title = "Bad setting"
    exit_code = 2
