"""The embedded model: weights resolution, the one-block cut, and (opt-in) the real model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from swe_agent.models import LocalModelConfig, Message, ModelNotInstalled, UnknownModel
from swe_agent.models.catalog import CATALOG, DEFAULT_LOCAL_MODEL, default_models_dir
from swe_agent.models.local import (
    EndAfterBlock,
    EndLoop,
    LocalModel,
    llama_cpp_available,
    looping,
    resolve_weights,
)


def test_missing_weights_name_the_pull_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled) as info:
        resolve_weights(LocalModelConfig(models_dir=tmp_path))
    assert info.value.hint == f"swe-agent models pull {DEFAULT_LOCAL_MODEL}"


def test_wrong_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / CATALOG[DEFAULT_LOCAL_MODEL].filename).write_bytes(b"not a model")
    with pytest.raises(ModelNotInstalled, match="sha256"):
        resolve_weights(LocalModelConfig(models_dir=tmp_path))


def test_explicit_path(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalled):
        resolve_weights(LocalModelConfig(model_path=tmp_path / "none.gguf"))
    weights = tmp_path / "mine.gguf"
    weights.write_bytes(b"GGUF")
    assert resolve_weights(LocalModelConfig(model_path=weights)) == weights


def test_unknown_catalog_name(tmp_path: Path) -> None:
    with pytest.raises(UnknownModel):
        resolve_weights(LocalModelConfig(name="nope", models_dir=tmp_path))


def test_models_dir_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWE_AGENT_MODELS_DIR", str(tmp_path))
    assert default_models_dir() == tmp_path
    monkeypatch.delenv("SWE_AGENT_MODELS_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_models_dir() == tmp_path / "cache" / "swe-agent" / "models"


class _ByteVocab:
    """A stand-in vocabulary: token i is the byte i; 999 is end-of-turn."""

    def detokenize(self, tokens: list[int]) -> bytes:
        return bytes(tokens)

    def token_eos(self) -> int:
        return 999


def _run(processor: EndAfterBlock, prompt: list[int], reply: str) -> list[bool]:
    """Feed ``reply`` token by token; return, per step, whether only end-of-turn was allowed."""
    np = pytest.importorskip("numpy")
    ids = list(prompt)
    forced = [bool(np.isinf(processor(ids, np.zeros(1000))[:999]).all())]
    for ch in reply.encode():
        ids.append(ch)
        forced.append(bool(np.isinf(processor(ids, np.zeros(1000))[:999]).all()))
    return forced


def test_end_after_block_cuts_after_the_closing_fence() -> None:
    reply = "Look first.\n```python\nview('a.py')\n```"
    forced = _run(EndAfterBlock(_ByteVocab()), [1, 2, 3], reply)
    assert forced[-1] is True and not any(forced[:-1])


@pytest.mark.parametrize("reply", ["Only a thought.", "```python\nopen block", "use `x` here"])
def test_end_after_block_leaves_other_replies_alone(reply: str) -> None:
    assert not any(_run(EndAfterBlock(_ByteVocab()), [7, 8], reply))


LOOP = "The search is implemented correctly in `_lambertw`, but not in the given code. "


def test_a_reply_in_a_loop_is_cut_at_its_third_round() -> None:
    np = pytest.importorskip("numpy")
    processor, ids = EndLoop(_ByteVocab()), [1, 2, 3]
    processor(ids, np.zeros(1000))
    head = "What is wrong. "
    cut = None
    for byte in (head + LOOP * 5).encode():
        ids.append(byte)
        if np.isinf(processor(ids, np.zeros(1000))[:999]).all():
            cut = len(ids) - 3
            break
    assert cut is not None and len(head) + 2 * len(LOOP) < cut <= len(head) + 3 * len(LOOP)


@pytest.mark.parametrize(
    "text",
    [
        "x = [" + "0, " * 200 + "]",  # a row of zeros
        "```python\ndef f(a):\n" + "    a += 1\n" * 3 + "    return a\n```",
        "A thought.\n```python\nview('pvlib/singlediode.py')\n```",
        LOOP * 2,
    ],
)
def test_no_loop_in_real_code(text: str) -> None:
    tokens = list(text.encode())
    assert not any(looping(tokens[:n]) for n in range(1, len(tokens) + 1))


def test_sampled_calls_draw_from_the_whole_distribution() -> None:
    # llama.cpp's top_p 0.95 and min_p 0.05 leave one token wherever the model copies code,
    # so sampled rewrites came back as the code shown; the bounds are settings, off by default.
    config = LocalModelConfig()
    assert (config.top_p, config.min_p) == (1.0, 0.0)
    assert LocalModelConfig(top_p=0.95, min_p=0.05).min_p == 0.05
    with pytest.raises(ValueError):
        LocalModelConfig(top_p=0)
    with pytest.raises(ValueError):
        LocalModelConfig(min_p=1)


def test_the_model_is_loaded_lazily() -> None:
    model = LocalModel(LocalModelConfig(models_dir=Path("/nonexistent")))
    assert model.name == f"local/{DEFAULT_LOCAL_MODEL}" and model.usage.calls == 0


def _installed() -> bool:
    spec = CATALOG[DEFAULT_LOCAL_MODEL]
    return (default_models_dir() / spec.filename).is_file()


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed")
@pytest.mark.skipif(not _installed(), reason="run `swe-agent models pull`")
@pytest.mark.usefixtures("model_tests")
def test_real_model_gives_one_well_formed_action() -> None:
    """Opt-in: runs under ``-m model`` or with SWE_AGENT_MODEL_TESTS=1 (about 1-2 minutes)."""
    from swe_agent.agent.prompts import render

    system = render("system.j2", workdir="/workspace", issue="")
    issue = "`calculator.core.add(2, 3)` returns -1, not 5. The code is in calculator/core.py."
    model = LocalModel(LocalModelConfig(n_ctx=4096, max_tokens=200))
    messages: list[Message] = [
        {"role": "system", "content": system},
        {"role": "user", "content": issue},
    ]
    reply = model.query(messages)
    blocks = re.findall(r"```python\n(.*?)```", reply.content, re.DOTALL)
    assert len(blocks) == 1, reply.content
    assert reply.tokens_in > 100 and reply.tokens_out > 0 and reply.cost_usd == 0.0
    again = LocalModel(LocalModelConfig(n_ctx=4096, max_tokens=200)).query(messages)
    assert again.content == reply.content  # temperature 0 and a fixed seed repeat exactly


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed")
@pytest.mark.skipif(not _installed(), reason="run `swe-agent models pull`")
@pytest.mark.usefixtures("model_tests")
def test_calls_sharing_a_prefix_evaluate_only_what_is_new() -> None:
    """Opt-in like the test above: the evaluated prefix is kept, and saved states come back."""
    system: Message = {"role": "system", "content": "You answer in one word. " * 40}
    first: list[Message] = [system, {"role": "user", "content": "Name a colour."}]
    other: list[Message] = [system, {"role": "user", "content": "Name a fruit."}]
    model = LocalModel(LocalModelConfig(n_ctx=2048, max_tokens=4, prompt_cache_mb=256))
    cold = model.query(first)
    assert cold.tokens_cached == 0
    sibling = model.query(other)  # shares the system message with the call before
    assert 200 < sibling.tokens_cached < sibling.tokens_in
    # Back on the first branch: its saved state holds the whole first prompt and reply.
    follow: list[Message] = [
        *first,
        {"role": "assistant", "content": cold.content},
        {"role": "user", "content": "Another one."},
    ]
    back = model.query(follow)
    assert back.tokens_cached > sibling.tokens_cached
    assert model.usage.tokens_cached == sum(r.tokens_cached for r in (cold, sibling, back))


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.skipif(not llama_cpp_available(), reason="llama-cpp-python is not installed")
@pytest.mark.skipif(not _installed(), reason="run `swe-agent models pull`")
@pytest.mark.usefixtures("model_tests")
def test_a_deadline_stops_generating() -> None:
    """Opt-in like the tests above: a call does not carry a run past its wall time."""
    import time

    model = LocalModel(LocalModelConfig(n_ctx=1024, max_tokens=400, one_block=False))
    model.load()
    messages: list[Message] = [{"role": "user", "content": "Count from 1 to 500, one a line."}]
    reply = model.query(messages, deadline=time.monotonic() + 2)
    assert reply.tokens_out < 400  # cut at the deadline (0 when the prompt alone took longer)
