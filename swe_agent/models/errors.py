"""User-facing errors of the models layer (``title`` + ``exit_code``, rendered once by the CLI)."""

from __future__ import annotations

from swe_agent.errors import SweAgentError


class ModelError(SweAgentError):
    """Base of every error the models layer shows to a person."""

    title = "Model error"
    exit_code = 1


class UnknownModel(ModelError):
    """The model name matches nothing in the registry or the catalog."""

    title = "Unknown model"
    exit_code = 2


class BadModelConfig(ModelError):
    """A model setting cannot be used as given."""

    title = "Bad model configuration"
    exit_code = 2


class ModelCallFailed(ModelError):
    """The provider refused or kept failing after every retry."""

    title = "Model call failed"
    exit_code = 1


class ModelNotInstalled(ModelError):
    """The embedded model's weights or its runtime are missing."""

    title = "Model not installed"
    exit_code = 1


class DownloadFailed(ModelError):
    """No source of the weights could be downloaded."""

    title = "Download failed"
    exit_code = 1


class ChecksumMismatch(ModelError):
    """Downloaded bytes do not match the expected sha256 or size; nothing was installed."""

    title = "Checksum mismatch"
    exit_code = 1


class ReplayExhausted(ModelError):
    """A replay model was asked for more replies than it holds."""

    title = "Replay exhausted"
    exit_code = 1


class MissingCredentials(ModelError):
    """The provider's API key is not in the environment: no call could succeed."""

    title = "Missing API key"
    exit_code = 2
