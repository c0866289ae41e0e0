"""User-facing errors of the localization package (same shape as every package's errors)."""

from __future__ import annotations

from common import UserError


class LocalizationError(UserError):
    """Base of the localization errors that the CLI shows without a traceback."""

    title = "Localization error"
    exit_code = 1


class BadPatch(LocalizationError):
    """A gold patch that cannot be parsed as a unified diff."""

    title = "Bad patch"
    exit_code = 2
