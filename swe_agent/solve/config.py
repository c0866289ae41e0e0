"""Solve options from a YAML file and ``-c key.path=value`` overrides, validated once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from swe_agent.errors import BadInput
from swe_agent.solve.options import SolveOptions


def read_config(path: Path | None) -> dict[str, Any]:
    """The mapping in a YAML config file (empty without a file)."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read the config file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise BadInput(f"{path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadInput(f"{path} must hold a mapping of option names to values")
    return data


def apply_overrides(config: Mapping[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """``config`` with each ``key.path=value`` set; values are read as YAML (``3``, ``true``)."""
    result: dict[str, Any] = _deep_copy(config)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(
                f"override {item!r} is not key.path=value", hint="e.g. -c agent.max_format_errors=5"
            )
        target = result
        *parents, leaf = key.strip().split(".")
        for part in parents:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise BadInput(f"override {item!r}: {part} is not a section")
        target[leaf] = yaml.safe_load(raw) if raw.strip() else ""
    return result


def build_options(base: Mapping[str, Any], config: Mapping[str, Any]) -> SolveOptions:
    """Options from the command line's values, under the config file and overrides."""
    merged = {**base, **config}
    try:
        return SolveOptions.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise BadInput(
            f"invalid solve options: {problems}",
            hint="see `swe-agent solve --help` and the option names in config.yaml of a run",
        ) from None


def _deep_copy(config: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deep_copy(v) if isinstance(v, Mapping) else v for k, v in config.items()}
