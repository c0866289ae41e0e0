"""`swe-agent solve`: from an issue and a repository to a validated patch and a run folder."""

from swe_agent.solve.command import SolveFrontend, SolveOutcome, SolveRequest, run_request
from swe_agent.solve.options import SolveOptions
from swe_agent.solve.outcome import RunStatus, SolveReport, Tokens
from swe_agent.solve.pipeline import solve
from swe_agent.solve.retest import node_test_runner

__all__ = [
    "RunStatus",
    "SolveFrontend",
    "SolveOptions",
    "SolveOutcome",
    "SolveReport",
    "SolveRequest",
    "Tokens",
    "node_test_runner",
    "run_request",
    "solve",
]
