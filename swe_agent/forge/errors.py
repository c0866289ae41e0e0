"""User-facing errors of the forge layer (``title`` + ``exit_code``, rendered once by the CLI)."""

from __future__ import annotations

from swe_agent.errors import SweAgentError


class ForgeError(SweAgentError):
    """A forge (GitHub) request failed for a reason that is not the user's input."""

    title = "Forge error"
    exit_code = 1


class ForgeInputError(ForgeError):
    """The issue, repository or credentials given cannot be used as asked."""

    title = "Bad forge input"
    exit_code = 2


class PushFailed(ForgeError):
    """git could not push the pull request's branch to the remote."""

    title = "Push failed"
