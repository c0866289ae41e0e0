"""The search tree: one line a node (summary, reward, visits, markers), the chosen path lit."""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.labels import tree_label
from tui.runview import RunView

ROLES = ("id", "summary", "reward", "visits", "finished", "passing", "failing", "duplicate")


class SearchTreeView(Tree[int]):
    """A Tree whose nodes carry search node ids; labels are styled by role from the .tcss."""

    COMPONENT_CLASSES: ClassVar[set[str]] = Tree.COMPONENT_CLASSES | {
        f"search-tree--{role}" for role in (*ROLES, "chosen")
    }
    # space toggles the hunk under the diff cursor everywhere, the tree included
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "app.toggle_hunk", "Toggle", key_display="space"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        self._view: RunView | None = None  # render_label runs inside Tree.__init__
        super().__init__("search", id=id)
        self.guide_depth = 2

    def show(self, view: RunView, *, select: int | None = None) -> None:
        """Rebuild the tree from a run and put the cursor on ``select`` (or the chosen node)."""
        self._view = view
        self.clear()
        self.root.data = 0
        self.root.set_label(str(0))
        by_id: dict[int, TreeNode[int]] = {0: self.root}
        for node in view.nodes.values():
            if node.parent is None or node.parent not in by_id:
                continue
            parent = by_id[node.parent]
            if view.children(node.id):
                by_id[node.id] = parent.add(str(node.id), data=node.id)
            else:
                by_id[node.id] = parent.add_leaf(str(node.id), data=node.id)
        self.root.expand_all()
        target = by_id.get(select if select is not None else (view.chosen or 0), self.root)
        self.call_after_refresh(self.move_cursor, target)

    def render_label(self, node: TreeNode[int], base_style: Style, style: Style) -> Text:
        """The node's label, each part styled by its role's component class."""
        view = self._view
        if view is None or node.data is None or node.data not in view.nodes:
            return super().render_label(node, base_style, style)
        parts = tree_label(view.nodes[node.data], chosen_path=view.chosen_path, chosen=view.chosen)
        icon = ""
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        text = Text.assemble(
            *((part, self.get_component_rich_style(f"search-tree--{role}")) for part, role in parts)
        )
        text.stylize(style)
        return Text.assemble((icon, base_style), text)
