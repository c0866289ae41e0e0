"""User-facing errors of the review TUI.

Derived, as every package's errors, from ``common.UserError``: class attributes ``title`` and
``exit_code`` (2: bad input, 1: the work failed) and an optional ``hint`` naming the fix.
"""

from __future__ import annotations

from common import UserError


class ReviewError(UserError):
    """Base of the errors that the CLI or the TUI shows without a traceback."""

    title = "Review error"
    exit_code = 1


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
