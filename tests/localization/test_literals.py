"""Keys an issue writes (flags, directives, roles, quoted names) found as code literals."""

from __future__ import annotations

from localization import GraphLocalizer, LocationKind
from localization.features import Feature, Ledger, spread
from localization.literals import MAX_KEYS, OPTION_TABLE, LiteralIndex, issue_keys
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
    # A directive or role name is registered under exactly its name: a feature of its own.
    assert keys["function"] == keys["class"] == Feature.MARKUP
    assert keys["--fixtures"] == keys["rtype"] == keys["signature"] == Feature.LITERAL


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
    ev = Ledger()
    index.match({"--flag-3": Feature.LITERAL}, Catalog([]), ev)
    assert set(ev.values) == {"pkg/run.py"}


def test_a_directive_name_is_markup_and_a_quoted_word_a_literal() -> None:
    texts = {"pkg/directives.py": "register('include', Include)\n", "pkg/io.py": "x = 'include'\n"}
    index = LiteralIndex(texts, skip=set())
    ev = Ledger()
    index.match(issue_keys(".. include:: other.rst\n"), Catalog([]), ev)
    assert ev.values["pkg/directives.py"] == {Feature.MARKUP: spread(2)}  # spelled in 2 files
    ev = Ledger()
    index.match(issue_keys("the option 'include' is ignored\n"), Catalog([]), ev)
    assert ev.values["pkg/directives.py"] == {Feature.LITERAL: spread(2)}


def test_inline_code_of_the_prose_is_a_key_after_the_others() -> None:
    text = (
        "Nitpick flags `Literal` values as a missing `py:class` with mode 'strict'\n"
        "```python\nfoo(`kept_out`)\n```\n"
    )
    keys = issue_keys(text)
    assert list(keys) == ["strict", "Literal", "py:class"]  # quoted words first
    assert keys["py:class"] == Feature.LITERAL
    many = " ".join(f"`name_{i}`" for i in range(MAX_KEYS + 2))
    assert len(issue_keys(many)) == MAX_KEYS
    # Inline code that a role already gave stays markup; a role's target is inline code.
    assert issue_keys("see :py:class:`Foo` and `class`") == {
        "class": Feature.MARKUP,
        "Foo": Feature.LITERAL,
    }


def test_an_inline_key_credits_the_module_spelling_it() -> None:
    texts = {"pkg/python.py": "roles = {'py:class': XRef()}\n", "pkg/other.py": "x = 1\n"}
    ev = Ledger()
    LiteralIndex(texts, skip=set()).match(
        issue_keys("Values end up as a missing `py:class`."), Catalog([]), ev
    )
    assert set(ev.values) == {"pkg/python.py"}
