"""Keys an issue writes (flags, directives, roles, quoted names) found as code literals."""

from __future__ import annotations

from localization import GraphLocalizer, LocationKind
from localization.evidence import Evidence
from localization.literals import MARKUP, OPTION_TABLE, LiteralIndex, issue_keys
from localization.matching import Catalog


def test_issue_keys_are_flags_markup_names_and_quoted_prose_names() -> None:
    text = (
        "`pytest --fixtures` hides them\n\n.. py:function:: f()\n\n   :rtype: int\n"
        "See :py:class:`A` and set mode to 'signature'.\n"
        "```python\nplot(color='red')\n```\n"
    )
    keys = issue_keys(text)
    assert set(keys) == {"--fixtures", "function", "rtype", "class", "signature"}
    assert "red" not in keys  # a quoted word of example code is data, not a key
    # A directive or role name is registered under exactly its name: it weighs more.
    assert keys["function"] == keys["class"] == MARKUP
    assert keys["--fixtures"] == keys["rtype"] == keys["signature"] == 1.0


def test_a_flag_spelled_in_one_module_ranks_its_function(atlas: GraphLocalizer) -> None:
    issue = "Outline never drawn\n\nRunning `atlas --outline` draws nothing at all."
    result = atlas.localize(issue, top=5)
    assert result.ids(LocationKind.FILE)[0] == "atlas/cli.py"
    spelled = {loc.id: loc.reasons for loc in result.functions}["atlas/cli.py:parser"]
    assert "'--outline' spelled in the code" in spelled


def test_an_option_table_does_not_claim_every_flag() -> None:
    table = "\n".join(f"add('--flag-{i}')" for i in range(OPTION_TABLE + 1))
    texts = {"pkg/options.py": table, "pkg/run.py": "if opt == '--flag-3':\n    pass\n"}
    index = LiteralIndex(texts, skip=set())
    assert index.option_tables == {"pkg/options.py"}
    ev = Evidence()
    index.match({"--flag-3": 1.0}, Catalog([]), ev, 1.0)
    assert set(ev.score) == {"pkg/run.py"}


def test_a_directive_name_weighs_more_than_a_quoted_word() -> None:
    texts = {"pkg/directives.py": "register('include', Include)\n", "pkg/io.py": "x = 'include'\n"}
    index = LiteralIndex(texts, skip=set())
    ev = Evidence()
    index.match(issue_keys(".. include:: other.rst\n"), Catalog([]), ev, 1.0)
    directive = ev.score["pkg/directives.py"]
    ev = Evidence()
    index.match(issue_keys("the option 'include' is ignored\n"), Catalog([]), ev, 1.0)
    assert directive == MARKUP * ev.score["pkg/directives.py"]
