"""User-facing errors of the localization package (same shape as every package's errors)."""

from __future__ import annotations


class LocalizationError(Exception):
    """Base of the localization errors that the CLI shows without a traceback."""

    title = "Localization error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class BadPatch(LocalizationError):
    """A gold patch that cannot be parsed as a unified diff."""

    title = "Bad patch"
    exit_code = 2
