"""User-facing errors of the swe_agent package.

Every package defines its own error base with the same two class attributes, ``title`` and
``exit_code`` (2: bad input, 1: the work failed), plus an optional ``hint`` on the instance
naming the fix. The CLI renders any exception that carries them, once; everything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from common import UserError


class SweAgentError(UserError):
    """Base of the errors that the CLI shows to a person without a traceback."""

    title = "swe-agent error"
    exit_code = 1


class BadInput(SweAgentError):
    """The user asked for something that cannot be done as asked."""

    title = "Bad input"
    exit_code = 2


def unreadable_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file ("does not exist", "is a directory", ...), or None."""
    if path.is_dir():
        return "is a directory, not a file"
    if not path.exists():
        return "does not exist"
    if not path.is_file():
        return "is not a regular file"
    if not os.access(path, os.R_OK):
        return "is not readable (permission denied)"
    return None
