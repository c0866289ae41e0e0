"""Scripted model replies for the calculator example, and the options the tests run them with."""

from pathlib import Path

from swe_agent.agent.policy import AgentConfig
from swe_agent.solve import SolveOptions

FIX = (
    "Fix the even case.\n```python\nedit('calculator/stats.py', '    return ordered[middle]', "
    "'    if len(ordered) % 2 == 0:\\n        return (ordered[middle - 1] + ordered[middle]) / 2"
    "\\n    return ordered[middle]')\n```"
)
LOOK = "Look first.\n```python\nview('calculator/stats.py', 18, 24)\n```"
SUBMIT = "Done.\n```python\nsubmit('median averages the two middle values')\n```"
BREAK = (
    "Try this.\n```python\nedit('calculator/stats.py', '    return ordered[middle]', "
    "'    return ordered[0]')\n```"
)
REWRITE = (
    "Rewrite median.\n```python\ndef median(values):\n"
    '    """Middle value of the sorted values."""\n'
    "    ordered = sorted(_require_values(values))\n    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2 == 0:\n        return (ordered[middle - 1] + ordered[middle]) / 2\n"
    "    return ordered[middle]\n```"
)


def local_options(repo: Path, issue: str, **overrides: object) -> SolveOptions:
    """Linear search of free-form actions on the local sandbox, no env set-up, branches
    finished by submit()."""
    base: dict[str, object] = {
        "repo": repo,
        "issue": issue,
        "search": "linear",
        "sandbox": "local",
        "setup_env": False,
        "iterations": 8,
        # The scripted replies are free-form actions: no rewrite requests in between.
        "agent": AgentConfig(auto_finish=False, rewrite=False),
    }
    return SolveOptions(**(base | overrides))
