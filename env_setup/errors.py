"""User-facing errors of the env_setup package (same shape as every package's error base)."""

from __future__ import annotations

from common import UserError


class EnvSetupError(UserError):
    """Base of the env_setup errors that the CLI shows without a traceback."""

    title = "Environment setup failed"
    exit_code = 1


class BadRepository(EnvSetupError):
    """The path given is not a directory we can set up (missing, not a repository, bad revision)."""

    title = "Bad repository"
    exit_code = 2


class NoRecord(EnvSetupError):
    """No env.json has been recorded for this repository yet."""

    title = "No environment recorded"
    exit_code = 2


class NoBaseImage(EnvSetupError):
    """No base image is available for any Python version the project accepts."""

    title = "No base image"
    exit_code = 1
