"""`swe-agent localize`: rank files, classes and functions for an issue, with no model."""

from __future__ import annotations


def localize_command() -> None:
    """Rank the places in a repository that an issue is about."""
