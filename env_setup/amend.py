"""Amend a built environment: install what the named tests were skipped for, re-commit the image.

A caller that ran the named tests (bench eval) finds them skipped for want of a module; the
installs run in a networked sandbox from the environment's image, are appended to the record's
commands (a later build replays them, a cache hit reads them from the image), and the image is
committed again under its own tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from env_setup.install import InstallLog, Progress, run_step
from env_setup.model import Step
from env_setup.record import CommandResult, EnvRecord
from env_setup.skips import install_modules


@dataclass(frozen=True)
class Amended:
    """The record after the installs (the same one when nothing ran), and what became of each."""

    record: EnvRecord
    ready: tuple[str, ...]  # the modules the image imports now
    notes: tuple[str, ...]
    changed: bool  # commands ran: the record has more of them


def add_modules(
    root: Path,
    record: EnvRecord,
    modules: Sequence[str],
    *,
    commit: str | None = None,
    progress: Progress | None = None,
) -> Amended:
    """Install ``modules`` into ``record``'s image (those it cannot import); never raises on a
    failed install: the notes say what happened to each module."""
    from env_setup.pipeline import freeze, save_image
    from sandbox import SETUP_LIMITS, start_sandbox

    say = progress or (lambda _message: None)
    if not record.image or not modules:
        return Amended(record, (), (), changed=False)
    log = InstallLog()
    python_bin = f"{record.venv}/bin/python"
    tried = frozenset(c.command for c in record.commands)

    def run(step: Step, timeout: float) -> CommandResult:
        return run_step(box, step, log=log, progress=say, timeout=timeout)

    with start_sandbox(
        root, image=record.image, network=True, limits=SETUP_LIMITS, commit=commit
    ) as box:
        installed = install_modules(
            box,
            modules,
            python_bin=python_bin,
            as_of=record.uploaded_prior_to,
            run=run,
            tried=tried,
        )
        if not log.results:
            return Amended(record, installed.ready, installed.notes, changed=False)
        logged = tuple(replace(c, python=record.python) for c in log.results)
        installed_any = any(c.ok for c in logged)
        amended = replace(
            record,
            commands=(*record.commands, *logged),
            resolved=freeze(box, python_bin) if installed_any else record.resolved,
        )
        if installed_any:
            say(f"saving the environment with the installs as {record.image}")
            save_image(box, amended)
    return Amended(amended, installed.ready, installed.notes, changed=True)
