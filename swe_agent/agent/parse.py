"""Turn a model reply into an action: one short thought and exactly one python block."""

from __future__ import annotations

import ast
import doctest
import re
import textwrap
from dataclasses import dataclass

_BLOCK = re.compile(r"```(?:python|py)[^\S\n]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_ANY_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
_NUMBERED = re.compile(r"^[ \t]*\d+[ \t]*\| ?")  # a line as views and snippets show it: "52 | ..."


class FormatError(Exception):
    """The reply did not hold exactly one python block; the message says what was wrong.

    Raised by ``parse_action`` and caught in exactly one place, the policy's re-ask loop;
    never shown to a user as an error.
    """


@dataclass(frozen=True)
class Action:
    """What the model decided to do: its thought and the code to run."""

    thought: str
    code: str

    def summary(self, width: int = 60) -> str:
        """The first meaningful code line, shortened: a label for trees and logs."""
        lines = [line.strip() for line in self.code.splitlines() if line.strip()]
        first = next((line for line in lines if not line.startswith("#")), "")
        return first if len(first) <= width else first[: width - 1] + "…"


def code_blocks(text: str) -> list[str]:
    """The python blocks of a text, each stripped."""
    return [block.strip() for block in _BLOCK.findall(text)]


def parse_action(reply: str) -> Action:
    """Extract the action from a reply, or raise FormatError saying what to fix."""
    blocks = _BLOCK.findall(reply)
    if not blocks:
        # Small models often drop the language tag; accept a lone untagged block that parses.
        blocks = [b for b in map(_readable, _ANY_FENCE.findall(reply)) if _parses(b)]
    if len(blocks) != 1:
        found = "no" if not blocks else str(len(blocks))
        raise FormatError(
            f"Your reply had {found} python code blocks; it must have exactly one, "
            "written as ```python ... ```, after one or two sentences of thought."
        )
    code = _readable(blocks[0].strip("\n"))
    if not code.strip():
        raise FormatError("Your python block was empty; put one action in it.")
    thought = reply[: reply.find("```")].strip()
    return Action(thought=thought, code=code)


def _readable(code: str) -> str:
    """The block as Python: without our line numbers, or without a REPL's prompts."""
    return _unprompted(_unnumbered(code))


def _unprompted(code: str) -> str:
    """A pasted interactive session (">>> import x", "... ", output lines) as the code it ran,
    read by doctest's parser; unchanged when it parses already or the result does not."""
    if ">>>" not in code or _parses(code):
        return code
    try:
        examples = doctest.DocTestParser().get_examples(code)
    except ValueError:  # prompts at inconsistent indents
        return code
    source = "".join(example.source for example in examples)
    return source if source.strip() and _parses(source) else code


def _unnumbered(code: str) -> str:
    """Code pasted as our views show it, every line behind its number ("52 |     def f():"),
    without the numbers, its unnumbered comment lines (a file header) and common indent;
    unchanged when it parses already, when a code line has no number, or when that fails too."""
    if _parses(code):
        return code
    lines = [line for line in code.splitlines() if line.strip()]
    code_lines = [line for line in lines if not line.lstrip().startswith("#")]
    if not code_lines or not all(_NUMBERED.match(line) for line in code_lines):
        return code
    numbered = [_NUMBERED.sub("", line) for line in code.splitlines() if _NUMBERED.match(line)]
    plain = textwrap.dedent("\n".join(numbered)).strip("\n")
    return plain if _parses(plain) else code


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True
