"""The Textual review app: search tree, trajectory, diff hunks, apply, undo.

Only the CLI's review command imports this package (lazily, since it loads Textual)::

    from tui import ReviewSettings, make_app
    make_app(run, ReviewSettings(repo=Path("."))).run()
"""

from tui.app import ReviewApp, make_app
from tui.errors import BadRunFolder, BadSetting, NothingAccepted, ReviewError
from tui.hunks import HunkKey, build_patch, parse_diff
from tui.live import LiveSolve
from tui.service import Outcome, PatchesActions
from tui.settings import ReviewActions, ReviewSettings, TestRunner

__all__ = [
    "BadRunFolder",
    "BadSetting",
    "HunkKey",
    "LiveSolve",
    "NothingAccepted",
    "Outcome",
    "PatchesActions",
    "ReviewActions",
    "ReviewApp",
    "ReviewError",
    "ReviewSettings",
    "TestRunner",
    "build_patch",
    "make_app",
    "parse_diff",
]
