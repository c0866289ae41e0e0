"""The choices of run options that have no other owner, as StrEnums.

typer lists an enum's values in ``--help`` and shell completion, and pydantic checks them in
config files; a StrEnum still equals its string (``JudgeMode.AUTO == "auto"``). The search mode
is ``search.SearchMode`` and the sandbox backend ``sandbox.Backend``. This module stays light:
the CLI imports it at start.
"""

from __future__ import annotations

from enum import StrEnum


class JudgeMode(StrEnum):
    """Whether the model also scores states and votes among finalists."""

    AUTO = "auto"  # on for hosted models, off for the embedded one
    ON = "on"
    OFF = "off"


class ExecutorKind(StrEnum):
    """Where a batch's tasks run: a local process pool, or a Ray cluster."""

    LOCAL = "local"
    RAY = "ray"


class Half(StrEnum):
    """A fixed half of a dataset's instances, by a hash of the id (``bench localize --half``)."""

    DEV = "dev"  # ranking changes are tuned on this half only
    HELDOUT = "heldout"  # this half keeps measuring how well they generalize
