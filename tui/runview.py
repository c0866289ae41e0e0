"""A run folder read for display: header facts, the search tree's nodes, per-node diffs.

tree.json is read as the documented JSON (search.persist's shape), not through the search
package, so the TUI depends only on the file format and can show a tree that is still growing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from swe_agent.agent import read_events
from swe_agent.runs import RunPaths
from tui.errors import BadRunFolder

NODES_DIR = "nodes"


class Verdict(StrEnum):
    """What a node's tests record says."""

    PASSING = "passing"
    FAILING = "failing"
    UNTESTED = "untested"


@dataclass(frozen=True)
class Usage:
    """Model calls billed to a node."""

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class NodeView:
    """One search node as the review screens show it."""

    id: int
    parent: int | None
    depth: int = 0
    summary: str = ""
    thought: str = ""
    code: str = ""
    observation: str = ""
    reward: float | None = None
    reward_parts: Mapping[str, float] = field(default_factory=dict)
    explanation: str = ""
    visits: int = 0
    value: float = 0.0
    terminal: bool = False
    duplicate_of: int | None = None
    tests: Mapping[str, Any] | None = None
    selection: Mapping[str, float] | None = None
    usage: Usage = Usage()

    @property
    def verdict(self) -> Verdict:
        """Passing, failing or untested, from the tests record."""
        return verdict_of(self.tests)


@dataclass(frozen=True)
class RunInfo:
    """The header facts of a run (report.json, with issue.md and tree.json as fallbacks)."""

    run_id: str
    title: str
    model: str = "?"
    status: str = "running"
    cost_usd: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    elapsed_s: float | None = None


@dataclass(frozen=True)
class RunView:
    """Everything the app shows about one run."""

    info: RunInfo
    nodes: Mapping[int, NodeView]
    chosen: int | None = None
    chosen_reasons: tuple[str, ...] = ()

    def children(self, node_id: int) -> list[NodeView]:
        """The children of a node, oldest first."""
        return [self.nodes[i] for i in self._children.get(node_id, ())]

    @cached_property
    def _children(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {}
        for node in self.nodes.values():
            if node.parent is not None:
                found.setdefault(node.parent, []).append(node.id)
        return found

    def path(self, node_id: int) -> list[NodeView]:
        """The nodes from the root down to ``node_id``."""
        chain: list[NodeView] = []
        current: int | None = node_id
        while current is not None and current in self.nodes:
            chain.append(self.nodes[current])
            current = self.nodes[current].parent
        return chain[::-1]

    @cached_property
    def chosen_path(self) -> frozenset[int]:
        """The ids on the way from the root to the chosen node (empty when none is chosen)."""
        if self.chosen is None:
            return frozenset()
        return frozenset(n.id for n in self.path(self.chosen))


def verdict_of(tests: Mapping[str, Any] | None) -> Verdict:
    """The verdict of a tests record: failing on any failure, passing when something passed."""
    if not tests:
        return Verdict.UNTESTED
    regression = tests.get("regression") or {}
    reproduction = tests.get("reproduction")
    if reproduction is False or int(regression.get("failed", 0)) > 0:
        return Verdict.FAILING
    if reproduction is True or regression:
        return Verdict.PASSING
    return Verdict.UNTESTED


def load_run(run: RunPaths) -> RunView:
    """Read a run folder; a missing tree.json gives the root alone (a run that just started)."""
    tree = _read_json(run.tree) if run.tree.exists() else None
    usage = _usage_by_node(run)
    try:
        nodes = _nodes(tree, usage) if tree is not None else {0: NodeView(0, None)}
        chosen = (tree or {}).get("chosen") or {}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadRunFolder(
            f"{run.tree} is not a search tree: {type(exc).__name__}: {exc}",
            hint="it may come from another version of swe-agent",
        ) from None
    return RunView(
        info=_info(run, tree),
        nodes=nodes,
        chosen=int(chosen["node"]) if "node" in chosen else None,
        chosen_reasons=tuple(str(r) for r in chosen.get("reasons", ())),
    )


def node_diff(run: RunPaths, view: RunView, node_id: int) -> str:
    """The node's diff against the base: nodes/<id>.diff, else patch.diff for the chosen node."""
    path = run.root / NODES_DIR / f"{node_id}.diff"
    if not path.is_file() and node_id == view.chosen:
        path = run.patch
    if not path.is_file():
        return ""
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRunFolder(
            f"cannot read {path}: {exc}", hint="is this a swe-agent run folder?"
        ) from None
    if not isinstance(data, dict):
        raise BadRunFolder(f"{path} is not a JSON object")
    return data


def _nodes(tree: Mapping[str, Any], usage: Mapping[int, Usage]) -> dict[int, NodeView]:
    nodes = {}
    for row in tree["nodes"]:
        node = _node(row, usage)
        nodes[node.id] = node
    if 0 not in nodes:
        raise ValueError("node 0 (the root) is missing")
    return dict(sorted(nodes.items()))


def _node(row: Mapping[str, Any], usage: Mapping[int, Usage]) -> NodeView:
    action: dict[str, Any] = row["action"] if isinstance(row.get("action"), dict) else {}
    observation = row.get("observation")
    reward = row.get("reward") or {}
    node_id = int(row["id"])
    return NodeView(
        id=node_id,
        parent=None if row.get("parent") is None else int(row["parent"]),
        depth=int(row.get("depth", 0)),
        summary=str(action.get("summary") or _first_line(str(action.get("code", "")))),
        thought=str(action.get("thought", "")),
        code=str(action.get("code", "")),
        observation=str(observation.get("text", "")) if isinstance(observation, dict) else "",
        reward=float(reward["value"]) if "value" in reward else None,
        reward_parts={str(k): float(v) for k, v in (reward.get("parts") or {}).items()},
        explanation=str(reward.get("explanation", "")),
        visits=int(row.get("visits", 0)),
        value=float(row.get("value", 0.0)),
        terminal=bool(row.get("terminal", False)),
        duplicate_of=None if row.get("duplicate_of") is None else int(row["duplicate_of"]),
        tests=row.get("tests") if isinstance(row.get("tests"), dict) else None,
        selection=row.get("selection") if isinstance(row.get("selection"), dict) else None,
        usage=usage.get(node_id, Usage()),
    )


def _first_line(code: str) -> str:
    lines = (line.strip() for line in code.splitlines())
    return next((line for line in lines if line and not line.startswith("#")), "")


def _usage_by_node(run: RunPaths) -> dict[int, Usage]:
    """Model usage per node: calls made while expanding P belong to the next node under P."""
    found: dict[int, Usage] = {}
    pending: dict[int, Usage] = {}
    for event in read_events(run.trajectory):
        kind = event.get("type")
        if kind == "node" and isinstance(event.get("node"), int):
            parent = event.get("parent")
            found[event["node"]] = (
                pending.pop(parent, Usage()) if isinstance(parent, int) else Usage()
            )
            continue
        if kind != "model_call":
            continue
        # the flat form has the numbers beside "response"; the nested form inside it
        bill = event["response"] if isinstance(event.get("response"), dict) else event
        if isinstance(event.get("node"), int):  # older runs: the node id itself
            key, into = event["node"], found
        elif isinstance(event.get("parent"), int):
            key, into = event["parent"], pending
        else:
            continue
        into[key] = _plus(into.get(key, Usage()), bill)
    return found


def _plus(old: Usage, bill: Mapping[str, Any]) -> Usage:
    return Usage(
        calls=old.calls + 1,
        tokens_in=old.tokens_in + int(bill.get("tokens_in") or 0),
        tokens_out=old.tokens_out + int(bill.get("tokens_out") or 0),
        cost_usd=old.cost_usd + float(bill.get("cost_usd") or 0.0),
    )


def _info(run: RunPaths, tree: Mapping[str, Any] | None) -> RunInfo:
    report: dict[str, Any] = _read_json(run.report) if run.report.is_file() else {}
    tokens: dict[str, Any] = report["tokens"] if isinstance(report.get("tokens"), dict) else {}
    tree = dict(tree or {})
    return RunInfo(
        run_id=run.run_id,
        title=str(report.get("issue_title") or _issue_title(run) or run.run_id),
        model=str(report.get("model") or "?"),
        status=str(report.get("status") or tree.get("stop_reason") or "running"),
        cost_usd=_number(report.get("cost_usd", tree.get("cost"))),
        tokens_in=_integer(tokens.get("in")),
        tokens_out=_integer(tokens.get("out")),
        elapsed_s=_number(report.get("elapsed_s", tree.get("elapsed_s"))),
    )


def _issue_title(run: RunPaths) -> str:
    if not run.issue.is_file():
        return ""
    text = run.issue.read_text(encoding="utf-8", errors="replace")
    return next((line.strip("# ").strip() for line in text.splitlines() if line.strip()), "")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _integer(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None
