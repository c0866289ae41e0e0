"""Which class a local name or a ``self`` attribute holds an instance of, from assignments.

``x = Engine()`` then ``x.run()``, or ``self.engine = Engine()`` in any method then
``self.engine.run()``: the call reaches ``Engine.run``. Only direct constructor calls count;
a name assigned from two different callees in one scope is ambiguous and left alone.
"""

from __future__ import annotations

from repo_graph.parse import FileParse

AMBIGUOUS = ""


class InstanceIndex:
    """Assignments from calls, by scope for names and by class for ``self`` attributes."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, str], dict[str, str]] = {}  # (file, scope) -> name -> callee
        # (file, class qualname) -> attribute -> (scope of the assignment, callee)
        self.attributes: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}

    def add_file(self, path: str, parse: FileParse, classes: set[str]) -> None:
        """Index the assignments of one file; ``classes`` are the qualnames of its classes."""
        for item in parse.assignments:
            if item.target.startswith("self."):
                owner = _class_of(item.scope, classes)
                if owner is None:
                    continue
                slot = self.attributes.setdefault((path, owner), {})
                attribute = item.target[len("self.") :]
                previous = slot.get(attribute)
                same = previous is None or previous[1] == item.callee
                slot[attribute] = (item.scope, item.callee) if same else (item.scope, AMBIGUOUS)
            else:
                names = self.names.setdefault((path, item.scope), {})
                previous_callee = names.get(item.target)
                same = previous_callee is None or previous_callee == item.callee
                names[item.target] = item.callee if same else AMBIGUOUS

    def remove_file(self, path: str, parse: FileParse, classes: set[str]) -> None:
        """Forget the assignments of one file."""
        for item in parse.assignments:
            self.names.pop((path, item.scope), None)
            owner = _class_of(item.scope, classes)
            if owner is not None:
                self.attributes.pop((path, owner), None)

    def name(self, path: str, scope: str, name: str) -> str:
        """The callee a name in ``scope`` was assigned from ("" when unknown or ambiguous)."""
        return self.names.get((path, scope), {}).get(name, AMBIGUOUS)

    def attribute(self, class_id: str, attribute: str) -> tuple[str, str] | None:
        """(scope, callee) a ``self`` attribute of the class was assigned from."""
        path, _, qualname = class_id.partition(":")
        found = self.attributes.get((path, qualname), {}).get(attribute)
        return found if found and found[1] else None


def _class_of(scope: str, classes: set[str]) -> str | None:
    """The class a method scope belongs to (``A.f`` -> ``A``; ``A.f.g`` -> ``A``)."""
    parts = scope.split(".")
    for end in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in classes:
            return candidate
    return None
