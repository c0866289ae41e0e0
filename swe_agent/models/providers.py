"""What litellm knows about a model before any call: its provider, the credentials it reads
from the environment, and whether it has a price (what ``check_model`` tells a run at start).

Importing litellm takes 4-5 s of CPU, so what it said about a model spec is also kept, as
data, in the user's cache (one JSON file per litellm version, written only by us): the next
check of that spec fails on an unknown provider or a missing API key without importing it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import cast

from common import atomic_write
from swe_agent.models.errors import MissingCredentials, UnknownModel

# Variables litellm could read a secret from; hidden while asking litellm which ones a provider
# needs. A variable whose name says API_KEY is required: no call can work without it.
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL", re.IGNORECASE)
REQUIRED_NAME = re.compile(r"API_KEY", re.IGNORECASE)


@dataclass(frozen=True)
class ProviderInfo:
    """litellm's view of one model spec, found without a network call."""

    model: str
    provider: str
    credentials: tuple[str, ...]  # variables the provider reads its credentials from
    missing: tuple[str, ...]  # of those and the provider's other settings: unset or empty
    priced: bool  # litellm has a price per token for it (else every call counts $0)

    @property
    def missing_required(self) -> tuple[str, ...]:
        """The missing variables without which no call can succeed (the API key)."""
        return tuple(name for name in self.missing if REQUIRED_NAME.search(name))


def provider_info(
    model: str, litellm: ModuleType, *, api_base: str | None = None, api_key: str | None = None
) -> ProviderInfo:
    """The provider of ``model`` (UnknownModel when litellm knows none), its credential
    variables, the ones unset, and whether litellm can price its calls."""
    provider = provider_of(model, litellm, api_base=api_base)
    with _environ({k: v for k, v in os.environ.items() if v.strip()}):
        # An empty variable counts as unset: a CI secret that is not configured expands to ''.
        missing = _missing(model, litellm, api_base=api_base, api_key=api_key)
    with _environ({k: v for k, v in os.environ.items() if not SECRET_NAME.search(k)}):
        needed = _missing(model, litellm, api_base=api_base, api_key=None)
    credentials = tuple(name for name in needed if SECRET_NAME.search(name))
    info = ProviderInfo(model, provider, credentials, missing, priced=has_price(model, litellm))
    _remember(model, api_base, {"provider": provider, "credentials": list(credentials)})
    return info


def provider_of(model: str, litellm: ModuleType, *, api_base: str | None = None) -> str:
    """The litellm provider that serves ``model``; UnknownModel (exit 2) when there is none."""
    try:
        return str(litellm.get_llm_provider(model=model, api_base=api_base)[1])
    except litellm.exceptions.BadRequestError:
        _remember(model, api_base, {"provider": None})
        raise _unknown(model) from None


def quick_check(model: str, *, api_base: str | None = None) -> None:
    """Fail as an earlier check of ``model`` with this litellm would, without importing it:
    an unknown provider, or none of its API key variables set. Nothing known: nothing done."""
    facts = _read_cache().get(_key(model, api_base))
    if not isinstance(facts, dict):
        return
    if facts.get("provider") is None:
        raise _unknown(model)
    keys = [str(name) for name in facts.get("credentials", ()) if REQUIRED_NAME.search(name)]
    if keys and not any(os.environ.get(name, "").strip() for name in keys):
        raise MissingCredentials(
            f"{model} needs {' or '.join(keys)}, which is not set (or empty)",
            hint=f"export {keys[0]}=... (the {facts['provider']} API key), "
            "or pick another model with --model",
        )


def _unknown(model: str) -> UnknownModel:
    prefix = model.partition("/")[0]
    return UnknownModel(
        f"litellm knows no provider {prefix!r} (model {model!r})",
        hint="write PROVIDER/NAME with a litellm provider, e.g. openai/gpt-4o, "
        "anthropic/claude-sonnet-4-20250514, ollama/llama3 "
        "(all: https://docs.litellm.ai/docs/providers)",
    )


def cache_file() -> Path | None:
    """The JSON file of what this litellm version said about model specs (None: no litellm)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("litellm")
    except PackageNotFoundError:
        return None
    root = Path(os.environ.get("SWE_AGENT_CACHE") or Path.home() / ".cache" / "swe-agent")
    return root / "litellm" / f"models-{found}.json"


def _key(model: str, api_base: str | None) -> str:
    return model if api_base is None else f"{model} @ {api_base}"


def _read_cache() -> dict[str, object]:
    path = cache_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: the slow path answers and rewrites it
    return data if isinstance(data, dict) else {}


def _remember(model: str, api_base: str | None, facts: dict[str, object]) -> None:
    """Keep ``facts`` about a spec (best effort: a read-only cache only costs speed)."""
    path = cache_file()
    if path is None:
        return
    data = _read_cache()
    if data.get(_key(model, api_base)) == facts:
        return
    data[_key(model, api_base)] = facts
    try:
        atomic_write(path, json.dumps(data, indent=1, sort_keys=True))
    except OSError:
        return


def has_price(model: str, litellm: ModuleType) -> bool:
    """True when litellm's price map gives ``model`` a non-zero price per token."""
    try:
        prompt, completion = litellm.cost_per_token(
            model=model, prompt_tokens=1000, completion_tokens=1000
        )
    except (litellm.exceptions.ModelNotMappedError, litellm.exceptions.NotFoundError):
        return False
    return float(prompt) + float(completion) > 0


def require_credentials(info: ProviderInfo) -> None:
    """Raise MissingCredentials naming the variables to set when the API key is missing."""
    if info.missing_required:
        names = " and ".join(info.missing_required)
        raise MissingCredentials(
            f"{info.model} needs {names}, which is not set (or empty)",
            hint=f"export {info.missing_required[0]}=... (the {info.provider} API key), "
            "or pick another model with --model",
        )


def credentials_hint(info: ProviderInfo) -> str:
    """What to fix when the provider refused the credentials it was given."""
    if info.missing:
        names = " and ".join(info.missing)
        return f"set {names} (litellm reads the {info.provider} credentials there)"
    where = " or ".join(info.credentials) or f"the {info.provider} credential variables"
    return f"the {info.provider} API key in {where} was refused: check its value and its access"


def _missing(
    model: str, litellm: ModuleType, *, api_base: str | None, api_key: str | None
) -> tuple[str, ...]:
    found = litellm.validate_environment(model=model, api_base=api_base, api_key=api_key)
    return tuple(found.get("missing_keys") or ())


@contextmanager
def _environ(view: Mapping[str, str]) -> Iterator[None]:
    """Show litellm ``view`` as ``os.environ`` for one call.

    litellm keeps its table of provider variables inside ``validate_environment``, which reads
    ``os.environ``; this is the only way to learn the names of the variables that are set.
    The process environment (what subprocesses inherit) is not touched.
    """
    saved = os.environ
    os.environ = cast("os._Environ[str]", dict(view))  # noqa: B003 - a view, on purpose
    try:
        yield
    finally:
        os.environ = saved  # noqa: B003
