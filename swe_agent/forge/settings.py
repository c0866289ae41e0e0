"""Where the forge is and who we are there, read the way GitHub Actions sets it up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from swe_agent.forge.model import Secret

GITHUB_API = "https://api.github.com"
GITHUB_WEB = "https://github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN",)


@dataclass(frozen=True)
class ForgeSettings:
    """GitHub's addresses and credentials (``GITHUB_*`` variables, as Actions sets them).

    The same settings reach github.com, a GitHub Enterprise server (``GITHUB_SERVER_URL``,
    its API at ``SERVER/api/v3`` unless ``GITHUB_API_URL`` says otherwise) or a test server.
    """

    api_url: str = GITHUB_API
    server_url: str = GITHUB_WEB
    repository: str | None = None  # owner/name of the repository the workflow runs for
    token: Secret | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ForgeSettings:
        """Settings from ``GITHUB_API_URL``, ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and
        ``GITHUB_TOKEN`` (``os.environ`` by default); unset ones take github.com's values."""
        env = os.environ if env is None else env
        server = (env.get("GITHUB_SERVER_URL") or GITHUB_WEB).rstrip("/")
        default_api = GITHUB_API if _host(server) == "github.com" else f"{server}/api/v3"
        token = next((env[name] for name in TOKEN_VARIABLES if env.get(name)), "")
        return cls(
            api_url=(env.get("GITHUB_API_URL") or default_api).rstrip("/"),
            server_url=server,
            repository=env.get("GITHUB_REPOSITORY") or None,
            token=Secret(token) if token else None,
        )

    @property
    def server_host(self) -> str:
        return _host(self.server_url)

    def redact(self, text: str) -> str:
        """``text`` without the token in it."""
        return self.token.redact(text) if self.token is not None else text


def take_token_from_environment() -> None:
    """Remove the token variables from this process's environment once they have been read,
    so no child process (a sandbox, a model client, a test run) can inherit them."""
    for name in TOKEN_VARIABLES:
        os.environ.pop(name, None)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
