"""User-facing errors of the repo_graph package (``title``, ``exit_code``, optional ``hint``)."""

from __future__ import annotations

from common import UserError


class RepoGraphError(UserError):
    """Base of the errors of repo_graph that a person sees without a traceback."""

    title = "code graph error"
    exit_code = 1


class NotARepository(RepoGraphError):
    """The path given as a repository is not a directory."""

    title = "Not a repository"
    exit_code = 2


class EntityNotFound(RepoGraphError):
    """A query named an entity id that the graph does not hold."""

    title = "Entity not found"
    exit_code = 2


class BadQuery(RepoGraphError):
    """A query's options cannot be satisfied (unknown kind, negative depth)."""

    title = "Bad query"
    exit_code = 2
