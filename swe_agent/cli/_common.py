"""Helpers shared by the CLI commands: error rendering, JSON output, issue text loading."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import typer

from common import UserError
from swe_agent.errors import BadInput, unreadable_file

F = TypeVar("F", bound=Callable[..., Any])
JSON_PARAMS = ("json_out", "as_json", "json_output")  # what the commands call their --json flag


def render_error(exc: UserError) -> int:
    """Print a user-facing error once, on stderr, and return its exit code."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    # Escaped: "pip install 'swe-agent[parquet]'" is not markup.
    console.print(f"[bold red]{exc.title}:[/] {escape(str(exc))}")
    if exc.hint:
        console.print(f"[yellow]fix:[/] {escape(exc.hint)}")
    return exc.exit_code


def error_object(exc: BaseException, *, title: str | None = None) -> dict[str, Any]:
    """The one JSON object ``--json`` prints for a failure: what went wrong and the fix."""
    known = exc if isinstance(exc, UserError) else None
    return {
        "status": "error",
        "error": {
            "type": type(exc).__name__,
            "title": title or (known.title if known else "Internal error"),
            "message": str(exc),
            "hint": known.hint if known else None,
            "exit_code": known.exit_code if known else 1,
        },
    }


def handles_errors(fn: F) -> F:
    """Turn user-facing errors raised by a command body into a message and an exit code.

    With ``--json`` the failure is also the one JSON object on stdout (a bug's too, with its
    traceback on stderr), so a machine reading stdout always gets exactly one object.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = any(kwargs.get(name) is True for name in JSON_PARAMS)
        try:
            return fn(*args, **kwargs)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            if as_json:
                print_json({"status": "interrupted"})
            raise typer.Exit(130) from None
        except Exception as exc:
            if isinstance(exc, UserError):
                code = render_error(exc)
                if as_json:
                    print_json(error_object(exc))
                raise typer.Exit(code) from None
            if as_json and not isinstance(exc, typer.Exit | SystemExit):
                print_json(error_object(exc, title="Internal error"))
            raise

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def chatter_to_stderr() -> Iterator[None]:
    """Send everything written to stdout while the work runs to stderr instead.

    Libraries print (litellm's banners), and child processes inherit file descriptor 1; stdout
    is kept for the result, printed after this block. Both ``sys.stdout`` and descriptor 1
    are redirected.
    """
    sys.stdout.flush()
    try:
        saved: int | None = os.dup(1)
        os.dup2(2, 1)
    except OSError:
        saved = None  # no descriptor 1 or 2 to redirect: Python-level writes only
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def run_command_line(verb: str, run_id: str, *, repo: Path, extra: str = "") -> str:
    """``swe-agent VERB RUN`` as it works when pasted here: with --repo unless the repository
    is the current folder (run ids are looked up in <repo>/.swe-agent/runs)."""
    import shlex

    line = f"swe-agent {verb} {shlex.quote(run_id)}"
    if repo.resolve() != Path.cwd().resolve():
        line += f" --repo {shlex.quote(str(repo.resolve()))}"
    return f"{line} {extra}".rstrip()


def print_json(obj: Any) -> None:
    """Print one JSON object on stdout (machine-readable output of ``--json``)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")
    sys.stdout.flush()


def read_text_arg(value: str, *, what: str = "issue") -> str:
    """Return ``value``, or the contents of the file it names when it starts with ``@``."""
    if not value.startswith("@"):
        return value
    path = Path(value[1:]).expanduser()
    hint = f"pass the {what} text directly, or @PATH to a readable file"
    problem = unreadable_file(path)
    if problem:
        raise BadInput(f"the {what} file {path} {problem}", hint=hint)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BadInput(f"cannot read the {what} file {path}: {exc.strerror}", hint=hint) from None
    if not text.strip():
        raise BadInput(f"the {what} file {path} is empty", hint=hint)
    return text
