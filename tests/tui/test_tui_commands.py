"""Every command is reachable three ways besides its key: footer, help screen, command palette."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_testlib import RUN_ID, head, run_async, settle, until

from swe_agent.runs import RunPaths
from tui import HunkKey, ReviewApp, ReviewSettings, make_app
from tui.commands import COMMANDS
from tui.help_screen import HelpScreen

KEYS = ("space", "a", "p", "u", "e", "t", "q")


def _app(repo: Path) -> ReviewApp:
    return make_app(RunPaths(repo / ".swe-agent" / "runs" / RUN_ID), ReviewSettings(repo=repo))


def _prompts(app: ReviewApp) -> list[str]:
    """What the open command palette lists, best first."""
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    if not found:
        return []
    options = found.first()
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def _palette(pilot: Any, words: str) -> None:
    """Open the command palette, type ``words``, run the best match once it is listed."""
    await pilot.press("ctrl+p")
    await pilot.press(*words)
    await until(
        pilot, lambda: _prompts(pilot.app)[:1] != [] and words in _prompts(pilot.app)[0].lower()
    )
    await pilot.press("enter")
    await pilot.pause()


def test_help_screen_opens_and_closes(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            rows = str(app.screen.query_one("#help-rows").render())
            for key in KEYS:
                assert f"\n{key} " in f"\n{rows}"
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    run_async(body)


def test_the_footer_lists_every_key_and_a_click_runs_it(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = {b.key for (_, b, _, _) in app.active_bindings.values() if b.show}
            assert set(KEYS) <= shown
            (accept,) = [
                k for k in app.query("FooterKey") if getattr(k, "action", "") == "accept_all"
            ]
            await pilot.click(accept)
            assert app.accepted == {HunkKey(0, 0)}

    run_async(body)


def test_the_palette_lists_every_review_command(repo: Path) -> None:
    async def body() -> None:
        app = _app(repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+p")
            await until(pilot, lambda: len(_prompts(app)) >= len(COMMANDS))
            prompts = _prompts(app)
            for command in COMMANDS:
                assert f"{command.help}\n{command.display}" in prompts

    run_async(body)


def test_the_palette_accepts_applies_and_undoes(wide_repo: Path) -> None:
    base = head(wide_repo)

    async def body() -> None:
        app = _app(wide_repo)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _palette(pilot, "accept all hunks")
            assert app.accepted == {HunkKey(0, 0), HunkKey(1, 0), HunkKey(1, 1)}
            await _palette(pilot, "apply the accepted")
            await settle(pilot)
            assert app.applied == head(wide_repo) != base
            await _palette(pilot, "undo the last apply")
            await settle(pilot)
            assert app.applied is None and head(wide_repo) == base

    run_async(body)
