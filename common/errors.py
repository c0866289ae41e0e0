"""The one base of the errors shown to a person without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """An error the CLI and the review app render once (title, message, fix) by type.

    Each package derives its own base from it, with its ``title``; ``exit_code`` is 2 for bad
    input and 1 when the work failed; ``hint`` names the fix.
    """

    title = "Error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
