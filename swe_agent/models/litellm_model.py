"""Any hosted or self-hosted provider through litellm, with one table of retryable errors."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from swe_agent.models.base import Message, ModelResponse, Usage
from swe_agent.models.config import LitellmConfig
from swe_agent.models.errors import ModelCallFailed
from swe_agent.models.providers import (
    ProviderInfo,
    credentials_hint,
    provider_info,
    require_credentials,
)


@dataclass(frozen=True)
class ErrorRule:
    """How one litellm exception class is handled."""

    exception: str
    retry: bool
    hint: str
    credentials: bool = False  # the hint names the provider's credential variables instead


# First match wins, so subclasses come before their bases (ContextWindowExceededError and
# ContentPolicyViolationError are BadRequestErrors). Names are litellm's exception classes.
ERROR_TABLE: tuple[ErrorRule, ...] = (
    ErrorRule("ContextWindowExceededError", False, "shorten the prompt or use a longer context"),
    ErrorRule("ContentPolicyViolationError", False, "the provider refused the content"),
    ErrorRule("AuthenticationError", False, "set the provider's API key", credentials=True),
    ErrorRule("PermissionDeniedError", False, "the API key has no access", credentials=True),
    ErrorRule("NotFoundError", False, "check the model name and api_base"),
    ErrorRule("BadRequestError", False, "the provider rejected the request as malformed"),
    ErrorRule("UnprocessableEntityError", False, "the provider rejected the request"),
    ErrorRule("RateLimitError", True, "lower the request rate or raise the provider's quota"),
    ErrorRule("Timeout", True, "raise timeout_s or check the server's load"),
    ErrorRule("APIConnectionError", True, "check the network and api_base"),
    ErrorRule("ServiceUnavailableError", True, "the provider is overloaded; try later"),
    ErrorRule("BadGatewayError", True, "the provider's gateway failed; try later"),
    ErrorRule("InternalServerError", True, "the provider failed; try later"),
    ErrorRule("APIError", True, "the provider failed; try later"),
)


def import_litellm() -> ModuleType:
    """Import litellm with its bundled cost map, so importing it never touches the network,
    and without its chatter ("Give Feedback / Get Help", "Provider List") on stdout."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def classify(exc: BaseException, litellm: ModuleType) -> ErrorRule | None:
    """The table's rule for ``exc``, or None when it is not a provider error."""
    for rule in ERROR_TABLE:
        cls = getattr(litellm, rule.exception, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            return rule
    return None


def response_cost(response: Any, litellm: ModuleType) -> float:
    """Dollars for one response; 0 for models litellm has no price for."""
    try:
        return float(litellm.completion_cost(completion_response=response) or 0.0)
    except (litellm.exceptions.ModelNotMappedError, litellm.exceptions.NotFoundError):
        return 0.0


class LitellmModel:
    """A model behind litellm: ``anthropic/...``, ``openai/...``, or a server at ``api_base``."""

    def __init__(self, config: LitellmConfig) -> None:
        self.config = config
        self.name = config.model
        self.usage = Usage()
        self._provider: ProviderInfo | None = None

    def query(self, messages: Sequence[Message], **kwargs: Any) -> ModelResponse:
        """Ask the provider, retrying the table's retryable errors with exponential backoff.

        A missing API key fails at once, before any request: without it the provider's client
        raises an error that would otherwise read (and be retried) as an outage."""
        litellm = import_litellm()
        if "mock_response" not in {**self.config.extra, **kwargs}:
            require_credentials(self._provider_info(litellm))
        attempt = 0
        while True:
            try:
                return self._call(litellm, messages, kwargs)
            except Exception as exc:
                rule = classify(exc, litellm)
                if rule is None:
                    raise
                if not rule.retry or attempt >= self.config.max_retries:
                    raise self._failure(exc, rule, attempt, litellm) from exc
            attempt += 1
            self.usage.retries += 1
            time.sleep(self._backoff(attempt))

    def _failure(
        self, exc: Exception, rule: ErrorRule, attempt: int, litellm: ModuleType
    ) -> ModelCallFailed:
        tries = f" after {attempt + 1} attempts" if rule.retry else ""
        hint = credentials_hint(self._provider_info(litellm)) if rule.credentials else rule.hint
        return ModelCallFailed(f"{self.name}: {type(exc).__name__}{tries}: {exc}", hint=hint)

    def _provider_info(self, litellm: ModuleType) -> ProviderInfo:
        if self._provider is None:
            self._provider = provider_info(
                self.config.model,
                litellm,
                api_base=self.config.api_base,
                api_key=self.config.extra.get("api_key"),
            )
        return self._provider

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.config.backoff_max_s, self.config.backoff_base_s * 2 ** (attempt - 1))
        # Jitter keeps parallel workers that hit one rate limit from retrying in lockstep.
        return ceiling * random.uniform(0.5, 1.0)

    def _request(self, messages: Sequence[Message], overrides: dict[str, Any]) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.config.model,
            "messages": list(messages),
            "temperature": self.config.temperature,
            "timeout": self.config.timeout_s,
            "num_retries": 0,  # the ERROR_TABLE loop is the only retry layer
        }
        if self.config.api_base:
            request["api_base"] = self.config.api_base
        if self.config.max_tokens is not None:
            request["max_tokens"] = self.config.max_tokens
        return {**request, **self.config.extra, **overrides}

    def _call(
        self, litellm: ModuleType, messages: Sequence[Message], overrides: dict[str, Any]
    ) -> ModelResponse:
        started = time.monotonic()
        raw = litellm.completion(**self._request(messages, overrides))
        latency = time.monotonic() - started
        usage = getattr(raw, "usage", None)
        response = ModelResponse(
            content=raw.choices[0].message.content or "",
            tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0),
            tokens_out=int(getattr(usage, "completion_tokens", 0) or 0),
            cost_usd=response_cost(raw, litellm),
            latency_s=latency,
            raw=raw.model_dump() if hasattr(raw, "model_dump") else {},
        )
        self.usage.add(response)
        return response
