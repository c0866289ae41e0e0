"""Model names to implementations: an explicit dict of dotted paths, resolved lazily."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swe_agent.models.base import Model, ModelResponse
from swe_agent.models.catalog import CATALOG, DEFAULT_LOCAL_MODEL
from swe_agent.models.config import LitellmConfig, LocalModelConfig
from swe_agent.models.errors import BadModelConfig, UnknownModel

MODEL_KINDS: dict[str, str] = {
    "litellm": "swe_agent.models.litellm_model:LitellmModel",
    "local": "swe_agent.models.local:LocalModel",
    "replay": "swe_agent.models.replay:ReplayModel",
}
"""Kind -> class. A spec picks the kind: ``local``, ``replay:RUN_DIR``, ``litellm:NAME``, or any
``provider/name`` (litellm)."""

SPEC_FORMS = (
    "local (or nothing): the embedded model",
    *(f"{name}: the embedded model" for name in sorted(CATALOG)),
    "replay:RUN_DIR: replay a recorded run",
    "PROVIDER/NAME (e.g. anthropic/claude-sonnet-4-20250514, openai/gpt-4o): litellm",
    "litellm:NAME: litellm with a bare model name (e.g. litellm:gpt-4o)",
)


def resolve(registry: Mapping[str, str], key: str, *, what: str) -> Any:
    """Import the object that ``registry[key]`` names (``module:attr``); unknown keys list all."""
    try:
        dotted = registry[key]
    except KeyError:
        raise UnknownModel(
            f"unknown {what} {key!r}", hint=f"known {what}s: {', '.join(sorted(registry))}"
        ) from None
    module_name, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def parse_spec(spec: str | None) -> tuple[str, str]:
    """Split a model spec into (kind, argument); an unknown spec lists the known forms."""
    if spec is None or spec in ("", "local"):
        return "local", DEFAULT_LOCAL_MODEL
    if spec in CATALOG:
        return "local", spec
    kind, sep, rest = spec.partition(":")
    if sep and kind in MODEL_KINDS and rest:
        return kind, rest
    provider, slash, _ = spec.partition("/")
    # A provider prefix is a plain word; ':' may follow later (ollama/llama3:8b).
    if slash and provider and not provider.startswith(".") and ":" not in provider:
        return "litellm", spec
    raise UnknownModel(f"unknown model {spec!r}", hint="use one of: " + "; ".join(SPEC_FORMS))


def get_model(spec: str | Sequence[str | ModelResponse] | None = None, **settings: Any) -> Model:
    """The model a spec names: litellm, the embedded model (default) or a replay.

    A list of strings is a scripted replay. ``settings`` are fields of the kind's config class
    (e.g. ``api_base=`` for litellm, ``n_ctx=`` for local) or, for replays, ``faults=``.
    """
    if spec is not None and not isinstance(spec, str):
        replay_cls = resolve(MODEL_KINDS, "replay", what="model kind")
        return replay_cls(list(spec), **settings)  # type: ignore[no-any-return]
    kind, arg = parse_spec(spec)
    cls = resolve(MODEL_KINDS, kind, what="model kind")
    try:
        if kind == "replay":
            return cls.from_run(Path(arg).expanduser(), **settings)  # type: ignore[no-any-return]
        if kind == "local":
            return cls(LocalModelConfig(name=arg, **settings))  # type: ignore[no-any-return]
        return cls(LitellmConfig(model=arg, **settings))  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise BadModelConfig(f"bad settings for a {kind} model: {exc}") from exc
