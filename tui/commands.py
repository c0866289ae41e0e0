"""The app's commands in one table: key bindings, footer, help screen and command palette."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class Command:
    """One thing a person can do, by key or by name."""

    keys: str  # Textual key names, comma separated
    display: str  # how the key is written on screen
    action: str
    label: str  # short: shown in the footer
    help: str  # a sentence: shown in the help screen and the palette
    footer: bool = True


COMMANDS: tuple[Command, ...] = (
    Command("space", "space", "toggle_hunk", "Toggle", "Toggle the hunk under the cursor"),
    Command("a", "a", "accept_all", "Accept all", "Accept all hunks of the selected node"),
    Command("p", "p", "apply", "Apply", "Apply the accepted hunks to the repository as one commit"),
    Command("u", "u", "undo", "Undo", "Undo the last apply (as swe-agent undo)"),
    Command("e", "e", "export", "Export", "Export the accepted hunks to a patch file in the run"),
    Command("t", "t", "run_tests", "Tests", "Re-run the selected node's tests"),
    Command("question_mark,f1", "?", "help", "Help", "Show the keys and what they do"),
    Command("q", "q", "quit", "Quit", "Quit the review"),
    Command("1", "1", "show_tab('diff')", "Diff", "Show the node's diff", footer=False),
    Command("2", "2", "show_tab('trajectory')", "Trajectory", "Show the node's trajectory", False),
    Command("3", "3", "show_tab('tests')", "Tests", "Show the node's test results", False),
    Command("j,right_square_bracket", "j ]", "hunk(1)", "Next", "Move to the next hunk", False),
    Command("k,left_square_bracket", "k [", "hunk(-1)", "Prev", "Move to the previous hunk", False),
)

# keys that widgets handle themselves, listed on the help screen only
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("↑ ↓", "move in the tree, or between hunks when the diff has the focus"),
    ("tab", "move the focus: tree, tabs, diff, trajectory"),
    ("enter", "fold or unfold the node or observation under the focus"),
    ("ctrl+p", "command palette: every command by name; themes"),
)


# what the marks in the search tree mean, for the help screen
LEGEND = (
    "★ chosen node (its path in bold)  ±N reward  nN visits  ■ finished (submitted)  "
    "✔ tests pass  ✘ tests fail  =#N same files as node N"
)


def bindings() -> list[Binding]:
    """The app's key bindings, built from the table."""
    return [
        Binding(c.keys, c.action, c.label, show=c.footer, key_display=c.display) for c in COMMANDS
    ]


def help_rows() -> Iterable[tuple[str, str]]:
    """(key, what it does) for the help screen."""
    yield from ((c.display, c.help) for c in COMMANDS)
    yield from NAVIGATION


class ReviewCommands(Provider):
    """The review commands in the command palette."""

    async def discover(self) -> Hits:
        """Every command, before anything is typed."""
        for command in COMMANDS:
            yield DiscoveryHit(
                command.help, partial(self.app.run_action, command.action), help=command.display
            )

    async def search(self, query: str) -> Hits:
        """The commands whose description matches what was typed."""
        matcher = self.matcher(query)
        for command in COMMANDS:
            score = matcher.match(command.help)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.help),
                    partial(self.app.run_action, command.action),
                    help=f"key: {command.display}",
                )
