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


def quiet(_message: str) -> None:
    """Say nothing (the default progress sink)."""


@dataclass(frozen=True)
class Environment:
    """What the sandbox starts from and how tests run there."""

    image: str | None
    python: str
    test_command: str
    record: Mapping[str, object] | None


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
