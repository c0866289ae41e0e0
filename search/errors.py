"""Errors of the search package.

Same shape as every package's errors: ``title`` and ``exit_code`` (2: bad input, 1: the work
failed) on the class, an optional ``hint`` (the fix) on the instance, so the CLI renders them once.
"""

from __future__ import annotations

from common import UserError


class SearchError(UserError):
    """Base of the search errors that the CLI shows without a traceback."""

    title = "Search error"
    exit_code = 1


class BudgetError(SearchError):
    """A budget limit that cannot be searched with (zero, negative)."""

    title = "Bad search budget"
    exit_code = 2


class TreeFileError(SearchError):
    """A tree.json that is missing, unreadable or not in the expected shape."""

    title = "Unreadable search tree"
    exit_code = 2


class NotJsonable(SearchError):
    """A seam handed back an action, observation or tests record that JSON cannot round-trip."""

    title = "Search value is not JSON"


class BadReward(SearchError):
    """A value function returned a reward outside [-100, 100]."""

    title = "Reward out of range"


class BadTestsRecord(SearchError):
    """A node's tests record does not have the documented shape."""

    title = "Bad tests record"
