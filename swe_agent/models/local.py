"""The embedded model: a GGUF file run in-process by llama-cpp-python (the local-model extra)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from swe_agent.errors import unreadable_file
from swe_agent.models.base import Message, ModelResponse, Usage
from swe_agent.models.catalog import default_models_dir, known_model
from swe_agent.models.config import LocalModelConfig
from swe_agent.models.errors import ModelNotInstalled
from swe_agent.models.pull import is_verified

INSTALL_LINE = (
    'CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON '
    '-DGGML_F16C=ON" pip install "llama-cpp-python>=0.3.2"'
)


def resolve_weights(config: LocalModelConfig) -> Path:
    """The GGUF file the config names, checked to exist (and to hash right when asked)."""
    if config.model_path is not None:
        problem = unreadable_file(config.model_path)
        if problem:
            raise ModelNotInstalled(
                f"the model file {config.model_path} {problem}", hint="pass a .gguf file"
            )
        return config.model_path
    spec = known_model(config.name)
    path = (config.models_dir or default_models_dir()) / spec.filename
    if not path.is_file():
        raise ModelNotInstalled(
            f"the embedded model {spec.name} is not downloaded ({path})",
            hint=f"swe-agent models pull {spec.name}",
        )
    if config.verify and not is_verified(path, sha256=spec.sha256, size=spec.size):
        raise ModelNotInstalled(
            f"{path} does not match the expected sha256 of {spec.name}",
            hint=f"delete it and run: swe-agent models pull {spec.name}",
        )
    return path


def llama_cpp_available() -> bool:
    """True when llama-cpp-python can be imported."""
    import importlib.util

    return importlib.util.find_spec("llama_cpp") is not None


def default_threads() -> int:
    """Every core, less those other processes keep busy (1-minute load average), at least 1.

    llama.cpp's worker threads spin at each barrier; on an oversubscribed machine one thread
    descheduled stalls the others, which measured 16x slower than a single thread here.
    """
    cores = os.cpu_count() or 1
    try:
        busy = round(os.getloadavg()[0])
    except OSError:
        busy = 0
    return max(1, min(cores, cores - busy + 1))


# The action format as a llama.cpp grammar: a thought, then exactly one python block, then the
# end of the turn. Backticks may appear singly (inline code) but never three in a row.
ACTION_GRAMMAR = r"""
root    ::= thought "```python\n" code "```"
thought ::= [^`] ([^`] | "`" [^`])*
code    ::= ([^`] | "`" [^`] | "``" [^`])+
"""

COMPLETE_BLOCK = re.compile(r"```[^\n`]*\n.*?```", re.DOTALL)


class _EndWhen:
    """A llama.cpp logits processor that forces end-of-turn once ``ends`` says the reply (the
    tokens after the prompt) should stop."""

    def __init__(self, llm: Any) -> None:
        self._llm = llm
        self._start: int | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self._start is None:
            self._start = len(input_ids)  # the first call sees exactly the prompt
            return scores
        if self.ends([int(t) for t in input_ids[self._start :]]):
            _only_eos(self._llm, scores)
        return scores

    def ends(self, reply: list[int]) -> bool:
        raise NotImplementedError


class EndAfterBlock(_EndWhen):
    """Ends the reply once it holds a whole block.

    A small model often writes a second block or an imagined output after its action; cutting
    there keeps the one action and saves the tokens. Untagged fences count too.
    """

    def ends(self, reply: list[int]) -> bool:
        return bool(COMPLETE_BLOCK.search(self._llm.detokenize(reply).decode("utf-8", "replace")))


class EndLoop(_EndWhen):
    """Ends the reply once it runs in a loop.

    A small model, greedy above all, can write one sentence over and over until max_tokens
    (a rewrite on pvlib-1606: 1,024 tokens, 568 s on a busy machine); a reply caught so holds
    no usable action, and cutting it saves the rest of the call.
    """

    def ends(self, reply: list[int]) -> bool:
        return looping(reply)


def looping(tokens: Sequence[int], *, repeats: int = 3, shortest: int = 16) -> bool:
    """True when the tokens end with one stretch written ``repeats`` times in a row, the stretch
    at least ``shortest`` tokens long with at least half that many different tokens (a row of
    zeros or a repeated short line in real code is not a loop)."""
    n = len(tokens)
    for period in range(shortest, n // repeats + 1):
        if tokens[-1] != tokens[-1 - period]:
            continue
        tail = tokens[n - period :]
        if len(set(tail)) < shortest // 2:
            continue
        if all(tokens[n - (k + 1) * period : n - k * period] == tail for k in range(1, repeats)):
            return True
    return False


class EndAtDeadline:
    """A llama.cpp logits processor that forces end-of-turn once a time.monotonic() deadline
    has passed (create_chat_completion takes no stopping criteria)."""

    def __init__(self, llm: Any, deadline: float) -> None:
        self._llm, self._deadline = llm, deadline

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if time.monotonic() >= self._deadline:
            _only_eos(self._llm, scores)
        return scores


def _only_eos(llm: Any, scores: Any) -> None:
    """Leave end-of-turn as the only token that can be sampled."""
    eos = llm.token_eos()
    kept = scores[eos]
    scores[:] = -float("inf")
    scores[eos] = kept if kept > -float("inf") else 0.0


class LocalModel:
    """An embedded Qwen2.5-Coder model on the CPU, loaded on the first query."""

    # query(deadline=T) stops generating at time.monotonic() T: a call on a slow, busy
    # machine does not carry a run far past its wall time.
    honours_deadline = True

    def __init__(self, config: LocalModelConfig | None = None) -> None:
        self.config = config or LocalModelConfig()
        self.name = f"local/{self.config.name}"
        self.usage = Usage()
        self._llm: Any = None
        self._grammar: Any = None
        self._cache: Any = None

    def load(self) -> None:
        """Load the weights now (otherwise the first query does it)."""
        if self._llm is not None:
            return
        path = resolve_weights(self.config)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelNotInstalled("llama-cpp-python is not installed", hint=INSTALL_LINE) from exc
        self._llm = Llama(
            model_path=str(path),
            n_ctx=self.config.n_ctx,
            n_threads=self.config.n_threads or default_threads(),
            seed=self.config.seed,
            verbose=False,
        )
        if self.config.prompt_cache_mb:
            from llama_cpp import LlamaRAMCache

            self._cache = LlamaRAMCache(capacity_bytes=self.config.prompt_cache_mb << 20)
            self._llm.set_cache(self._cache)

    def _format_guards(self, deadline: float | None) -> dict[str, Any]:
        from llama_cpp import LlamaGrammar, LogitsProcessorList

        guards: dict[str, Any] = {}
        processors: list[Any] = []
        if self.config.action_grammar:
            if self._grammar is None:
                self._grammar = LlamaGrammar.from_string(ACTION_GRAMMAR, verbose=False)
            guards["grammar"] = self._grammar
        elif self.config.one_block:
            processors.append(EndAfterBlock(self._llm))
        processors.append(EndLoop(self._llm))
        if deadline is not None:
            processors.append(EndAtDeadline(self._llm, deadline))
        if processors:
            guards["logits_processor"] = LogitsProcessorList(processors)
        return guards

    def query(self, messages: Sequence[Message], **kwargs: Any) -> ModelResponse:
        """Answer with the model's own chat template; tokens counted, cost 0."""
        self.load()
        # A new seed per call: with one fixed seed, sampled replies to similar prompts draw the
        # same random numbers and come out the same, and re-asks and siblings stop differing.
        # Runs stay reproducible: the n-th call of a run always gets seed + n.
        settings: dict[str, Any] = {
            "temperature": self.config.temperature,
            "top_p": self.config.top_p,
            "min_p": self.config.min_p,
            "seed": self.config.seed + self.usage.calls,
            "max_tokens": self.config.max_tokens,
            "stop": list(self.config.stop),
        }
        deadline = kwargs.pop("deadline", None)
        settings.update(self._format_guards(deadline))
        settings.update(kwargs)
        started = time.monotonic()
        held = self._held_tokens()
        raw = self._llm.create_chat_completion(messages=list(messages), **settings)
        choice = raw["choices"][0]
        content = choice["message"].get("content") or ""
        usage = dict(raw.get("usage") or {})
        prompt_tokens = int(usage.get("prompt_tokens", 0))
        cached = self._reused(held, prompt_tokens)
        in_time = deadline is None or time.monotonic() < deadline
        if in_time and self._needs_nudge(content, choice.get("finish_reason")):
            content, extra = self._nudge(messages, content, settings)
            usage["completion_tokens"] = usage.get("completion_tokens", 0) + extra
        response = ModelResponse(
            content=content,
            tokens_in=prompt_tokens,
            tokens_out=int(usage.get("completion_tokens", 0)),
            cost_usd=0.0,
            latency_s=time.monotonic() - started,
            raw=dict(raw),
            tokens_cached=cached,
        )
        self.usage.add(response)
        return response

    def _held_tokens(self) -> list[Sequence[int]]:
        """Token sequences whose evaluation the model could reuse now: the one in its KV
        cache, and those saved in the prompt cache."""
        held: list[Sequence[int]] = [[int(t) for t in self._llm._input_ids]]
        if self._cache is not None:
            held.extend(self._cache.cache_state.keys())
        return held

    def _reused(self, held: list[Sequence[int]], prompt_tokens: int) -> int:
        """Prompt tokens of the call just made that were not evaluated again.

        llama.cpp keeps the evaluated prefix shared with the previous call, or restores a
        longer one from the prompt cache; either way the tokens before the first difference
        are reused (less the last one, which it replays to refresh the logits).
        """
        from llama_cpp import Llama

        prompt = [int(t) for t in self._llm._input_ids[:prompt_tokens]]
        best = max((Llama.longest_token_prefix(list(h), prompt) for h in held), default=0)
        return max(0, min(best, prompt_tokens - 1))

    def _needs_nudge(self, content: str, finish_reason: str | None) -> bool:
        # Only a reply that ended on its own with prose and no block: a cut-off one rambled.
        return bool(
            self.config.nudge_block
            and finish_reason == "stop"
            and content.strip()
            and "```" not in content
        )

    def _nudge(
        self, messages: Sequence[Message], thought: str, settings: dict[str, Any]
    ) -> tuple[str, int]:
        """Continue a block-less reply from an opened python fence; returns text and tokens."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            return thought, 0
        eos = self._llm._model.token_get_text(self._llm.token_eos())
        prompt = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token="")(
            messages=cast(Any, list(messages))
        ).prompt
        opened = thought.rstrip() + "\n\n```python\n"
        raw = self._llm.create_completion(
            prompt=prompt + opened,
            max_tokens=self.config.max_tokens,
            temperature=settings["temperature"],
            top_p=settings["top_p"],
            min_p=settings["min_p"],
            seed=settings["seed"],
            stop=["```", *self.config.stop],
        )
        code = raw["choices"][0]["text"].rstrip()
        return f"{opened}{code}\n```", int(raw["usage"]["completion_tokens"])
