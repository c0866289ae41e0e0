"""SIGTERM ends a command the way Ctrl-C does.

``timeout``, CI runners and process supervisors stop a program with SIGTERM. Python's default
is to die on the spot, skipping every ``finally`` and exit handler: sandbox containers kept
running and batch workers kept solving. Raised as KeyboardInterrupt in the main thread
instead, it unwinds through the same clean-up as Ctrl-C: sandboxes are removed, batch
workers are stopped (and remove theirs), journals keep every finished result.
"""

from __future__ import annotations

import signal
import threading


class Terminated(KeyboardInterrupt):
    """SIGTERM, delivered as an interrupt."""


def terminate_as_interrupt() -> None:
    """Make SIGTERM raise :class:`Terminated` in the main thread (a no-op elsewhere)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, _frame: object) -> None:
    raise Terminated(f"terminated by signal {signum}")
