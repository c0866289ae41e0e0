"""`swe-agent solve`: from an issue and a repository to a validated patch and a run folder."""

from swe_agent.solve.options import SolveOptions
from swe_agent.solve.pipeline import solve
from swe_agent.solve.retest import node_test_runner

__all__ = ["SolveOptions", "node_test_runner", "solve"]
