"""`swe-agent solve`: from an issue and a repository to a validated patch and a run folder."""

from swe_agent.solve.options import SolveOptions
from swe_agent.solve.pipeline import solve

__all__ = ["SolveOptions", "solve"]
