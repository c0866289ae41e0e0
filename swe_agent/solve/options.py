"""Everything one `swe-agent solve` can be asked, each field documented."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sandbox import Backend
from search import SearchMode
from swe_agent.agent.policy import AgentConfig
from swe_agent.choices import JudgeMode


class SolveOptions(BaseModel):
    """The options of one solve run; the CLI fills them, config files may too."""

    model_config = ConfigDict(extra="forbid")

    repo: Path = Field(description="Root of the repository to fix.")
    issue: str = Field(description="The issue text.")
    issue_url: str | None = Field(
        None, description="The forge issue the text was read from (`swe-agent pr` links it)."
    )
    commit: str | None = Field(None, description="Base revision; default: HEAD.")
    model: str | None = Field(None, description="Model spec; default: the embedded model.")
    api_base: str | None = Field(
        None,
        description="Base URL of a self-hosted OpenAI-compatible server for a litellm model "
        "(e.g. http://127.0.0.1:8000/v1 for `swe-agent models serve`).",
    )
    seed: int = Field(
        0, description="Sampling seed of the embedded model: the same seed repeats the same run."
    )
    search: SearchMode = Field(SearchMode.MCTS, description="Tree search or one chain.")
    max_steps: int = Field(20, ge=1, description="Depth limit: actions along one branch.")
    iterations: int = Field(40, ge=1, description="Nodes the search may add (model steps).")
    expansions: int = Field(3, ge=1, description="Children per node in MCTS mode.")
    budget_usd: float | None = Field(None, gt=0, description="Dollars of billed model calls.")
    max_calls: int | None = Field(
        None, ge=1, description="Model calls the run may make (re-asks included); default: no cap."
    )
    wall_time_s: float | None = Field(3600.0, gt=0, description="Seconds the search may take.")
    top_locations: int = Field(5, ge=1, description="Localization results shown to the model.")
    snippets: int = Field(
        3,
        ge=0,
        description="Top functions whose whole code goes in the first prompt (source before "
        "tests unless the issue is about tests).",
    )
    snippet_chars: int = Field(
        6000, ge=0, description="Characters of code the first prompt may show in all."
    )
    sandbox: Backend = Field(Backend.DOCKER, description="Where actions run.")
    allow_unsandboxed: bool = Field(False, description="Fall back to local if Docker is missing.")
    setup_env: bool = Field(True, description="Set up (or reuse) the environment first.")
    run_example: bool = Field(
        True,
        description="Run the issue's example (a >>> session or a script) in the sandbox, "
        "traced, and rank the locations again with the code it ran and raised through.",
    )
    test_timeout_s: float = Field(600.0, gt=0, description="Seconds one test run may take.")
    test_command: str | None = Field(
        None, description="Test command; default: the one env set-up chose, else pytest."
    )
    judge: JudgeMode = Field(
        JudgeMode.AUTO,
        description="The model also scores states and votes among finalists (auto: on for "
        "hosted models, off for the embedded one).",
    )
    run_tests: bool = Field(True, description="Score finished nodes with the project's tests.")
    reduce_tries: int = Field(
        3,
        ge=0,
        description="Test runs spent putting back to the base the files the picked patch "
        "changed outside the code under repair, when its tests resolve the issue without "
        "them, within what is left of wall_time_s (0: keep every change).",
    )
    tests: list[str] = Field(
        default_factory=list, description="Test files or ids that score nodes; default: all."
    )
    apply: bool = Field(False, description="Apply the patch to the repository as a commit.")
    agent: AgentConfig = Field(default_factory=AgentConfig, description="Agent settings.")

    @field_validator("judge", mode="before")
    @classmethod
    def _judge_switch(cls, value: object) -> object:
        """YAML 1.1 reads ``judge: on`` and ``-c judge=off`` as booleans: take them as meant."""
        if isinstance(value, bool):
            return JudgeMode.ON if value else JudgeMode.OFF
        return value
