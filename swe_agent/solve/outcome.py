"""What one solve run returns: a frozen report, written to report.json as ``to_dict()``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

Json = object  # a value read from or written to JSON: dict, list, str, number, bool or None


class RunStatus(StrEnum):
    """How a run ended (report.json's ``status``)."""

    RESOLVED = "resolved"  # a finished node whose tests fixed what failed and broke nothing
    SUBMITTED = "submitted"  # a finished node with a valid patch the tests did not prove
    UNFINISHED = "unfinished"  # no node finished within the budget (a patch: autosubmitted)
    INVALID_PATCH = "invalid_patch"  # the chosen patch failed validation
    EMPTY_PATCH = "empty_patch"  # the chosen node changed nothing

    @property
    def succeeded(self) -> bool:
        """True when the run produced a patch worth applying (exit code 0)."""
        return self in (RunStatus.RESOLVED, RunStatus.SUBMITTED)


@dataclass(frozen=True)
class Tokens:
    """Model tokens the run was billed for."""

    input: int = 0
    output: int = 0
    cached: int = 0

    def to_dict(self) -> dict[str, int]:
        """The ``tokens`` object of report.json."""
        return {"in": self.input, "out": self.output, "cached": self.cached}


@dataclass(frozen=True)
class SolveReport:
    """The end of one run: the patch, its evidence, what it cost; report.json holds it."""

    run_id: str
    run_dir: Path
    status: RunStatus
    patch: str
    base_commit: str | None = None
    patch_problems: tuple[str, ...] = ()
    tests: Mapping[str, Json] | None = None  # see search.value.TestEvidence for the shape
    choice: tuple[str, ...] = ()
    cost_usd: float = 0.0
    tokens: Tokens = field(default_factory=Tokens)
    model_calls: int = 0
    model: str = ""
    elapsed_s: float = 0.0
    search: Mapping[str, Json] = field(default_factory=dict)
    environment: Mapping[str, Json] | None = None
    issue_title: str = ""
    issue_url: str | None = None
    notes: tuple[str, ...] = ()
    applied: Mapping[str, Json] | None = None
    # Set when no node finished: the patch is the best-scored state, not submitted by the model.
    autosubmitted: Mapping[str, Json] | None = None
    # Set when files of the picked patch were tried: put back to the base if the tests did
    # not need them (node, dropped, kept, tries; see swe_agent/solve/reduce.py).
    reduced: Mapping[str, Json] | None = None

    @property
    def succeeded(self) -> bool:
        """True when the run produced a patch worth applying."""
        return self.status.succeeded

    @property
    def fixed(self) -> list[str]:
        """Test ids that failed at the base and pass with the patch."""
        return _names(self.tests, "fixed")

    @property
    def broken(self) -> list[str]:
        """Test ids that passed at the base and fail with the patch."""
        return _names(self.tests, "broken")

    def to_dict(self) -> dict[str, Json]:
        """report.json's object (keys in the order they have always been written)."""
        out: dict[str, Json] = {
            "run_id": self.run_id,
            "run_dir": str(self.run_dir),
            "base_commit": self.base_commit,
            "status": str(self.status),
            "patch": self.patch,
            "patch_problems": list(self.patch_problems),
            "tests": self.tests,
            "choice": list(self.choice),
            "cost_usd": self.cost_usd,
            "tokens": self.tokens.to_dict(),
            "model_calls": self.model_calls,
            "model": self.model,
            "elapsed_s": self.elapsed_s,
            "search": dict(self.search),
            "environment": self.environment,
            "issue_title": self.issue_title,
            "issue_url": self.issue_url,
            "notes": list(self.notes),
        }
        if self.applied is not None:
            out["applied"] = self.applied
        if self.autosubmitted is not None:
            out["autosubmitted"] = self.autosubmitted
        if self.reduced is not None:
            out["reduced"] = self.reduced
        return out


def _names(tests: Mapping[str, Json] | None, key: str) -> list[str]:
    values = (tests or {}).get(key)
    return [str(v) for v in values] if isinstance(values, list) else []
