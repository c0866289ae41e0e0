"""What the review app is built from: the repository, the apply/undo service, a test runner."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tui.service import Outcome

# node id -> a tests record in the search package's shape ({"reproduction": ..., "regression":
# {"passed": ..., "failed": ..., "flaky": ...}}), optionally with "output" (the test log)
TestRunner = Callable[[int], Mapping[str, Any]]


class ReviewActions(Protocol):
    """What the app does to the person's repository and run folder."""

    def apply(self, patch_text: str, *, message: str) -> Outcome:
        """Commit the patch to the repository; raise a user-facing error when refused."""
        ...

    def undo(self) -> Outcome:
        """Take back what apply committed."""
        ...

    def export(self, patch_text: str, *, name: str) -> Outcome:
        """Write the patch to a file and say where."""
        ...


@dataclass(frozen=True)
class ReviewSettings:
    """The dependencies of one review app."""

    repo: Path  # the repository that apply and undo change
    actions: ReviewActions | None = None  # None: the patches package on `repo` and the run
    run_tests: TestRunner | None = None  # None: `t` says why the tests cannot re-run
    theme: str | None = None  # "dark", "light" or any Textual theme name; None: the default
    branch: str = "current"  # where apply commits: "current" branch or a "new" one
    refresh_s: float | None = None  # poll the run folder this often (a run still going)
