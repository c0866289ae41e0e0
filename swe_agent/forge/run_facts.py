"""What a finished run folder says, read once for the pull request and its evidence."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from swe_agent.agent.trajectory import read_events
from swe_agent.forge.errors import ForgeInputError
from swe_agent.runs import RunPaths

TOP_LOCATIONS = 5


@dataclass(frozen=True)
class Step:
    """One action on the chosen branch of the search tree."""

    thought: str
    code: str
    observation: str
    terminal: bool = False  # the action called submit(): its observation says only that


@dataclass(frozen=True)
class Location:
    """A localization result and why it ranked."""

    id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RunFacts:
    """The parts of report.json, config.yaml, tree.json and trajectory.jsonl a pull request
    shows; nothing here is computed anew, so every claim can be checked in the folder."""

    run: RunPaths
    status: str
    patch: str
    patch_problems: tuple[str, ...] = ()
    base_commit: str | None = None
    issue_url: str | None = None
    issue_title: str = ""
    tests: Mapping[str, Any] = field(default_factory=dict)
    model: str = "?"
    model_calls: int | None = None
    tokens: tuple[int, int] = (0, 0)
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    search: Mapping[str, Any] = field(default_factory=dict)
    choice: tuple[str, ...] = ()
    locations: tuple[Location, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    @property
    def has_patch(self) -> bool:
        """A non-empty patch that passed validation."""
        return bool(self.patch.strip()) and not self.patch_problems


def read_run(run: RunPaths) -> RunFacts:
    """The facts of a finished run; refuses a run that has no report yet."""
    report = _json_object(run, run.report) if run.report.is_file() else None
    if report is None:
        raise ForgeInputError(
            f"run {run.run_id} has no report.json: it has not finished",
            hint=f"wait for it, or continue it: swe-agent solve --resume {run.run_id}",
        )
    tokens: dict[str, Any] = report["tokens"] if isinstance(report.get("tokens"), dict) else {}
    return RunFacts(
        run=run,
        status=str(report.get("status") or "unknown"),
        patch=str(report.get("patch") or ""),
        patch_problems=tuple(str(p) for p in report.get("patch_problems") or ()),
        base_commit=_text_or_none(report.get("base_commit")),
        issue_url=_text_or_none(report.get("issue_url")) or _config(run).get("issue_url"),
        issue_title=str(report.get("issue_title") or ""),
        tests=report["tests"] if isinstance(report.get("tests"), dict) else {},
        model=str(report.get("model") or "?"),
        model_calls=_int_or_none(report.get("model_calls")),
        tokens=(int(tokens.get("in") or 0), int(tokens.get("out") or 0)),
        cost_usd=float(report.get("cost_usd") or 0.0),
        elapsed_s=float(report.get("elapsed_s") or 0.0),
        search=report["search"] if isinstance(report.get("search"), dict) else {},
        choice=tuple(str(c) for c in report.get("choice") or ()),
        locations=_locations(run),
        steps=_chosen_steps(run),
    )


def _json_object(run: RunPaths, path: Any) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ForgeInputError(
            f"cannot read {path}: {exc}", hint=f"is {run.root} a swe-agent run folder?"
        ) from None
    if not isinstance(data, dict):
        raise ForgeInputError(f"{path} is not a JSON object")
    return data


def _config(run: RunPaths) -> dict[str, Any]:
    try:
        data = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _locations(run: RunPaths) -> tuple[Location, ...]:
    """The last ranking the run made (after its example ran, when it did), best first."""
    ranked: list[Any] = []
    for event in read_events(run.trajectory):
        if event.get("type") in ("localization", "example") and event.get("locations"):
            ranked = event["locations"]
    found = []
    for item in ranked[:TOP_LOCATIONS] if isinstance(ranked, list) else ():
        if isinstance(item, dict) and item.get("id"):
            reasons: list[Any] = item["reasons"] if isinstance(item.get("reasons"), list) else []
            found.append(Location(str(item["id"]), tuple(str(r) for r in reasons)))
    return tuple(found)


def _chosen_steps(run: RunPaths) -> tuple[Step, ...]:
    """The actions from the root to the chosen node of tree.json."""
    if not run.tree.is_file():
        return ()
    tree = _json_object(run, run.tree)
    nodes = {row.get("id"): row for row in tree.get("nodes") or () if isinstance(row, dict)}
    chosen = (tree.get("chosen") or {}).get("node")
    chain: list[dict[str, Any]] = []
    while chosen in nodes and len(chain) <= len(nodes):
        chain.append(nodes[chosen])
        chosen = nodes[chosen].get("parent")
    steps = []
    for row in reversed(chain):
        action = row.get("action") if isinstance(row.get("action"), dict) else None
        if action is None:
            continue  # the root
        observation: dict[str, Any] = (
            row["observation"] if isinstance(row.get("observation"), dict) else {}
        )
        steps.append(
            Step(
                thought=str(action.get("thought") or ""),
                code=str(action.get("code") or ""),
                observation=str(observation.get("text") or ""),
                terminal=bool(row.get("terminal")),
            )
        )
    return tuple(steps)


def _text_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None
