"""A node's diff, file by file and hunk by hunk, with a hunk cursor and accepted marks."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from tui.hunks import DiffHunk, FileDiff, HunkKey
from tui.messages import HunkToggled

LINE_STYLES = {"+": "$text-success", "-": "$text-error", "\\": "$text-muted"}


class HunkView(Static):
    """One hunk: a title line with its accepted mark, then its lines coloured by kind."""

    accepted: reactive[bool] = reactive(False)

    def __init__(self, hunk: DiffHunk) -> None:
        super().__init__(classes="hunk")
        self.hunk = hunk

    def render(self) -> Content:
        """The hunk, or a note for a whole-file change."""
        mark = "[x]" if self.accepted else "[ ]"
        hunk = self.hunk
        if hunk.whole_file:
            return Content.assemble((f"{mark} whole-file change (no text hunks)", "bold"))
        title = f"{mark} {hunk.header}  +{hunk.added} -{hunk.removed}"
        lines = [Content.styled(title, "bold")]
        lines += [Content.styled(line, LINE_STYLES.get(line[:1], "")) for line in hunk.lines]
        return Content("\n").join(lines)

    def watch_accepted(self, accepted: bool) -> None:
        self.set_class(accepted, "-accepted")

    def on_click(self) -> None:
        """A click moves the cursor here and toggles the hunk, as space does."""
        view = self.parent
        if isinstance(view, DiffView):
            view.move_to(self.hunk.key)
            self.post_message(HunkToggled())


class DiffView(VerticalScroll, can_focus=True):
    """The hunks of one node; up/down move the cursor, space (an app binding) toggles."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Next hunk", show=False),
        Binding("up,k", "cursor(-1)", "Previous hunk", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hunks: list[HunkView] = []

    async def show(self, files: tuple[FileDiff, ...], *, accepted: frozenset[HunkKey]) -> None:
        """Replace the shown diff; the cursor goes back to the first hunk."""
        await self.remove_children()
        self._hunks = []
        widgets: list[Static] = []
        if not files:
            widgets.append(Static("no changes against the base at this node", classes="empty"))
        for diff in files:
            widgets.append(Static(f"{diff.path} ({diff.kind})", classes="file", markup=False))
            for hunk in diff.hunks:
                view = HunkView(hunk)
                view.accepted = hunk.key in accepted
                self._hunks.append(view)
                widgets.append(view)
        await self.mount_all(widgets)
        self.cursor = 0
        self._mark_cursor()

    @property
    def current(self) -> HunkKey | None:
        """The key of the hunk under the cursor, if the node has hunks."""
        return self._hunks[self.cursor].hunk.key if self._hunks else None

    def mark(self, accepted: frozenset[HunkKey]) -> None:
        """Show which hunks are accepted."""
        for view in self._hunks:
            view.accepted = view.hunk.key in accepted

    def move_to(self, key: HunkKey) -> None:
        """Put the cursor on a hunk."""
        for index, view in enumerate(self._hunks):
            if view.hunk.key == key:
                self.cursor = index

    def action_cursor(self, step: int) -> None:
        """Move the hunk cursor."""
        if self._hunks:
            self.cursor = max(0, min(len(self._hunks) - 1, self.cursor + step))

    def watch_cursor(self) -> None:
        self._mark_cursor()

    def _mark_cursor(self) -> None:
        for index, view in enumerate(self._hunks):
            view.set_class(index == self.cursor, "-cursor")
        if self._hunks:
            self.scroll_to_widget(self._hunks[self.cursor], animate=False)
