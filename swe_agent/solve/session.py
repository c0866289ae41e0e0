"""The parts of one solve run, gathered as the pipeline goes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sandbox import Sandbox
from swe_agent.agent.evidence import TestProbe
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Model
from swe_agent.runs import RunPaths
from swe_agent.solve.context import IssueContext
from swe_agent.solve.options import SolveOptions

Say = Callable[[str], None]
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"  # the images' own


def quiet(_message: str) -> None:
    """Say nothing (the default progress sink)."""


@dataclass(frozen=True)
class Environment:
    """What the sandbox starts from and how tests run there."""

    image: str | None
    python: str
    test_command: str
    record: Mapping[str, object] | None

    def sandbox_env(self) -> dict[str, str]:
        """The sandbox's environment variables: the set-up's venv first on PATH, so the agent's
        actions run on its interpreter (the action runner is ``python3`` on PATH) and import
        the project and its dependencies, as the tests do; nothing without a set-up."""
        record = self.record or {}
        venv = record.get("venv")
        if not self.image or not record.get("success") or not isinstance(venv, str) or not venv:
            return {}
        return {"PATH": f"{venv}/bin:{IMAGE_PATH}"}


@dataclass
class Session:
    """The parts of one run, gathered as the pipeline goes."""

    options: SolveOptions
    run: RunPaths
    context: IssueContext
    env: Environment
    model: Model
    trajectory: Trajectory
    box: Sandbox
    say: Say
    probe: TestProbe | None = None
    notes: tuple[str, ...] = ()  # what preflight told the user at start
