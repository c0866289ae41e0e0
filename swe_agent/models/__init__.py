"""Models: one ``Model`` protocol and three kinds (litellm, the embedded model, replay).

Implementations load lazily through ``get_model``, so importing this package stays cheap.
"""

from swe_agent.models.base import Message, Model, ModelResponse, Usage
from swe_agent.models.catalog import CATALOG, DEFAULT_LOCAL_MODEL, default_models_dir
from swe_agent.models.check import ModelCheck, check_model
from swe_agent.models.config import LitellmConfig, LocalModelConfig, ReplayConfig
from swe_agent.models.errors import (
    BadModelConfig,
    ChecksumMismatch,
    DownloadFailed,
    MissingCredentials,
    ModelCallFailed,
    ModelError,
    ModelNotInstalled,
    ReplayExhausted,
    UnknownModel,
)
from swe_agent.models.events import ModelCallEvent, read_model_calls
from swe_agent.models.registry import MODEL_KINDS, get_model, parse_spec
from swe_agent.models.replay import Fault, FaultKind

__all__ = [
    "CATALOG",
    "DEFAULT_LOCAL_MODEL",
    "MODEL_KINDS",
    "BadModelConfig",
    "ChecksumMismatch",
    "DownloadFailed",
    "Fault",
    "FaultKind",
    "LitellmConfig",
    "LocalModelConfig",
    "Message",
    "MissingCredentials",
    "Model",
    "ModelCallEvent",
    "ModelCallFailed",
    "ModelCheck",
    "ModelError",
    "ModelNotInstalled",
    "ModelResponse",
    "ReplayConfig",
    "ReplayExhausted",
    "UnknownModel",
    "Usage",
    "check_model",
    "default_models_dir",
    "get_model",
    "parse_spec",
    "read_model_calls",
]
