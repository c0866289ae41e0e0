"""Solve options from the layered sources (layers.py) and the run's own values, validated once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from swe_agent.errors import BadInput
from swe_agent.solve.layers import PER_RUN, Effective, Layer, Source, gather
from swe_agent.solve.options import SolveOptions

FLAG_NAMES = {"budget_usd": "--budget", "setup_env": "--no-env"}
"""Options whose flag is not ``--`` and the option's name with dashes."""


def layered_options(
    base: Mapping[str, Any],
    *,
    project: Path | None,
    config: Path | None = None,
    flags: Mapping[str, object] | None = None,
    overrides: Sequence[str] = (),
) -> tuple[SolveOptions, Effective]:
    """The options of one run: ``base`` (repo, issue, ...) and the per-run ``flags`` (commit),
    over the layered sources; ``flags`` maps option names to the values given on the command
    line. Also returns the layers' result, whose notes say what a project file could not set."""
    given = dict(flags or {})
    own = {key: given.pop(key) for key in PER_RUN if key in given}
    sources = [
        Source(Layer.FLAG, FLAG_NAMES.get(key, "--" + key.replace("_", "-")), {key: value})
        for key, value in given.items()
    ]
    effective = gather(project=project, config_file=config, flags=sources, overrides=overrides)
    return build_options({**base, **own}, effective.values()), effective


def build_options(base: Mapping[str, Any], config: Mapping[str, Any]) -> SolveOptions:
    """Options from the run's own values and the merged configuration."""
    merged = {**base, **config}
    try:
        return SolveOptions.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise BadInput(
            f"invalid solve options: {problems}",
            hint="`swe-agent config show` lists every option and its value",
        ) from None
