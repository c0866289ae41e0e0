"""Keys an issue writes (flags, directives, roles, quoted names) found as code literals."""

from __future__ import annotations

from localization import GraphLocalizer, LocationKind
from localization.evidence import Evidence
from localization.literals import MARKUP, MAX_INLINE, OPTION_TABLE, LiteralIndex, issue_keys
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


def test_inline_code_of_the_prose_is_a_key_after_the_others() -> None:
    text = (
        "Nitpick flags `Literal` values as a missing `py:class` with mode 'strict'\n"
        "```python\nfoo(`kept_out`)\n```\n"
    )
    keys = issue_keys(text)
    assert list(keys) == ["strict", "Literal", "py:class"]  # quoted words first
    assert keys["py:class"] == 1.0
    many = " ".join(f"`name_{i}`" for i in range(MAX_INLINE + 2))
    assert len(issue_keys(many)) == MAX_INLINE
    # Inline code that a role already gave keeps the role's weight; a role's target is inline.
    assert issue_keys("see :py:class:`Foo` and `class`") == {"class": MARKUP, "Foo": 1.0}


def test_an_inline_key_credits_the_module_spelling_it() -> None:
    texts = {"pkg/python.py": "roles = {'py:class': XRef()}\n", "pkg/other.py": "x = 1\n"}
    ev = Evidence()
    LiteralIndex(texts, skip=set()).match(
        issue_keys("Values end up as a missing `py:class`."), Catalog([]), ev, 1.0
    )
    assert set(ev.score) == {"pkg/python.py"}
