"""``check_model``: everything about a model spec that can be known before the first call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from swe_agent.models.config import LitellmConfig, LocalModelConfig
from swe_agent.models.errors import BadModelConfig, ModelNotInstalled
from swe_agent.models.registry import parse_spec


@dataclass(frozen=True)
class ModelCheck:
    """What a run should know about its model before it starts."""

    kind: str  # litellm, local or replay
    name: str
    cost_known: bool  # calls are priced (or free by nature): a dollar budget can stop them
    notes: tuple[str, ...] = ()  # things the user should hear at start


def check_model(spec: str | None, **settings: Any) -> ModelCheck:
    """Check a model spec without calling it: a known kind and provider, the API key set, the
    weights and runtime installed. Raises the models layer's errors naming the fix."""
    kind, arg = parse_spec(spec)
    if kind == "litellm":
        return _check_litellm(_config(LitellmConfig, model=arg, **settings))
    if kind == "local":
        return _check_local(_config(LocalModelConfig, name=arg, **settings))
    from swe_agent.models.replay import ReplayModel

    ReplayModel.from_run(Path(arg).expanduser())
    return ModelCheck(kind, f"replay:{arg}", cost_known=True)


def _config(cls: Any, **fields: Any) -> Any:
    try:
        return cls(**fields)
    except ValidationError as exc:
        raise BadModelConfig(f"bad model settings: {exc}") from None


def _check_litellm(config: LitellmConfig) -> ModelCheck:
    from swe_agent.models.litellm_model import import_litellm
    from swe_agent.models.providers import provider_info, quick_check, require_credentials

    if "mock_response" not in config.extra and "api_key" not in config.extra:
        quick_check(config.model, api_base=config.api_base)  # no litellm import when known
    info = provider_info(
        config.model,
        import_litellm(),
        api_base=config.api_base,
        api_key=config.extra.get("api_key"),
    )
    if "mock_response" not in config.extra:  # a mocked reply needs no key
        require_credentials(info)
    notes = [
        f"litellm expects {name} for {info.provider}; set it if the calls fail"
        for name in info.missing
        if name not in info.missing_required
    ]
    if not info.priced:
        notes.append(f"litellm has no price for {config.model}: its calls count $0")
    return ModelCheck("litellm", config.model, cost_known=info.priced, notes=tuple(notes))


def _check_local(config: LocalModelConfig) -> ModelCheck:
    from swe_agent.models.local import INSTALL_LINE, llama_cpp_available, resolve_weights

    resolve_weights(config)
    if not llama_cpp_available():
        raise ModelNotInstalled("llama-cpp-python is not installed", hint=INSTALL_LINE)
    return ModelCheck("local", config.name, cost_known=True)
