"""Values of a localization: ranked locations with their reasons, and the Localizer seam."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

TOP = 10  # locations per level unless asked for more or fewer
REASONS = 4  # reasons shown per location


class LocationKind(StrEnum):
    """The three levels at which a localization ranks code."""

    FILE = "file"
    CLASS = "class"
    FUNCTION = "function"


@dataclass(frozen=True)
class Location:
    """One ranked place in the repository: a file path or an entity id, with its evidence."""

    id: str
    kind: LocationKind
    score: float
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``id``, ``kind``, ``score``, ``reasons``)."""
        return {
            "id": self.id,
            "kind": str(self.kind),
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Localization:
    """Ranked files, classes and functions for one issue, best first."""

    files: tuple[Location, ...] = ()
    classes: tuple[Location, ...] = ()
    functions: tuple[Location, ...] = ()
    timings: dict[str, float] = field(default_factory=dict, compare=False)

    def ids(self, kind: LocationKind) -> list[str]:
        """The ranked ids at one level."""
        return [loc.id for loc in self.level(kind)]

    def level(self, kind: LocationKind) -> tuple[Location, ...]:
        """The ranked locations at one level."""
        return {
            LocationKind.FILE: self.files,
            LocationKind.CLASS: self.classes,
            LocationKind.FUNCTION: self.functions,
        }[kind]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form with ``files``, ``classes`` and ``functions``."""
        return {
            "files": [loc.to_dict() for loc in self.files],
            "classes": [loc.to_dict() for loc in self.classes],
            "functions": [loc.to_dict() for loc in self.functions],
        }


class Localizer(Protocol):
    """Anything that ranks the places an issue is about."""

    def localize(self, issue_text: str, *, top: int = TOP) -> Localization:
        """Rank files, classes and functions for ``issue_text``."""
        ...
