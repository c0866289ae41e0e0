"""tree.json: the whole search written atomically, and read back to resume or to display.

Shape (``format`` 1)::

    {"format": 1, "mode": "mcts", "iteration": 7, "stop_reason": null,
     "budget": {"max_iterations": 100, ...}, "cost": 0.12, "elapsed_s": 31.5,
     "chosen": {"node": 5, "reasons": [...]} | null,
     "history": [{"iteration": 1, "selected": 0, "added": 1}, ...],
     "nodes": [{"id": 0, "parent": null, "action": ..., "observation": ..., "state": "<tree id>",
                "depth": 0, "terminal": false, "tests": ..., "duplicate_of": null, "kind": null,
                "dead_end": false,
                "reward": {"value": 0.0, "parts": {...}, "explanation": "..."} | null,
                "visits": 3, "value": 12.5, "value_sum": 37.5, "expansions": 2,
                "selection": {"exploitation": ..., "total": ...} | null}, ...]}

``value`` is the mean backed-up value (for readers); ``value_sum`` is what resuming uses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from common import atomic_write
from search.budget import Budget, StopReason
from search.errors import BadReward, BudgetError, TreeFileError
from search.node import Node, Reward
from search.tree import Chosen, IterationRecord, SearchTree

FORMAT = 1


def tree_to_json(tree: SearchTree) -> dict[str, Any]:
    """The tree as one JSON object (the tree.json shape)."""
    return {
        "format": FORMAT,
        "mode": str(tree.mode),
        "iteration": tree.iteration,
        "stop_reason": None if tree.stop_reason is None else str(tree.stop_reason),
        "budget": tree.budget.to_json(),
        "cost": tree.cost,
        "calls": tree.calls,
        "elapsed_s": tree.elapsed_s,
        "chosen": None
        if tree.chosen is None
        else {"node": tree.chosen.node_id, "reasons": list(tree.chosen.reasons)},
        "history": [
            {"iteration": r.iteration, "selected": r.selected, "added": r.added}
            for r in tree.history
        ],
        "nodes": [_node_to_json(n) for n in tree.nodes.values()],
    }


def _node_to_json(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "parent": None if node.parent is None else node.parent.id,
        "action": node.action,
        "observation": node.observation,
        "state": node.state,
        "depth": node.depth,
        "terminal": node.terminal,
        "tests": node.tests,
        "duplicate_of": node.duplicate_of,
        "kind": node.kind,
        "dead_end": node.dead_end,
        "reward": None if node.reward is None else node.reward.to_json(),
        "visits": node.visits,
        "value": node.mean_value,
        "value_sum": node.value_sum,
        "expansions": node.expansions,
        "selection": node.selection,
    }


def save_tree(tree: SearchTree, path: Path) -> None:
    """Write tree.json atomically: a reader sees the old file or the new one, never half."""
    atomic_write(path, json.dumps(tree_to_json(tree), indent=1), durable=True)


def load_tree(path: Path) -> SearchTree:
    """Read a tree.json written by `save_tree`; `TreeFileError` if it is missing or malformed."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TreeFileError(
            f"no search tree at {path}", hint="start a new search instead of resuming"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TreeFileError(f"cannot read {path}: {exc}") from None
    try:
        return tree_from_json(data)
    except (KeyError, TypeError, ValueError, BudgetError, BadReward) as exc:
        raise TreeFileError(
            f"{path} is not a search tree: {type(exc).__name__}: {exc}",
            hint="it may come from another version; start a new search",
        ) from None


def tree_from_json(data: Mapping[str, Any]) -> SearchTree:
    """The tree written by `tree_to_json` (raises KeyError/TypeError/ValueError when malformed)."""
    if data.get("format") != FORMAT:
        raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
    nodes = _link_nodes(data["nodes"])
    chosen = data["chosen"]
    return SearchTree(
        root=nodes[0],
        budget=Budget.from_json(data["budget"]),
        iteration=int(data["iteration"]),
        stop_reason=None if data["stop_reason"] is None else StopReason(data["stop_reason"]),
        cost=float(data["cost"]),
        calls=int(data.get("calls", 0)),  # absent from trees written before the call budget
        elapsed_s=float(data["elapsed_s"]),
        chosen=None if chosen is None else Chosen(int(chosen["node"]), tuple(chosen["reasons"])),
        history=[
            IterationRecord(int(r["iteration"]), int(r["selected"]), int(r["added"]))
            for r in data["history"]
        ],
    )


def _link_nodes(rows: list[Mapping[str, Any]]) -> dict[int, Node]:
    nodes: dict[int, Node] = {}
    for row in sorted(rows, key=lambda r: int(r["id"])):
        parent = None if row["parent"] is None else nodes[int(row["parent"])]
        node = Node(
            id=int(row["id"]),
            state=str(row["state"]),
            parent=parent,
            action=row["action"],
            observation=row["observation"],
            depth=int(row["depth"]),
            terminal=bool(row["terminal"]),
            tests=row["tests"],
            duplicate_of=row["duplicate_of"],
            kind=row.get("kind"),  # absent from trees written before expansion kinds
            dead_end=bool(row.get("dead_end", False)),
            reward=None if row["reward"] is None else Reward.from_json(row["reward"]),
            visits=int(row["visits"]),
            value_sum=float(row["value_sum"]),
            expansions=int(row["expansions"]),
            selection=row["selection"],
        )
        if parent is not None:
            parent.children.append(node)
        nodes[node.id] = node
    if 0 not in nodes or nodes[0].parent is not None:
        raise ValueError("node 0 must be the root")
    return nodes
