"""The help screen: every key and what it does."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands import LEGEND, help_rows

KEY_WIDTH = 8


class HelpScreen(ModalScreen[None]):
    """A modal list of the bindings; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def compose(self) -> Any:
        rows = [
            Content.styled(key.ljust(KEY_WIDTH), "bold $text-accent") + Content(what)
            for key, what in help_rows()
        ]
        with VerticalScroll(id="help-box"):
            yield Static(Content("\n").join(rows), id="help-rows")
            yield Static("Search tree", id="help-legend-title")
            yield Static(LEGEND, id="help-legend", markup=False)

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Keys"
        box.border_subtitle = "esc closes"
