"""One branch of a run's search tree, read from its folder: the steps from the root to a node,
each with the model calls and trajectory events of the expansion that made it.

tree.json gives the nodes (action, observation, tests); trajectory.jsonl gives the calls. The
events of the expansion of node P are those with ``parent`` P written since the last ``node``
event with that parent; the ``node`` event that follows names the node they made. A call with
a ``role`` (the judge grading node N, the vote among finalists) is billed to the node it names,
not to an expansion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from swe_agent.agent.trajectory import read_events
from swe_agent.errors import BadInput
from swe_agent.runs import RunPaths

Message = Mapping[str, Any]
EXPANSION_EVENTS = frozenset(
    {"model_call", "format_error", "action", "repeat", "rewrite", "rejected"}
)


@dataclass(frozen=True)
class Call:
    """One billed model call: the prompt sent and the reply."""

    messages: tuple[Message, ...]
    reply: str
    model: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    time: float = 0.0


@dataclass(frozen=True)
class Step:
    """One node of the branch (the root excluded) and the expansion that made it."""

    node: int
    kind: str
    reply: str
    thought: str
    code: str
    observation: str
    state: str = ""  # the workspace's git tree id after the step
    ok: bool = True
    elapsed_s: float = 0.0
    terminal: bool = False
    request: str = ""  # a rewrite's request, appended to the last user message it was sent in
    tests: Mapping[str, Any] | None = None
    reward: Mapping[str, Any] | None = None
    calls: tuple[Call, ...] = ()  # the policy's calls of this expansion, in order
    events: tuple[dict[str, Any], ...] = ()  # this expansion's lines of trajectory.jsonl
    time: float = 0.0  # when the node was added (its ``node`` event)


@dataclass(frozen=True)
class Branch:
    """The steps from the root to ``node``, with what the run folder says about the run."""

    run: RunPaths
    node: int
    chosen: int | None
    opening: tuple[Message, ...]
    steps: tuple[Step, ...]
    submission: str
    report: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] = field(default_factory=dict)
    tree: Mapping[str, Any] = field(default_factory=dict)
    head: tuple[dict[str, Any], ...] = ()  # the run's events that belong to no expansion
    judged: tuple[dict[str, Any], ...] = ()  # calls with a role about nodes of the branch
    every_call: tuple[dict[str, Any], ...] = ()  # all model_call events of the run

    @property
    def terminal(self) -> bool:
        """True when the last step submitted (or finished with the tests passing)."""
        return bool(self.steps) and self.steps[-1].terminal

    @property
    def stop_reason(self) -> str | None:
        """Why the search stopped (tree.json), None while it runs or when it was killed."""
        reason = self.tree.get("stop_reason")
        return str(reason) if reason else None


def read_branch(run: RunPaths, node: int | None = None) -> Branch:
    """The branch to ``node`` (default: the chosen node) of a run folder."""
    tree = _tree(run)
    rows = {int(r["id"]): r for r in tree.get("nodes") or () if _is_node(r)}
    chosen_id = (tree.get("chosen") or {}).get("node")
    chosen = int(chosen_id) if isinstance(chosen_id, int) else None
    target = _target(run, rows, chosen, node)
    path = _path(rows, target)
    events = list(read_events(run.trajectory))
    expansions, judged, head = _group(events)
    on_branch = {int(r["id"]) for r in path}
    steps = tuple(_step(row, expansions.get(int(row["id"]), [])) for row in path[1:])
    return Branch(
        run=run,
        node=target,
        chosen=chosen,
        opening=_opening(head, steps),
        steps=steps,
        submission=_submission(run, target, chosen),
        report=run.read_report() if run.report.is_file() else {},
        config=_config(run),
        tree=tree,
        head=tuple(head),
        judged=tuple(e for e in judged if e.get("parent") in on_branch),
        every_call=tuple(e for e in events if e.get("type") == "model_call"),
    )


def _tree(run: RunPaths) -> dict[str, Any]:
    if not run.tree.is_file():
        raise BadInput(
            f"run {run.run_id} has no tree.json: it has not taken a step yet",
            hint="export it once its search has added a node",
        )
    try:
        data = json.loads(run.tree.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BadInput(
            f"cannot read {run.tree}: {exc}", hint="is it a swe-agent run folder?"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise BadInput(f"{run.tree} is not a search tree", hint="is it a swe-agent run folder?")
    return data


def _is_node(row: Any) -> bool:
    return isinstance(row, dict) and isinstance(row.get("id"), int)


def _target(run: RunPaths, rows: Mapping[int, Any], chosen: int | None, node: int | None) -> int:
    if node is None:
        if chosen is None:
            raise BadInput(
                f"run {run.run_id} has no chosen node yet (its search has not finished)",
                hint=f"pass --node N (0-{max(rows, default=0)}) to export the branch to node N",
            )
        return chosen
    if node not in rows:
        raise BadInput(
            f"run {run.run_id} has no node {node}",
            hint=f"its nodes are 0-{max(rows, default=0)}; `swe-agent review` shows the tree",
        )
    return node


def _path(rows: Mapping[int, Any], target: int) -> list[dict[str, Any]]:
    """The rows from the root to ``target``."""
    chain: list[dict[str, Any]] = []
    current: Any = target
    while isinstance(current, int) and current in rows and len(chain) <= len(rows):
        chain.append(rows[current])
        current = rows[current].get("parent")
    return chain[::-1]


def _group(
    events: Sequence[dict[str, Any]],
) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Expansion events by the node they made; calls with a role; events of no expansion."""
    pending: dict[Any, list[dict[str, Any]]] = {}
    made: dict[int, list[dict[str, Any]]] = {}
    judged, head = [], []
    for event in events:
        kind = event.get("type")
        if kind == "node" and isinstance(event.get("node"), int):
            made[event["node"]] = [*pending.pop(event.get("parent"), []), event]
        elif kind == "model_call" and event.get("role"):
            judged.append(event)
        elif kind in EXPANSION_EVENTS and "parent" in event:
            pending.setdefault(event["parent"], []).append(event)
        else:
            head.append(event)
    return made, judged, head


def _step(row: Mapping[str, Any], events: Sequence[dict[str, Any]]) -> Step:
    action = _mapping(row.get("action"))
    observation = _mapping(row.get("observation"))
    calls = tuple(_call(e) for e in events if e.get("type") == "model_call")
    closing: Mapping[str, Any] = next((e for e in reversed(events) if e.get("type") == "node"), {})
    return Step(
        node=int(row["id"]),
        kind=str(row.get("kind") or action.get("kind") or "act"),
        reply=str(action.get("reply") or (calls[-1].reply if calls else "")),
        thought=str(action.get("thought") or ""),
        code=str(action.get("code") or ""),
        observation=str(observation.get("text") or ""),
        state=str(row.get("state") or ""),
        ok=bool(observation.get("ok", True)) and not observation.get("error"),
        elapsed_s=float(observation.get("elapsed_s") or 0.0),
        terminal=bool(row.get("terminal")),
        request=str(action.get("request") or ""),
        tests=row["tests"] if isinstance(row.get("tests"), dict) else None,
        reward=row["reward"] if isinstance(row.get("reward"), dict) else None,
        calls=calls,
        events=tuple(events),
        time=float(closing.get("time") or 0.0),
    )


def _call(event: Mapping[str, Any]) -> Call:
    response = event.get("response")
    bill: Mapping[str, Any] = response if isinstance(response, dict) else event
    reply = bill.get("content") if isinstance(response, dict) else response
    raw = event.get("messages")
    messages: list[Any] = raw if isinstance(raw, list) else []
    return Call(
        messages=tuple(m for m in messages if isinstance(m, dict)),
        reply=str(reply or ""),
        model=str(event.get("model") or ""),
        tokens_in=int(bill.get("tokens_in") or 0),
        tokens_out=int(bill.get("tokens_out") or 0),
        cost_usd=float(bill.get("cost_usd") or 0.0),
        time=float(event.get("time") or 0.0),
    )


def _opening(head: Sequence[dict[str, Any]], steps: Sequence[Step]) -> tuple[Message, ...]:
    """The system prompt and first user message every branch starts from."""
    for event in head:
        if event.get("type") == "start" and isinstance(event.get("messages"), list):
            return tuple(m for m in event["messages"] if isinstance(m, dict))
    for step in steps:  # an older run folder without a start event: the first prompt's head
        if step.calls:
            return step.calls[0].messages[:2]
    return ()


def _submission(run: RunPaths, node: int, chosen: int | None) -> str:
    """The node's patch: patch.diff (minimised and validated) for the chosen node, else its
    nodes/<id>.diff."""
    candidates = [run.patch] if node == chosen else []
    candidates.append(run.root / "nodes" / f"{node}.diff")
    for path in candidates:
        if path.is_file():
            return path.read_bytes().decode("utf-8", errors="replace")
    return ""


def _config(run: RunPaths) -> dict[str, Any]:
    try:
        data = yaml.safe_load(run.config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


class Part(StrEnum):
    """What a message of the conversation is."""

    OPENING = "opening"  # the system prompt and the first user message
    REQUEST = "request"  # a rewrite's request
    ASIDE = "aside"  # a note on sibling attempts, a re-asked reply and what asked again
    REPLY = "reply"  # the reply whose action made the step
    OBSERVATION = "observation"  # what the action printed, as the model read it


@dataclass(frozen=True)
class Turn:
    """One message of the branch's conversation, with the step and call it belongs to."""

    part: Part
    message: Message
    step: Step | None = None
    call: Call | None = None


def conversation(branch: Branch) -> Iterator[Turn]:
    """The branch as one conversation: what the model was sent.

    The opening; then per step a rewrite's request (sent appended to the message before it),
    the messages its accepted call's prompt held beyond the branch so far (a note on sibling
    attempts, replies re-asked for a format error or a repeat, each with its call), the reply
    and the observation.
    """
    for message in branch.opening:
        yield Turn(Part.OPENING, message)
    held = len(branch.opening)  # messages of the branch so far, as its next prompt holds them
    for step in branch.steps:
        calls = list(step.calls)
        last = calls.pop() if calls else None
        if step.request:
            yield Turn(Part.REQUEST, {"role": "user", "content": step.request}, step)
        for message in last.messages[held:] if last is not None else ():
            yield Turn(Part.ASIDE, message, step, _earlier_call(calls, message))
        yield Turn(Part.REPLY, {"role": "assistant", "content": step.reply}, step, last)
        yield Turn(Part.OBSERVATION, {"role": "user", "content": step.observation}, step)
        held += 2


def _earlier_call(calls: list[Call], message: Message) -> Call | None:
    """The re-asked call whose reply a message of the prompt repeats (taken from ``calls``)."""
    if message.get("role") != "assistant":
        return None
    for index, call in enumerate(calls):
        if call.reply == message.get("content"):
            return calls.pop(index)
    return None


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a .jsonl file (for tests and tools reading an export back)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
