"""Serve an embedded model over HTTP with llama-cpp-python's OpenAI-compatible server.

Anything that speaks the OpenAI chat API can then use it, this tool's own litellm path
included: ``swe-agent solve --model openai/NAME -c api_base=http://127.0.0.1:PORT/v1``.
"""

from __future__ import annotations

import importlib.util
import sys

from swe_agent.models.config import LocalModelConfig
from swe_agent.models.errors import ModelNotInstalled
from swe_agent.models.local import default_threads, resolve_weights

SERVER_EXTRA = "pip install 'swe-agent[server]'  (llama-cpp-python[server])"


def server_command(
    name: str, *, host: str = "127.0.0.1", port: int = 8000, n_ctx: int = 8192
) -> list[str]:
    """The command that serves the verified weights of catalog model ``name`` as ``name``."""
    weights = resolve_weights(LocalModelConfig(name=name))
    if importlib.util.find_spec("llama_cpp") is None or not _has_server():
        raise ModelNotInstalled("llama-cpp-python's server is not installed", hint=SERVER_EXTRA)
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(weights),
        "--model_alias",
        name,
        "--host",
        host,
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--n_threads",
        str(default_threads()),
    ]


def _has_server() -> bool:
    """True when the server's own dependencies (the ``server`` extra) import."""
    return all(
        importlib.util.find_spec(m) is not None for m in ("fastapi", "uvicorn", "sse_starlette")
    )
