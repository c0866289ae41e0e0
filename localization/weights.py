"""The weights table: how much each feature is worth at each level, read from data.

``localization/weights.json`` is written by ``benchmarks/fit_ranking.py`` (a listwise fit on
SWE-bench and Loc-Bench instances, reported with k-fold cross-validation); nothing in the code
sets a weight by hand. ``RankWeights.load(path)`` reads another table (an experiment, a refit).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from localization.errors import LocalizationError
from localization.features import Feature

LEVELS = ("entity", "graph", "file", "class", "function")
BLENDED = ("file", "class", "function")  # the levels ranked, each blended on its own


class BadWeights(LocalizationError):
    """A weights table that cannot be read."""

    title = "Bad weights table"
    exit_code = 2


@dataclass(frozen=True)
class RankWeights:
    """One weight per feature and level.

    ``entity``: the direct evidence of classes and functions; ``graph``: what one edge kind
    carries from a seed (keys are edge kinds, "invokes (reverse)" for the callee's side);
    ``file``, ``class``, ``function``: each level's own features and what it takes from the
    others (``member``, ``file_prior``, ...).

    ``prior`` and ``blend``: a second table (the hand-set weights the fit started from) and,
    per ranked level (``BLENDED``), the share of this table's ranking when the two rankings'
    scores, each relative to its best, are mixed; both fitted shares (see
    ``localization.scoring.rank``). No prior: this table's ranking alone."""

    entity: Mapping[Feature, float] = field(default_factory=dict)
    graph: Mapping[str, float] = field(default_factory=dict)
    file: Mapping[Feature, float] = field(default_factory=dict)
    klass: Mapping[Feature, float] = field(default_factory=dict)
    function: Mapping[Feature, float] = field(default_factory=dict)
    about: str = ""
    prior: RankWeights | None = None
    blend: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> RankWeights:
        """The shipped table, or the one at ``path``."""
        try:
            if path is None:
                text = resources.files("localization").joinpath("weights.json").read_text()
            else:
                text = path.read_text(encoding="utf-8")
            return cls.from_dict(json.loads(text))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            where = path or "localization/weights.json"
            raise BadWeights(
                f"{where}: {exc}", hint="rewrite it with benchmarks/fit_ranking.py fit"
            ) from exc

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RankWeights:
        """A table from its JSON form (unknown feature names are an error)."""

        def level(name: str) -> dict[Feature, float]:
            return {Feature(k): float(v) for k, v in data.get(name, {}).items()}

        blend = {str(k): float(v) for k, v in data.get("blend", {}).items()}
        if not set(blend) <= set(BLENDED) or not all(0 <= v <= 1 for v in blend.values()):
            raise ValueError(f"blend: shares in [0, 1] of {', '.join(BLENDED)} only: {blend}")
        prior = data.get("prior")
        return cls(
            entity=level("entity"),
            graph={str(k): float(v) for k, v in data.get("graph", {}).items()},
            file=level("file"),
            klass=level("class"),
            function=level("function"),
            about=str(data.get("about", "")),
            prior=None if prior is None else cls.from_dict(prior),
            blend=blend,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (levels in ``LEVELS`` order, features in declaration order)."""

        def level(weights: Mapping[Feature, float]) -> dict[str, float]:
            return {str(f): round(weights[f], 6) for f in Feature if f in weights}

        data = {
            "about": self.about,
            "entity": level(self.entity),
            "graph": {k: round(v, 6) for k, v in self.graph.items()},
            "file": level(self.file),
            "class": level(self.klass),
            "function": level(self.function),
        }
        if self.prior is not None:
            data |= {"blend": dict(self.blend), "prior": self.prior.to_dict()}
        return data

    def without(self, *features: Feature) -> RankWeights:
        """The same table with ``features`` weighing nothing at every level (ablations)."""

        def drop(weights: Mapping[Feature, float]) -> dict[Feature, float]:
            return {f: w for f, w in weights.items() if f not in features}

        return replace(
            self,
            entity=drop(self.entity),
            file=drop(self.file),
            klass=drop(self.klass),
            function=drop(self.function),
            graph={} if Feature.GRAPH in features else dict(self.graph),
            prior=None if self.prior is None else self.prior.without(*features),
        )

    def alone(self) -> RankWeights:
        """This table without its prior (what a fit starts from and changes)."""
        return replace(self, prior=None, blend={})


def dot(weights: Mapping[Feature, float], values: Mapping[Feature, float]) -> float:
    """The weighted sum of one key's feature values."""
    return sum(weights.get(f, 0.0) * v for f, v in values.items())
