"""Words and numbers for the screens: tree labels, the header line, the tests pane (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.runview import NodeView, RunInfo, Verdict

SUMMARY_WIDTH = 22

# (text, role): the tree widget maps each role to a themable component class
Part = tuple[str, str]


def tree_label(node: NodeView, *, chosen_path: frozenset[int], chosen: int | None) -> list[Part]:
    """The parts of a node's tree label: id, reward, visits, markers, then the summary."""
    on_path = node.id in chosen_path
    parts: list[Part] = [("★" if node.id == chosen else "", "chosen")]
    parts.append((f"#{node.id}", "chosen" if on_path else "id"))
    if node.reward is not None and node.parent is not None:
        parts.append((f" {node.reward:+.0f}", "reward"))
    parts.append((f" n{node.visits}", "visits"))
    parts.extend(markers(node))
    summary = "base" if node.parent is None else shorten(node.summary, SUMMARY_WIDTH)
    parts.append((f" {summary}", "chosen" if on_path else "summary"))
    return [p for p in parts if p[0]]


def markers(node: NodeView) -> list[Part]:
    """Finished / passing / failing / duplicate markers."""
    found: list[Part] = []
    if node.terminal:
        found.append((" ■", "finished"))
    if node.verdict is Verdict.PASSING:
        found.append((" ✔", "passing"))
    elif node.verdict is Verdict.FAILING:
        found.append((" ✘", "failing"))
    if node.duplicate_of is not None:
        found.append((f" =#{node.duplicate_of}", "duplicate"))
    return found


def shorten(text: str, width: int) -> str:
    """One line of at most ``width`` characters, with an ellipsis when cut."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def header_facts(info: RunInfo, *, applied: str | None = None) -> str:
    """The second header line: model, status (and what is applied), cost, tokens, elapsed."""
    status = f"{info.status}, applied {applied[:8]}" if applied else info.status
    facts = [info.model, status]
    if info.cost_usd is not None:
        facts.append(f"${info.cost_usd:.4f}")
    if info.tokens_in is not None or info.tokens_out is not None:
        facts.append(f"{info.tokens_in or 0:,}/{info.tokens_out or 0:,} tok")
    if info.elapsed_s is not None:
        facts.append(elapsed(info.elapsed_s))
    return " · ".join(facts)


def elapsed(seconds: float) -> str:
    """Seconds as 1h02m, 3m07s or 42s."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


# per-test lists a tests record may carry, and how the tests pane names them
TEST_LISTS = (
    ("fixed", "fixed (failed on the base, pass here)"),
    ("broken", "broken (passed on the base, fail here)"),
    ("still_failing", "still failing"),
    ("new_passed", "new tests that pass"),
)


def tests_lines(node: NodeView, record: Mapping[str, Any] | None) -> list[str]:
    """The tests pane of a node: verdict, reproduction, regression counts, lists, output."""
    if not record:
        return ["no tests ran for this node"]
    lines = [f"verdict: {_verdict(record)}"]
    repro = record.get("reproduction")
    if repro is not None:
        lines.append("reproduction test: " + ("passes" if repro else "still fails"))
    regression = record.get("regression") or {}
    if regression:
        lines.append(
            f"regression tests: {regression.get('passed', 0)} passed, "
            f"{regression.get('failed', 0)} failed, {regression.get('flaky', 0)} flaky (ignored)"
        )
    if record.get("exit_code") is not None:
        lines.append(f"test command exit code: {record['exit_code']}")
    for key, title in TEST_LISTS:
        names = record.get(key) or []
        if names:
            lines += [f"{title}:", *(f"  {name}" for name in names)]
    output = record.get("output")
    if output:
        lines += ["", str(output).rstrip()]
    return lines


def _verdict(record: Mapping[str, Any]) -> str:
    from tui.runview import verdict_of

    return str(verdict_of(record))


def score_lines(node: NodeView) -> list[str]:
    """Why the search valued the node: reward parts, visits, mean value, UCT parts."""
    lines: list[str] = []
    if node.reward is not None:
        lines.append(
            f"reward {node.reward:+.1f}  (mean value {node.value:+.1f}, {node.visits} visits)"
        )
        lines += [f"  {name}: {value:+.1f}" for name, value in node.reward_parts.items()]
        if node.explanation:
            lines.append(f"  {node.explanation}")
    if node.selection:
        parts = ", ".join(f"{k} {v:.3f}" for k, v in node.selection.items() if k != "total")
        lines.append(f"last UCT score {node.selection.get('total', 0.0):.3f}: {parts}")
    if node.usage.calls:
        u = node.usage
        lines.append(
            f"model: {u.calls} call(s), {u.tokens_in:,} in / {u.tokens_out:,} out tokens, "
            f"${u.cost_usd:.4f}"
        )
    return lines
