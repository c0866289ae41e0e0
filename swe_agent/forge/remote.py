"""The git side of a pull request: the remote, its branches, and a push that carries the token
in the environment of that one git process (never in argv, a URL or a config file)."""

from __future__ import annotations

import base64
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from common import run_git
from swe_agent.forge.errors import ForgeInputError, PushFailed
from swe_agent.forge.settings import ForgeSettings

_GIT_ENV = {"GIT_ASKPASS": "true"}  # over common's safe environment: never ask for a password
NO_COMMIT = "0" * 40
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def safe_url(text: str) -> str:
    """``text`` with the user and password of any address in it replaced by ``***``."""
    return _USERINFO.sub("***@", text)


@dataclass(frozen=True)
class Remote:
    """A named remote of a local repository, and how to authenticate to it."""

    repo: Path
    name: str
    url: str
    settings: ForgeSettings = field(repr=False)

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run git in the repository, with the forge's token when the remote needs it."""
        done = run_git(*args, cwd=self.repo, env={**_GIT_ENV, **self.auth_env()})
        result = subprocess.CompletedProcess(
            done.args,
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )
        if check and result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise PushFailed(
                f"git {' '.join(args[:2])} failed: {safe_url(self.settings.redact(output))}"
            )
        return result

    def branch_tip(self, branch: str) -> str | None:
        """The commit ``branch`` points to on the remote, or None when it has no such branch."""
        out = self.git("ls-remote", "--heads", self.name, f"refs/heads/{branch}").stdout
        for line in out.splitlines():
            sha, _, ref = line.partition("\t")
            if ref.strip() == f"refs/heads/{branch}":
                return sha.strip()
        return None

    def default_branch(self) -> str | None:
        """The branch the remote's HEAD names (its default branch), when it says."""
        out = self.git("ls-remote", "--symref", self.name, "HEAD", check=False).stdout
        for line in out.splitlines():
            if line.startswith("ref: refs/heads/"):
                return line.split("\t", 1)[0].removeprefix("ref: refs/heads/")
        return None

    def push(self, commit: str, branch: str, *, lease: str | None) -> None:
        """Push ``commit`` as ``branch``; with ``lease``, replace the remote's ``lease`` commit
        only (--force-with-lease), so a push made meanwhile by someone else is never lost."""
        args = ["push", "--porcelain", "--no-verify"]
        if lease is not None:
            args.append(f"--force-with-lease=refs/heads/{branch}:{lease}")
        self.git(*args, self.name, f"{commit}:refs/heads/{branch}")

    def auth_env(self) -> dict[str, str]:
        """``http.<server>/.extraheader`` as git's environment configuration, for an https
        remote on the forge's server, unless the repository already carries credentials for
        it (actions/checkout writes its own header)."""
        token = self.settings.token
        parts = urlsplit(self.url)
        if token is None or parts.scheme != "https" or "@" in parts.netloc:
            return {}
        if (parts.hostname or "").lower() not in (self.settings.server_host, "github.com"):
            return {}
        probe = run_git("config", "--get-regexp", r"^http\..*extraheader$", cwd=self.repo)
        if probe.stdout.strip():
            return {}
        basic = base64.b64encode(f"x-access-token:{token.value}".encode()).decode()
        return {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"http.{parts.scheme}://{parts.netloc}/.extraheader",
            "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
        }


def open_remote(repo: Path, name: str, settings: ForgeSettings) -> Remote:
    """The remote ``name`` of ``repo``; refuses when the repository has none by that name."""
    done = run_git("remote", "get-url", name, cwd=repo, env=_GIT_ENV)
    if done.returncode != 0:
        raise ForgeInputError(
            f"{repo} has no git remote {name!r}",
            hint="add one (git remote add origin URL) or pass --remote NAME",
        )
    return Remote(repo, name, done.stdout.decode("utf-8", "replace").strip(), settings)
