"""Errors of the benchmark harness, shown by the CLI without a traceback."""

from __future__ import annotations

from swe_agent.errors import SweAgentError


class RepoNotAvailable(SweAgentError):
    """The mirror directory has no usable copy of a repository or commit."""

    title = "Repository not available"
    exit_code = 1


class CommitNotAvailable(RepoNotAvailable):
    """The mirror has the repository but not the instance's base commit."""

    title = "Commit not in the mirror"
