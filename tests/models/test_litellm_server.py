"""LitellmModel against a self-hosted OpenAI-compatible server on loopback (``api_base``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from swe_agent.models import LitellmConfig, Message, MissingCredentials, ModelCallFailed
from swe_agent.models.litellm_model import LitellmModel

MESSAGES: list[Message] = [{"role": "user", "content": "hello"}]


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "tiny-local",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14},
    }


class _Server:
    """Answers each POST with the next scripted (status, body); records the request bodies."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                server.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                status, body = server.script.pop(0) if server.script else (500, {})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def _model(server: _Server, **settings: Any) -> LitellmModel:
    config = LitellmConfig(
        model="openai/tiny-local", api_base=server.url, backoff_base_s=0.0, **settings
    )
    return LitellmModel(config)


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error", "code": None}}


def test_self_hosted_server_answers(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    server.script = [(200, _completion("hi from the server"))]
    model = _model(server, temperature=0.0)
    reply = model.query(MESSAGES)
    assert reply.content == "hi from the server"
    assert (reply.tokens_in, reply.tokens_out, reply.cost_usd) == (11, 3, 0.0)
    assert server.requests[0]["messages"] == MESSAGES
    assert server.requests[0]["model"] == "tiny-local"


def test_server_errors_are_retried(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    server.script = [
        (503, _error("overloaded")),
        (429, _error("slow down")),
        (200, _completion("third time")),
    ]
    model = _model(server)
    assert model.query(MESSAGES).content == "third time"
    assert len(server.requests) == 3 and model.usage.retries == 2


def test_auth_error_is_not_retried(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong")
    server.script = [(401, _error("bad key")), (200, _completion("never"))]
    model = _model(server)
    with pytest.raises(ModelCallFailed, match="AuthenticationError") as info:
        model.query(MESSAGES)
    assert len(server.requests) == 1
    assert "OPENAI_API_KEY" in str(info.value.hint)  # the variable whose value was refused


def test_bad_request_is_not_retried(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    server.script = [(400, _error("malformed")), (200, _completion("never"))]
    with pytest.raises(ModelCallFailed, match="BadRequestError"):
        _model(server).query(MESSAGES)
    assert len(server.requests) == 1


def test_a_missing_key_fails_before_any_request(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the client's "Missing credentials" read as an InternalServerError, retried 5
    # times with backoff, then "the provider failed; try later".
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    server.script = [(200, _completion("never"))]
    with pytest.raises(MissingCredentials, match="OPENAI_API_KEY") as info:
        _model(server).query(MESSAGES)
    assert server.requests == [] and "export OPENAI_API_KEY" in str(info.value.hint)


def test_unreachable_server_fails_after_the_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    config = LitellmConfig(
        model="openai/tiny-local",
        api_base="http://127.0.0.1:9/v1",
        backoff_base_s=0.0,
        max_retries=1,
        timeout_s=5,
    )
    model = LitellmModel(config)
    with pytest.raises(ModelCallFailed, match="after 2 attempts"):
        model.query(MESSAGES)
    assert model.usage.retries == 1 and model.usage.calls == 0
