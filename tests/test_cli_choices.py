"""Choice options are enums: help and shell completion list their values; others exit 2."""

from __future__ import annotations

import json

import pytest
import typer.main
from typer.testing import CliRunner

from swe_agent.cli import app

CHOICES = [
    (["solve"], "--search", ["mcts", "linear"]),
    (["solve"], "--sandbox", ["docker", "local"]),
    (["solve"], "--judge", ["auto", "on", "off"]),
    (["bench", "run"], "--search", ["mcts", "linear"]),
    (["bench", "run"], "--executor", ["local", "ray"]),
    (["bench", "eval"], "--executor", ["local", "ray"]),
    (["bench", "make"], "--executor", ["local", "ray"]),
    (["bench", "localize"], "--half", ["dev", "heldout"]),
    (["config", "show"], "--search", ["mcts", "linear"]),
    (["config", "show"], "--judge", ["auto", "on", "off"]),
]


def _option(path: list[str], flag: str):  # type: ignore[no-untyped-def]
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    ctx = command.make_context(command.name, [], resilient_parsing=True)
    (param,) = [p for p in command.params if flag in p.opts]
    return ctx, param


@pytest.mark.parametrize(("path", "flag", "values"), CHOICES)
def test_help_and_completion_list_the_choices(
    path: list[str], flag: str, values: list[str]
) -> None:
    ctx, param = _option(path, flag)
    every = param.shell_complete(ctx, "")
    assert [item.value for item in every] == values
    assert [item.value for item in param.shell_complete(ctx, values[1][:2])] == [values[1]]
    help_text = CliRunner().invoke(app, [*path, "--help"], terminal_width=200).output
    assert "<" + "|".join(values) + ">" in help_text


@pytest.mark.parametrize(("path", "flag", "values"), CHOICES)
def test_an_unknown_choice_exits_2_naming_the_known_ones(
    path: list[str], flag: str, values: list[str]
) -> None:
    result = CliRunner().invoke(app, [*path, flag, "bogus"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert all(repr(value) in result.output for value in values)


def test_an_unknown_choice_with_json_is_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from swe_agent.cli import main

    argv = sys.argv
    sys.argv = ["swe-agent", "solve", "-i", "x", "--search", "bfs", "--json"]
    try:
        with pytest.raises(SystemExit) as ended:
            main()
    finally:
        sys.argv = argv
    assert ended.value.code == 2
    failure = json.loads(capsys.readouterr().out)
    assert "'mcts', 'linear'" in failure["error"]["message"]
