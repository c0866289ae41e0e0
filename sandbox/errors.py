"""User-facing errors of the sandbox package (``title``, ``exit_code``, optional ``hint``)."""

from __future__ import annotations

from common import UserError


class SandboxError(UserError):
    """Base of the sandbox errors that the CLI shows to a person without a traceback."""

    title = "Sandbox error"
    exit_code = 1


class BadSource(SandboxError):
    """The source tree or commit to copy into the sandbox does not exist."""

    title = "Bad sandbox source"
    exit_code = 2


class DockerUnavailable(SandboxError):
    """No Docker daemon answers."""

    title = "Docker is not available"


class ImageMissing(SandboxError):
    """The image to start from is not present and cannot be pulled."""

    title = "Sandbox image missing"


class SandboxGone(SandboxError):
    """The sandbox (its container or directory) disappeared underneath us."""

    title = "Sandbox gone"


class RunnerFailed(SandboxError):
    """The action runner could not be started or answered nonsense."""

    title = "Sandbox runner failed"


class BootstrapFailed(SandboxError):
    """Building a base image with debootstrap did not work."""

    title = "Image bootstrap failed"
