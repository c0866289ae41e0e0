"""Why an evaluation could not grade an instance: infrastructure failures, as kinds.

A failure of the infrastructure (the environment could not be built, the runner died, the
container vanished, the tests ran out of time or lacked the network they need) makes an
instance an error, never "unresolved": its patch was not judged. ``bench eval`` runs errors
again when it resumes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    """The kinds of error an evaluated instance can end in."""

    CHECKOUT = "checkout"  # the repository, commit or files the tests read are not available
    ENVIRONMENT = "environment"  # env_setup could not build a working environment
    PATCH = "patch"  # the model patch did not apply
    TEST_PATCH = "test_patch"  # the test patch did not apply on top of it
    TIMEOUT = "timeout"  # the test command ran past its time limit and was killed
    RUNNER_DIED = "runner_died"  # the sandbox's runner exited while the tests ran
    CONTAINER_GONE = "container_gone"  # the container was removed or stopped underneath
    SANDBOX = "sandbox"  # Docker did not answer, or the sandbox could not start
    NO_NETWORK = "no_network"  # named tests failed for want of a network the run lacked
    WORKER = "worker"  # the worker process or Ray task died
    CRASH = "crash"  # anything else: a bug of ours, with its message


@dataclass(frozen=True)
class Failure:
    """An error kind and what happened, for the instance's row and report."""

    kind: ErrorKind
    message: str

    def text(self) -> str:
        """``kind: message`` (the row's ``error``)."""
        return f"{self.kind}: {self.message}"[:2000]


# What a failed connection says, from the socket up to requests; a refused connection is not
# among them (tests talk to servers they start on the loopback, which a run without network has).
_NETWORK = re.compile(
    r"Temporary failure in name resolution|Name or service not known|"
    r"nodename nor servname provided|getaddrinfo failed|\[Errno -[23]\]|"
    r"Network is unreachable|No route to host|NameResolutionError|"
    r"Failed to establish a new connection|Could not resolve host|"
    r"<urlopen error \[Errno -?\d+\]",
)


def unjudgeable(output: str, *, network: bool, missing_files: Sequence[str]) -> Failure | None:
    """Why failed named tests say nothing of the patch: no network, or files the checkout lacks.

    Called when named tests failed; the log is searched for a failed connection, then for a
    path the mirror has no blob of (a file of 4 MiB or more, skipped by the checkout).
    """
    trace = network_trace(output)
    if trace is not None:
        given = "with --network" if network else "without network (--network allows it)"
        message = f"this run lacked network its tests needed (ran {given}): {trace}"
        return Failure(ErrorKind.NO_NETWORK, message)
    read = [path for path in missing_files if path in output]
    if read:
        message = (
            f"the tests read files the checkout lacks ({', '.join(read[:3])}): the mirror has "
            "no blob for them; --blobs can supply them"
        )
        return Failure(ErrorKind.CHECKOUT, message)
    return None


def network_trace(output: str) -> str | None:
    """The first line of ``output`` that says a connection to the network failed, else None."""
    found = _NETWORK.search(output)
    if found is None:
        return None
    start = output.rfind("\n", 0, found.start()) + 1
    end = output.find("\n", found.end())
    return output[start : end if end >= 0 else len(output)].strip()[:300]


def daemon_failure(exc: BaseException) -> str | None:
    """What went wrong with Docker's API, if that is what ``exc`` (or what caused it) is.

    docker-py's own errors (an image pruned, the daemon refusing), and the HTTP transport under
    it timing out or dropping the connection (a ReadTimeout of a busy daemon's socket). The
    chain followed is ``raise ... from``'s: an error raised while handling another is its own.
    """
    import requests

    transport = (requests.ConnectionError, requests.Timeout)
    seen: BaseException | None = exc
    while seen is not None:
        module = type(seen).__module__
        if module.startswith(("docker.", "urllib3.")) or isinstance(seen, transport):
            return f"{type(seen).__name__}: {seen}"
        seen = seen.__cause__
    return None
