"""One pydantic config class per model kind; these are the ``model:`` section of a config file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from swe_agent.models.catalog import DEFAULT_LOCAL_MODEL

TURN_MARKERS = ("\nOutput you see next:", "\nYour reply:", "\nUser:", "\nAssistant:")


class LitellmConfig(BaseModel):
    """Settings of a model reached through litellm (any hosted or self-hosted provider)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(
        description="litellm provider string, e.g. 'anthropic/claude-sonnet-4-20250514' or "
        "'openai/gpt-4o'; for a self-hosted OpenAI-compatible server use 'openai/NAME'."
    )
    api_base: str | None = Field(
        default=None,
        description="Base URL of a self-hosted server (vLLM, llama.cpp server, Ollama); "
        "None uses the provider's own endpoint.",
    )
    temperature: float = Field(default=0.0, description="Sampling temperature of every call.")
    max_tokens: int | None = Field(
        default=None, description="Upper bound on reply tokens; None leaves the provider default."
    )
    timeout_s: float = Field(default=120.0, description="Seconds before one HTTP call times out.")
    max_retries: int = Field(
        default=5,
        ge=0,
        description="Retries of a retryable error (rate limit, timeout, 5xx, connection) "
        "before the call fails; non-retryable errors fail at once.",
    )
    backoff_base_s: float = Field(
        default=2.0, ge=0, description="First retry waits about this long; each retry doubles it."
    )
    backoff_max_s: float = Field(default=60.0, ge=0, description="Longest wait between retries.")
    extra: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra keyword arguments passed to litellm.completion as they are "
        "(e.g. 'mock_response' for offline tests, 'top_p').",
    )


class LocalModelConfig(BaseModel):
    """Settings of the embedded model run in-process by llama.cpp."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        default=DEFAULT_LOCAL_MODEL, description="Catalog name of the weights to load."
    )
    model_path: Path | None = Field(
        default=None,
        description="Explicit GGUF file to load instead of the catalog file in models_dir.",
    )
    models_dir: Path | None = Field(
        default=None,
        description="Folder holding pulled weights; None means $SWE_AGENT_MODELS_DIR or "
        "~/.cache/swe-agent/models.",
    )
    n_ctx: int = Field(
        default=8192, ge=512, description="Context window in tokens (system prompt, issue, turns)."
    )
    n_threads: int | None = Field(
        default=None,
        ge=1,
        description="CPU threads for inference; None uses every core that the load average "
        "says is free (at least one).",
    )
    temperature: float = Field(default=0.0, ge=0, description="Sampling temperature; 0 = greedy.")
    seed: int = Field(default=0, description="Sampling seed; with temperature 0 replies repeat.")
    top_p: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Nucleus sampling bound of a sampled call. 1 (no bound): llama.cpp's 0.95, "
        "with min_p 0.05, keeps only the top token wherever the model is 95% sure of it, as it "
        "is of every token of code it copies, so a rewrite sampled at temperature 0.7 or 1.0 "
        "came back as the code it was shown.",
    )
    min_p: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="Smallest probability, relative to the top token's, "
        "a sampled token may have (llama.cpp's default: 0.05).",
    )
    max_tokens: int = Field(
        default=1024,
        ge=1,
        description="Upper bound on reply tokens: room for a complete rewrite of the longest "
        "function a rewrite may replace (agent.rewrite_max_lines, 80 lines); a reply ends at "
        "its block's closing fence anyway (one_block).",
    )
    stop: list[str] = Field(
        default_factory=lambda: list(TURN_MARKERS),
        description="Strings that end a reply: the labels of the system prompt's worked "
        "example, which a small model may otherwise continue into an imagined next turn.",
    )
    action_grammar: bool = Field(
        default=False,
        description="Constrain decoding with a grammar so every reply is a thought and exactly "
        "one python block (overrides one_block).",
    )
    nudge_block: bool = Field(
        default=True,
        description="When a reply ends with prose and no code block, continue it from an "
        "opened ```python fence (one more short generation, its tokens counted).",
    )
    one_block: bool = Field(
        default=True,
        description="End the reply at the first closing code fence, so a small model that "
        "would write a second block or an imagined output stops after its one action.",
    )
    verify: bool = Field(
        default=True, description="Check the file's size and sha256 before loading it."
    )
    prompt_cache_mb: int = Field(
        default=0,
        ge=0,
        description="Memory for saved model states keyed by their tokens (0: none): a call whose "
        "prompt extends a saved one (a branch the search comes back to) resumes from it "
        "instead of evaluating the shared prefix again. The state of the last call is "
        "always reused.",
    )


class ReplayConfig(BaseModel):
    """Settings of the replay model: scripted replies, or a recorded run to reproduce."""

    model_config = ConfigDict(extra="forbid")

    outputs: list[str] = Field(
        default_factory=list, description="Scripted replies, returned in order."
    )
    run_dir: Path | None = Field(
        default=None,
        description="A run folder whose trajectory.jsonl model_call events are replayed "
        "(with their recorded tokens, cost and latency) instead of 'outputs'.",
    )
    strict: bool = Field(
        default=False,
        description="With run_dir: fail when a call's messages differ from the recorded prompt.",
    )
    name: str = Field(default="replay", description="Model name reported in trajectories.")
