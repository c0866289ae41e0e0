"""The run options `solve` and `bench run` share, as flags, and the config sources they fill.

A flag left out is None: the value then comes from the configuration (`swe-agent config show`
prints it and its source), so help shows no default that a config file could contradict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sandbox import Backend
from search import SearchMode
from swe_agent.choices import JudgeMode

if TYPE_CHECKING:
    from swe_agent.solve.layers import Source

FROM_CONFIG = "Default: from the configuration (see `swe-agent config show`)."

Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model spec (see `models list`). Default: your user file or -C FILE, else "
        "$SWE_AGENT_MODEL, else the embedded model.",
    ),
]
Search = Annotated[
    SearchMode | None, typer.Option("--search", help=f"Tree search, or one chain. {FROM_CONFIG}")
]
Iterations = Annotated[
    int | None, typer.Option("--iterations", help="Model steps (nodes) a run may take (40).")
]
Expansions = Annotated[
    int | None, typer.Option("--expansions", help="Children per node in MCTS mode (3).")
]
MaxSteps = Annotated[
    int | None,
    typer.Option("--max-steps", "--max-depth", help="Actions along one branch (depth; 20)."),
]
MaxCalls = Annotated[
    int | None, typer.Option("--max-calls", help="Model calls a run may make, re-asks too.")
]
TestCommand = Annotated[
    str | None,
    typer.Option("--test-command", help="Test command; default: the one env set-up chose."),
]
Judge = Annotated[
    JudgeMode | None,
    typer.Option("--judge", help="The model also scores states (auto: hosted models only)."),
]
Seed = Annotated[
    int | None, typer.Option("--seed", help="Sampling seed of the embedded model (0).")
]
SandboxOpt = Annotated[
    Backend | None,
    typer.Option("--sandbox", help="Where actions run: a container, or a copy on the host."),
]
ConfigFileOpt = Annotated[
    Path | None,
    typer.Option("--config", "-C", help="A YAML file of options, over the user and project files."),
]
Overrides = Annotated[
    list[str] | None,
    typer.Option(
        "--set", "-c", help="One option, over everything else: key.path=value (repeatable)."
    ),
]

FLAGS = {
    "model": ("--model", "model"),
    "search": ("--search", "search"),
    "iterations": ("--iterations", "iterations"),
    "expansions": ("--expansions", "expansions"),
    "max_steps": ("--max-steps", "max_steps"),
    "max_calls": ("--max-calls", "max_calls"),
    "test_command": ("--test-command", "test_command"),
    "judge": ("--judge", "judge"),
    "seed": ("--seed", "seed"),
    "sandbox": ("--sandbox", "sandbox"),
}
"""Parameter name -> (the flag, the option it sets), for the shared flags."""


def flag_sources(
    params: Mapping[str, Any], extra: Mapping[str, tuple[str, str]] | None = None
) -> list[Source]:
    """The config sources of the flags given (those not None), in ``params`` order."""
    from swe_agent.solve.layers import flag_sources as sources

    table = {**FLAGS, **(extra or {})}
    given = {
        flag: (key, value)
        for name, value in params.items()
        if name in table and value is not None
        for flag, key in [table[name]]
    }
    return sources(given)
