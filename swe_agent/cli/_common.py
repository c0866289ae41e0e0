"""Helpers shared by the CLI commands: error rendering, JSON output, issue text loading."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from swe_agent.errors import BadInput

F = TypeVar("F", bound=Callable[..., Any])


def is_user_error(exc: BaseException) -> bool:
    """True for the errors every package marks as user-facing (``title`` and ``exit_code``)."""
    return isinstance(getattr(exc, "title", None), str) and isinstance(
        getattr(exc, "exit_code", None), int
    )


def render_error(exc: BaseException) -> int:
    """Print a user-facing error once, on stderr, and return its exit code."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    # Escaped: "pip install 'swe-agent[parquet]'" is not markup.
    console.print(f"[bold red]{exc.title}:[/] {escape(str(exc))}")  # type: ignore[attr-defined]
    hint = getattr(exc, "hint", None)
    if hint:
        console.print(f"[yellow]fix:[/] {escape(hint)}")
    return int(exc.exit_code)  # type: ignore[attr-defined]


def handles_errors(fn: F) -> F:
    """Turn user-facing errors raised by a command body into a message and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            if is_user_error(exc):
                raise typer.Exit(render_error(exc)) from None
            raise

    return wrapper  # type: ignore[return-value]


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (machine-readable output of ``--json``)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
    sys.stdout.flush()


def read_text_arg(value: str, *, what: str = "issue") -> str:
    """Return ``value``, or the contents of the file it names when it starts with ``@``."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:]).expanduser()
    if not path.is_file():
        raise BadInput(
            f"the {what} file {path} does not exist",
            hint=f"pass the {what} text directly, or @PATH to a readable file",
        )
    return path.read_text(encoding="utf-8", errors="replace")
