"""What a solve asks of the forge: its settings, the issue to read, a check before the run."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from common import run_git
from swe_agent.errors import BadInput
from swe_agent.forge.publish import PrOptions, PrResult, open_forge, preflight
from swe_agent.forge.refs import parse_issue_ref
from swe_agent.forge.settings import ForgeSettings, take_token_from_environment
from swe_agent.forge.text import issue_text


def solve_settings() -> ForgeSettings:
    """The forge settings of a solve, the token then taken out of this process's environment
    so that neither the sandbox nor the model can inherit it."""
    settings = ForgeSettings.from_env()
    take_token_from_environment()
    return settings


def read_issue(
    text: str, settings: ForgeSettings, *, say: Callable[[str], None]
) -> tuple[str, str | None]:
    """The issue text, fetched from the forge when ``text`` is an issue address, and that
    address (None for plain issue text)."""
    ref = parse_issue_ref(text, settings)
    if ref is None:
        return text, None
    with open_forge(settings, ref.repo.forge) as forge:
        issue = forge.issue(ref)
    if issue.state != "open":
        say(f"note: issue {ref} is {issue.state}")
    return issue_text(issue), ref.url


def check_before_solve(
    repo: Path, *, issue_url: str | None, options: PrOptions, settings: ForgeSettings
) -> PrResult | None:
    """Check the pull request settings before a long run: the result that stops it (exit 4,
    the issue has a pull request or branch already), else None."""
    return preflight(repo_root(repo), issue_url=issue_url, options=options, settings=settings)


def repo_root(path: Path) -> Path:
    """The top folder of the git checkout ``path`` is in."""
    if not path.is_dir():
        raise BadInput(f"{path} is not a directory", hint="pass --repo PATH of a git checkout")
    done = run_git("rev-parse", "--show-toplevel", cwd=path)
    if done.returncode != 0:
        raise BadInput(f"{path} is not inside a git repository", hint="pass --repo PATH")
    return Path(os.fsdecode(done.stdout.strip()))
