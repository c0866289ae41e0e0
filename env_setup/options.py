"""What a caller can ask of one environment set-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from env_setup.model import Tooling
from env_setup.repair import AgentRepairer


@dataclass(frozen=True)
class SetupOptions:
    """What a caller can ask of one setup."""

    commit: str | None = None  # a git revision; None is the checkout as it is (HEAD's tree)
    python: str | None = None  # force "X.Y"
    tests: tuple[str, ...] = ()  # verify collection of this subset only
    use_cache: bool = True
    max_pythons: int = 2  # how many Python candidates to try before giving up
    max_repairs: int = 10
    pyright: bool = False  # also count pyright's reportMissingImports (EnvBench's metric)
    repo: str | None = None  # OWNER/NAME for the known specs (default: from the origin remote)
    version: str | None = None  # the known specs' version key (default: read from the checkout)
    known: bool = True  # start from the known spec of a known repository
    tooling: Tooling | None = None  # None: the default era of the build tooling
    # Called when the rules give up (a model-driven agent, say); None: rules only.
    agent: AgentRepairer | None = field(default=None, compare=False, repr=False)
