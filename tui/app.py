"""The review app: the search tree on the left; the selected node's diff, trajectory and tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Footer, TabbedContent, TabPane, Tree

from common import UserError
from patches import APPLIED_FILE, PatchError, read_record
from swe_agent.runs import RunPaths, undo_ref
from tui.commands import ReviewCommands, bindings
from tui.diff_view import DiffView
from tui.errors import BadRunFolder, BadSetting, NothingAccepted
from tui.help_screen import HelpScreen
from tui.hunks import FileDiff, HunkKey, all_keys, build_patch, parse_diff
from tui.messages import HunkToggled, OperationDone, OperationFailed, TestsFinished
from tui.panes import RunHeader, TestsView, TrajectoryView
from tui.runview import RunView, load_run, node_diff
from tui.service import Outcome, PatchesActions
from tui.settings import ReviewActions, ReviewSettings
from tui.tree_view import SearchTreeView

THEMES = {"dark": "textual-dark", "light": "textual-light"}
BRANCH_MODES = ("current", "new")
NO_TEST_RUNNER = (
    "this review has no test runner: re-running needs the run's sandbox image "
    "(swe-agent env setup builds it)"
)


class ReviewApp(App[None]):
    """Review one run: pick hunks, apply them as one commit, undo, export, re-run tests."""

    CSS_PATH = "review.tcss"
    TITLE = "swe-agent review"
    BINDINGS: ClassVar[list[BindingType]] = bindings()  # type: ignore[assignment]
    COMMANDS = App.COMMANDS | {ReviewCommands}

    node_id: reactive[int] = reactive(0, init=False, always_update=True)
    accepted: reactive[frozenset[HunkKey]] = reactive(frozenset, init=False)
    applied: reactive[str | None] = reactive(None, init=False)

    def __init__(
        self, *, run: RunPaths, view: RunView, settings: ReviewSettings, actions: ReviewActions
    ) -> None:
        super().__init__()
        self.run_paths, self.view, self.settings, self.actions = run, view, settings, actions
        self.accepted_node: int | None = None  # accepted hunks all come from this node
        self.test_records: dict[int, Mapping[str, Any]] = {}  # re-run results, by node
        self.files: tuple[FileDiff, ...] = ()  # the selected node's diff
        self.busy: str | None = None  # the repository operation running in a worker
        self._stamp = _stamp(run)

    def compose(self) -> Any:
        yield RunHeader(id="header")
        with Horizontal(id="main"):
            yield SearchTreeView(id="tree")
            with TabbedContent(id="detail", initial="diff"):
                with TabPane("Diff", id="diff"):
                    yield DiffView(id="diff-view")
                with TabPane("Trajectory", id="trajectory"):
                    yield TrajectoryView(id="trajectory-view")
                with TabPane("Tests", id="tests"):
                    yield TestsView(id="tests-view")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.settings.theme:
            self.theme = THEMES.get(self.settings.theme, self.settings.theme)
        self.applied = _applied_commit(self.run_paths)
        self.query_one(RunHeader).show(self.view.info, applied=self.applied)
        self.query_one(SearchTreeView).show(self.view)
        self.query_one(SearchTreeView).focus()
        self.node_id = self.view.chosen or 0
        if self.settings.refresh_s:
            self.set_interval(self.settings.refresh_s, self._reload_if_changed)

    # -- state ------------------------------------------------------------------------------

    async def watch_node_id(self, node_id: int) -> None:
        node = self.view.nodes.get(node_id)
        if node is None:
            return
        try:
            self.files = parse_diff(node_diff(self.run_paths, self.view, node_id))
        except BadRunFolder as exc:
            self.files = ()
            self._say(str(exc), title=exc.title, severity="error")
        await self.query_one(DiffView).show(self.files, accepted=self._accepted_here())
        await self.query_one(TrajectoryView).show(self.view.path(node_id))
        self._show_tests()

    def watch_accepted(self) -> None:
        self.query_one(DiffView).mark(self._accepted_here())

    def watch_applied(self, commit: str | None) -> None:
        self.query_one(RunHeader).show(self.view.info, applied=commit)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        if event.node.data is not None and event.node.data != self.node_id:
            self.node_id = event.node.data

    # -- intent -----------------------------------------------------------------------------

    def action_toggle_hunk(self) -> None:
        """Accept or drop the hunk under the diff cursor."""
        key = self.query_one(DiffView).current
        if key is None:
            self._say("this node has no hunks to accept", severity="warning")
            return
        if self.accepted_node != self.node_id and self.accepted:
            self._say(
                f"dropped the accepted hunks of node #{self.accepted_node}: "
                "accepted hunks come from one node"
            )
            self.accepted = frozenset()
        self.accepted_node = self.node_id
        self.accepted = self.accepted ^ {key}
        self.action_show_tab("diff")  # show what the key changed

    def action_accept_all(self) -> None:
        """Accept every hunk of the selected node."""
        keys = all_keys(self.files)
        if not keys:
            self._say("this node has no hunks to accept", severity="warning")
            return
        self.accepted_node = self.node_id
        self.accepted = frozenset(keys)
        self.action_show_tab("diff")
        self._say(f"accepted all {len(keys)} hunks of node #{self.node_id}")

    def action_apply(self) -> None:
        """Apply the accepted hunks as one commit (in a worker: git is slow)."""
        text = self._accepted_patch("apply")
        if text is not None:
            message = self._commit_message()
            self._start("apply", lambda: self.actions.apply(text, message=message))

    def action_undo(self) -> None:
        """Undo this run's apply."""
        self._start("undo", self.actions.undo)

    def action_export(self) -> None:
        """Write the accepted hunks to a patch file in the run folder."""
        text = self._accepted_patch("export")
        if text is not None:
            name = f"accepted-node-{self.accepted_node}.diff"
            self._start("export", lambda: self.actions.export(text, name=name))

    def action_run_tests(self) -> None:
        """Re-run the selected node's tests through the test runner, if there is one."""
        if self.settings.run_tests is None:
            self._say(NO_TEST_RUNNER, title="cannot re-run tests", severity="warning")
            return
        if any(w.group == "tests" and w.is_running for w in self.workers):
            self._say("the tests are still running; try again when they are done", timeout=3)
            return
        self._say(f"running the tests of node #{self.node_id}…")
        self._tests_worker(self.node_id)

    def action_help(self) -> None:
        """Show the help screen."""
        self.push_screen(HelpScreen())

    def action_show_tab(self, tab: str) -> None:
        """Switch the detail pane."""
        self.query_one(TabbedContent).active = tab

    def action_hunk(self, step: int) -> None:
        """Move the hunk cursor."""
        self.query_one(DiffView).action_cursor(step)

    # -- results ----------------------------------------------------------------------------

    def on_hunk_toggled(self, _: HunkToggled) -> None:
        self.action_toggle_hunk()

    def on_operation_done(self, message: OperationDone) -> None:
        self.busy = None
        self._say(message.outcome.message, title=message.doing)
        if message.doing == "apply":
            self.applied = message.outcome.commit
        elif message.doing == "undo":
            self.applied = None

    def on_operation_failed(self, message: OperationFailed) -> None:
        self.busy = None
        text = message.text + (f"\nfix: {message.hint}" if message.hint else "")
        self._say(text, title=f"{message.doing}: {message.title}", severity="error", timeout=12)

    def on_tests_finished(self, message: TestsFinished) -> None:
        self.test_records[message.node_id] = message.record
        if message.node_id == self.node_id:
            self._show_tests()
        self._say(f"tests of node #{message.node_id} finished", title="tests")

    # -- workers ----------------------------------------------------------------------------

    def _start(self, doing: str, call: Callable[[], Outcome]) -> None:
        """One repository operation at a time: a second key press waits for the first."""
        if self.busy is not None:
            self._say(f"{self.busy} is still running; try again when it is done", timeout=3)
            return
        self.busy = doing
        self._operation(doing, call)

    @work(thread=True, group="repository")
    def _operation(self, doing: str, call: Callable[[], Outcome]) -> None:
        try:
            outcome = call()
        except Exception as exc:
            self._report_failure(doing, exc)
            return
        self.post_message(OperationDone(doing, outcome))

    @work(thread=True, group="tests")
    def _tests_worker(self, node_id: int) -> None:
        assert self.settings.run_tests is not None  # checked by the action
        try:
            record = self.settings.run_tests(node_id)
        except Exception as exc:
            self._report_failure("tests", exc)
            return
        self.post_message(TestsFinished(node_id, dict(record)))

    def _report_failure(self, doing: str, exc: Exception) -> None:
        """Refusals and I/O errors become a notification; anything else is a bug and raises."""
        if isinstance(exc, UserError):
            self.post_message(OperationFailed(doing, exc.title, str(exc), exc.hint))
        elif isinstance(exc, OSError):
            self.post_message(OperationFailed(doing, type(exc).__name__, str(exc), None))
        else:
            raise exc

    # -- helpers ----------------------------------------------------------------------------

    def _say(self, text: str, **options: Any) -> None:
        """A notification; never markup, since paths and git messages may hold brackets."""
        self.notify(text, markup=False, **options)

    def _accepted_here(self) -> frozenset[HunkKey]:
        return self.accepted if self.accepted_node == self.node_id else frozenset()

    def _accepted_patch(self, doing: str) -> str | None:
        if not self.accepted or self.accepted_node is None:
            error = NothingAccepted(
                f"nothing to {doing}", hint="space accepts the hunk under the cursor, a all hunks"
            )
            self._say(f"{error}\nfix: {error.hint}", title=error.title, severity="warning")
            return None
        files = parse_diff(node_diff(self.run_paths, self.view, self.accepted_node))
        return build_patch(files, self.accepted)

    def _commit_message(self) -> str:
        node = self.accepted_node
        total = len(all_keys(parse_diff(node_diff(self.run_paths, self.view, node or 0))))
        title = (
            f"swe-agent: apply {len(self.accepted)} of {total} hunks of node #{node}, "
            f"run {self.run_paths.run_id}"
        )
        reasons = self.view.chosen_reasons if node == self.view.chosen else ()
        if not reasons:
            return title
        return title + "\n\nChosen by the search:\n" + "".join(f"- {r}\n" for r in reasons)

    def _show_tests(self) -> None:
        node = self.view.nodes[self.node_id]
        rerun = self.test_records.get(self.node_id)
        note = "(re-run in this review)" if rerun is not None else ""
        self.query_one(TestsView).show(node, rerun if rerun is not None else node.tests, note=note)

    def _reload_if_changed(self) -> None:
        stamp = _stamp(self.run_paths)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        before = self.view.nodes.get(self.node_id)
        try:
            self.view = load_run(self.run_paths)
        except BadRunFolder as exc:  # shown once; the next change to the files retries
            self._say(str(exc), title=exc.title, severity="error")
            return
        self.query_one(SearchTreeView).show(self.view, select=self.node_id)
        self.query_one(RunHeader).show(self.view.info, applied=self.applied)
        if self.view.nodes.get(self.node_id) != before:  # e.g. its tests came in
            self.node_id = self.node_id


def make_app(run: RunPaths, settings: ReviewSettings) -> ReviewApp:
    """Build the review app for a run folder from its dependencies."""
    if settings.branch not in BRANCH_MODES:
        known = ", ".join(BRANCH_MODES)
        raise BadSetting(f"unknown branch mode {settings.branch!r}", hint=f"use one of: {known}")
    view = load_run(run)
    actions = settings.actions or PatchesActions(
        repo=settings.repo,
        run_dir=run.root,
        undo_ref=undo_ref(settings.repo, run),
        branch=settings.branch,
    )
    app = ReviewApp(run=run, view=view, settings=settings, actions=actions)
    theme = THEMES.get(settings.theme or "", settings.theme)
    if theme and theme not in app.available_themes:
        known = ", ".join(sorted([*THEMES, *app.available_themes]))
        raise BadSetting(f"unknown theme {settings.theme!r}", hint=f"use one of: {known}")
    return app


def _applied_commit(run: RunPaths) -> str | None:
    path = run.root / APPLIED_FILE
    if not path.is_file():
        return None
    try:
        record = read_record(path)
    except PatchError:
        return None
    return record.commit if record.undone is None else None


def _stamp(run: RunPaths) -> tuple[float, ...]:
    paths: list[Path] = [run.tree, run.report, run.trajectory]
    return tuple(p.stat().st_mtime if p.exists() else 0.0 for p in paths)
