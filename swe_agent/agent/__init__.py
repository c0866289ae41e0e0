"""The CodeAct agent: its policy, the actions it runs in the sandbox, and its trajectory."""

from swe_agent.agent.trajectory import Trajectory, read_events

__all__ = ["Trajectory", "read_events"]
