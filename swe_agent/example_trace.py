"""Run the issue's example in a sandbox and read what it did (see localization.execution).

    execution = trace_example(box, issue_text, main_package="sympy")   # None: no example
    localizer.localize(issue_text, execution=execution)

The tracer and its input and output live under the workspace's ``.git`` folder, so they are
never part of a workspace state; the example's own writes are undone by the caller restoring
the base state (``solve`` searches from it anyway).
"""

from __future__ import annotations

import functools
import json
import logging
import shlex
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from env_setup import VENV
from localization import TRACER, Execution, console_scripts, example_chunks, parse_trace

if TYPE_CHECKING:
    from sandbox import Sandbox

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 60
_HOME = ".git/swe-agent-trace"
# The environment's Python: env_setup's virtualenv, else python or python3 on PATH.
_PYTHON = f'$(for p in {VENV}/bin/python python python3; do command -v "$p" && break; done)'


def trace_example(
    box: Sandbox,
    issue_text: str,
    *,
    main_package: str | None,
    scripts: Mapping[str, str] | None = None,
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> Execution | None:
    """What the issue's example called and raised when run in ``box``'s workspace (with the
    repository's console ``scripts``, a shell reproducer is an example too); None when the
    issue has no example or the tracer could not run (the reason is logged)."""
    chunks = example_chunks(issue_text, main_package=main_package, scripts=scripts)
    if not chunks:
        return None
    box.write_file(f"{_HOME}/chunks.json", json.dumps(chunks))
    box.write_file(f"{_HOME}/trace_example.py", TRACER.read_text(encoding="utf-8"))
    command = (
        f"PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg {_PYTHON} {_HOME}/trace_example.py "
        f"{_HOME}/chunks.json {_HOME}/out.json {timeout_s} {shlex.quote(main_package or '')}"
    )
    observed = box.run(command, timeout=timeout_s + 30)
    try:
        data = json.loads(box.read_file(f"{_HOME}/out.json"))
    except Exception as exc:  # no trace is a normal outcome, never fatal
        tail = (observed.stderr or observed.stdout or "")[-300:]
        log.info("the example's trace is missing (%s): %s", exc, tail)
        return None
    return parse_trace(data)


# (checkout root, issue text, main package) -> what the example did
ExampleRunner = Callable[[Path, str, str | None], Execution | None]


def sandbox_runner(
    images: Sequence[str | None], *, timeout_s: int = DEFAULT_TIMEOUT_S
) -> ExampleRunner:
    """Runs an issue's example in a fresh sandbox whose workspace is the given checkout (for
    ``bench localize --example-image``): from the first of ``images``, and from the next one
    while the example's imports fail (an older commit may need an older Python). No sandbox
    starts for an issue with no example. The runner pickles (``bench localize --workers``)."""
    return functools.partial(_run_in_sandboxes, tuple(images), timeout_s)


def _run_in_sandboxes(
    images: tuple[str | None, ...],
    timeout_s: int,
    root: Path,
    issue_text: str,
    main_package: str | None,
) -> Execution | None:
    from sandbox import start_sandbox

    scripts = console_scripts(root)
    if not example_chunks(issue_text, main_package=main_package, scripts=scripts):
        return None
    execution = None
    for image in images:
        with start_sandbox(root, image=image) as box:
            execution = trace_example(
                box, issue_text, main_package=main_package, scripts=scripts, timeout_s=timeout_s
            )
        if execution is not None and not execution.imports_failed:
            break
    return execution


def trace_in_repo(repo: Path, issue_text: str, *, main_package: str | None) -> Execution | None:
    """Run the issue's example on ``repo``'s working tree in a Docker sandbox from the
    environment `swe-agent env setup` recorded for it (else the base image)."""
    from env_setup import NoRecord, load_record
    from sandbox import DockerUnavailable, start_sandbox

    scripts = console_scripts(repo)
    if not example_chunks(issue_text, main_package=main_package, scripts=scripts):
        return None
    try:
        record = load_record(repo)
        image, python = (record.image if record.success else None), record.python or "3.9"
    except NoRecord:
        image, python = None, "3.9"
    try:
        box = start_sandbox(repo, image=image, python=python, dirty=True)
    except DockerUnavailable as exc:
        hint = "start the Docker daemon (`sudo dockerd &`), or localize without --run-example"
        raise DockerUnavailable(str(exc), hint=hint) from None
    with box:
        return trace_example(box, issue_text, main_package=main_package, scripts=scripts)
