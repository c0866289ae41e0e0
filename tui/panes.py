"""The header and the per-node panes: trajectory (thought, code, observation) and tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.widgets import Collapsible, Static

from tui.labels import header_facts, score_lines, shorten, tests_lines
from tui.runview import NodeView, RunInfo


class RunHeader(Static):
    """Two lines: the issue title and run id; model, status, cost, tokens, elapsed."""

    def show(self, info: RunInfo, *, applied: str | None = None) -> None:
        """Render the header for a run."""
        facts = header_facts(info, applied=applied) + f" · {info.run_id}"
        self.update(Content("\n").join([Content.styled(info.title, "bold"), Content(facts)]))


class StepView(Vertical):
    """One step of a trajectory: what the model thought, the code it ran, what it saw."""

    def __init__(self, node: NodeView, *, step: int) -> None:
        super().__init__(classes="step")
        self.node, self.step = node, step

    def compose(self) -> Any:
        node = self.node
        reward = f"  reward {node.reward:+.0f}" if node.reward is not None else ""
        yield Static(
            f"step {self.step} · node #{node.id}{reward}", classes="step-title", markup=False
        )
        if node.thought:
            yield Static(node.thought, classes="thought", markup=False)
        if node.code:
            yield Static(highlight(node.code, language="python"), classes="code")
        lines = node.observation.count("\n") + 1 if node.observation else 0
        yield Collapsible(
            Static(node.observation or "(no observation)", markup=False, classes="observation"),
            title=f"observation ({lines} lines)",
            collapsed=True,
        )


class TrajectoryView(VerticalScroll):
    """The steps from the root to the selected node, oldest first."""

    async def show(self, path: list[NodeView]) -> None:
        """Replace the shown steps."""
        await self.remove_children()
        steps = [n for n in path if n.parent is not None]
        if not steps:
            await self.mount(Static("the base state: no action yet", classes="empty"))
            return
        views = [StepView(node, step=i) for i, node in enumerate(steps, 1)]
        await self.mount_all(views)
        self.call_after_refresh(self._scroll_to_last)

    def on_show(self) -> None:
        """A hidden tab has no size to scroll in: scroll once it is shown."""
        self.call_after_refresh(self._scroll_to_last)

    def _scroll_to_last(self) -> None:
        # the selected node's own step is the one to read first; earlier steps are above it
        steps = self.query(StepView)
        if steps:
            self.scroll_to_widget(steps.last(), top=True, animate=False)


class TestsView(VerticalScroll):
    """The selected node's test results and why the search scored it as it did."""

    __test__ = False  # not a pytest class, despite the name

    def compose(self) -> Any:
        yield Static(id="tests-body", markup=False)

    def show(self, node: NodeView, record: Mapping[str, Any] | None, *, note: str = "") -> None:
        """Render the tests record of a node (a re-run's record replaces the stored one)."""
        lines = [f"node #{node.id}: {shorten(node.summary, 40) or 'base'}", ""]
        lines += tests_lines(node, record)
        scores = score_lines(node)
        if scores:
            lines += ["", *scores]
        if note:
            lines += ["", note]
        self.query_one("#tests-body", Static).update("\n".join(lines))
