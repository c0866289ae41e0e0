"""The in-sandbox tool API, run in a fresh namespace the way the runner runs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from swe_agent.solve.pipeline import TOOLS_SOURCES


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(
        "def f(x):\n    return x + 1\n\n\ndef g():\n    pass\n"
    )
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"TEST_COMMAND": "echo tests-ran"}
    for path in TOOLS_SOURCES:  # one namespace, in order, as the runner runs them
        exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_view_numbers_lines_and_lists_directories(tools, capsys) -> None:
    tools["view"]("pkg/mod.py", 1, 2)
    assert capsys.readouterr().out.splitlines() == ["1| def f(x):", "2|     return x + 1"]
    tools["view"](".")
    assert capsys.readouterr().out.strip() == "pkg/"


def test_view_of_a_long_file_shows_whole_lines_and_says_where_the_rest_is(
    tools, tmp_path, capsys
) -> None:
    # Before: the whole file was printed and the observation cut its middle.
    (tmp_path / "big.py").write_text("".join(f"x_{i} = {i}  # {'.' * 60}\n" for i in range(5000)))
    (tmp_path / "wide.js").write_text("var a = 1;" * 100_000 + "\n")
    tools["view"]("big.py")
    out = capsys.readouterr().out
    assert len(out) < 9000 and out.lstrip().startswith("1| x_0 = 0")
    shown = out.splitlines()[-2].split("|")[0].strip()
    assert out.splitlines()[-1].startswith(f"... lines {int(shown) + 1}-5000 of 5000 not shown")
    tools["view"]("wide.js")
    out = capsys.readouterr().out
    assert len(out) < 1200 and "[... line cut]" in out


def test_edit_replaces_one_exact_match(tools, tmp_path, capsys) -> None:
    tools["edit"]("pkg/mod.py", "return x + 1", "return x + 2")
    assert "return x + 2" in (tmp_path / "pkg" / "mod.py").read_text()
    assert "edited pkg/mod.py" in capsys.readouterr().out


def test_edit_without_match_shows_the_closest_lines(tools) -> None:
    with pytest.raises(tools["ToolError"], match="closest lines"):
        tools["edit"]("pkg/mod.py", "return x + 3", "return 0")


def test_edit_with_two_matches_asks_for_context(tools) -> None:
    with pytest.raises(tools["ToolError"], match="occurs 2 times"):
        tools["edit"]("pkg/mod.py", "def ", "def  ")


def test_edit_that_breaks_the_syntax_is_refused(tools, tmp_path) -> None:
    before = (tmp_path / "pkg" / "mod.py").read_text()
    with pytest.raises(tools["ToolError"], match="would not parse"):
        tools["edit"]("pkg/mod.py", "return x + 1", "return (x + 1")
    assert (tmp_path / "pkg" / "mod.py").read_text() == before


def test_writes_outside_the_workspace_are_refused(tools, tmp_path) -> None:
    with pytest.raises(tools["ToolError"], match="outside the workspace"):
        tools["create"]("../escape.py", "x = 1\n")
    assert not (tmp_path.parent / "escape.py").exists()


def test_insert_and_create(tools, tmp_path) -> None:
    tools["insert"]("pkg/mod.py", 0, "import os")
    assert (tmp_path / "pkg" / "mod.py").read_text().startswith("import os\n")
    tools["create"]("pkg/new.py", "y = 2\n")
    with pytest.raises(tools["ToolError"], match="exists"):
        tools["create"]("pkg/new.py", "y = 3\n")


def test_grep_and_run(tools, capsys) -> None:
    tools["grep"](r"def \w+", glob="*.py")
    assert "pkg/mod.py:1: def f(x):" in capsys.readouterr().out
    assert tools["run"]("exit 3") == 3
    assert "[exit code: 3]" in capsys.readouterr().out
    tools["run_tests"]()
    assert "tests-ran" in capsys.readouterr().out


def test_submit_raises_the_stop_signal(tools) -> None:
    with pytest.raises(tools["Submitted"]):
        tools["submit"]("done")


def test_replace_definitions_rewrites_functions_in_place(tools, tmp_path, capsys) -> None:
    (tmp_path / "pkg" / "cls.py").write_text(
        "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        return 2\n"
    )
    tools["replace_definitions"]("def f(x):\n    return x * 10\n")
    assert "def f(x):\n    return x * 10\n" in (tmp_path / "pkg" / "mod.py").read_text()
    assert "def g():" in (tmp_path / "pkg" / "mod.py").read_text()
    assert "replaced f in pkg/mod.py" in capsys.readouterr().out
    tools["replace_definitions"]("def h(self):\n    return 3\n")  # no such name: nothing written
    tools["replace_definitions"]("def g(self):\n    return 3\n")  # top level wins over a method
    assert "def g(self):\n    return 3\n" in (tmp_path / "pkg" / "mod.py").read_text()
    (tmp_path / "pkg" / "cls.py").write_text("class A:\n    def k(self):\n        return 1\n")
    tools["replace_definitions"]("def k(self):\n    return 4\n")  # a method keeps its indent
    assert "    def k(self):\n        return 4\n" in (tmp_path / "pkg" / "cls.py").read_text()


def test_replace_definitions_of_unknown_names_only_defines_them(tools, capsys) -> None:
    tools["replace_definitions"]("def helper():\n    return 5\n")
    assert "defined in this session only" in capsys.readouterr().out
    assert tools["helper"]() == 5


def test_a_definition_of_a_name_no_file_defines_says_which_function_uses_it(
    tools, tmp_path, capsys
) -> None:
    # A small model rewrote `getter_func`, a parameter of the function to fix, four times in
    # ten calls (Lite dev marshmallow-1343): it should hear which function to write instead.
    (tmp_path / "pkg" / "store.py").write_text(
        "class Store:\n    def call(self, getter_func, data):\n"
        "        value = getter_func(data)\n        return value\n"
    )
    (tmp_path / "pkg" / "test_store.py").write_text("def test(getter_func):\n    pass\n")
    tools["FOCUS"][:] = ["pkg/test_store.py", "pkg/store.py"]
    tools["replace_definitions"]("def getter_func(data):\n    return data\n")
    said = capsys.readouterr().out
    assert said.startswith("no file defines getter_func, so no file changed: getter_func is a "
                           "parameter of Store.call in pkg/store.py (line 2)")  # fmt: skip
    assert "write the whole corrected call." in said
    tools["replace_definitions"]("def value(x):\n    return x\n")  # a local of the method
    assert "value is a name used in Store.call in pkg/store.py" in capsys.readouterr().out


def test_a_definition_cannot_replace_a_tool(tools) -> None:
    # A small model once defined submit() to print a summary, then called it: nothing submitted.
    with pytest.raises(tools["ToolError"], match="submit is a tool: call it"):
        tools["replace_definitions"]("def submit(summary):\n    print(summary)\n")
    with pytest.raises(tools["Submitted"]):
        tools["submit"]("done")
    assert set(tools["TOOLS"]) <= set(tools)  # every name listed is a tool defined here


def test_a_rewrite_brings_its_imports_along(tools, tmp_path, capsys) -> None:
    tools["replace_definitions"]("import statistics\n\ndef f(x):\n    return statistics.mean(x)\n")
    text = (tmp_path / "pkg" / "mod.py").read_text()
    assert text.startswith("import statistics\ndef f(x):\n    return statistics.mean(x)\n")
    assert "added to pkg/mod.py: import statistics" in capsys.readouterr().out


def test_a_rewrite_goes_to_the_best_ranked_of_several_definitions(tools, tmp_path) -> None:
    (tmp_path / "aaa").mkdir()
    (tmp_path / "aaa" / "mod.py").write_text("def f(x):\n    return x + 1\n")  # walked first
    tools["FOCUS"][:] = ["pkg/mod.py"]
    tools["replace_definitions"]("def f(x):\n    return x - 1\n")
    assert "return x - 1" in (tmp_path / "pkg" / "mod.py").read_text()
    assert "return x + 1" in (tmp_path / "aaa" / "mod.py").read_text()


def test_a_class_built_on_its_own_name_does_not_replace_that_class(tools, tmp_path, capsys) -> None:
    # A small model pasted `class List(fields.List)` over marshmallow's List: the package's
    # import then failed on the undefined name, and every test with it.
    (tmp_path / "pkg" / "fields.py").write_text("class List:\n    def f(self):\n        return 1\n")
    pasted = "import copy\n\nclass List(fields.List):\n    def f(self):\n        return 2\n"
    tools["replace_definitions"](pasted)
    assert (tmp_path / "pkg" / "fields.py").read_text().startswith("class List:\n")  # untouched
    said = capsys.readouterr().out
    assert "class List subclasses the List it is named after" in said and "pkg/fields.py" in said
    tools["replace_definitions"]("class List(object):\n    def f(self):\n        return 3\n")
    assert "return 3" in (tmp_path / "pkg" / "fields.py").read_text()
