"""`swe-agent solve`: localize -> environment -> sandbox -> search -> patch -> run folder."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from env_setup import AgentRepairer
from sandbox import Sandbox
from search import EventSink, SearchEvent, SearchResult
from swe_agent.agent.evidence import TestProbe
from swe_agent.agent.expander import AgentExpander
from swe_agent.agent.policy import Policy
from swe_agent.agent.rewrite_kind import repaired_names
from swe_agent.agent.stable_text import shown_workdir
from swe_agent.agent.trajectory import Trajectory
from swe_agent.models import Model
from swe_agent.runs import RunPaths, new_run_id, runs_dir
from swe_agent.solve.context import (
    IssueContext,
    SnippetBudget,
    gather_context,
    graph_tools,
    rank_context,
)
from swe_agent.solve.options import SolveOptions
from swe_agent.solve.outcome import SolveReport
from swe_agent.solve.preflight import preflight
from swe_agent.solve.report import finish_run, write_run_start
from swe_agent.solve.resume import rebuild_states, save_node_diff
from swe_agent.solve.seams import (
    Metered,
    calls_left,
    focus_tests,
    hosted_model,
    judging,
    make_budget,
    model_settings,
    prompt_issue,
    rewrite_targets,
    test_selector,
)
from swe_agent.solve.session import Environment, Say, Session, quiet

DEFAULT_TEST_COMMAND = "python -m pytest -q"
# The in-sandbox tool API, in the order the runner runs them, one namespace.
TOOLS_SOURCES = tuple(
    Path(__file__).resolve().parents[1] / "agent" / name
    for name in ("sandbox_tools.py", "sandbox_definitions.py")
)


def solve(
    options: SolveOptions,
    *,
    say: Say = quiet,
    on_event: EventSink | None = None,
    model: Model | None = None,
    run: RunPaths | None = None,
    resume: bool = False,
) -> SolveReport:
    """Run the whole pipeline and return the report (also written as report.json).

    ``model`` overrides ``options.model`` with a ready model (a scripted replay, in tests);
    ``run`` names the run folder (default: a new one); with ``resume`` it continues a killed
    run from that folder (``options`` must then be the run's own).
    """
    from swe_agent.models import get_model

    started = time.monotonic()
    checked = preflight(options, check_the_model=model is None)  # before any work or folder
    options = checked.options
    for note in checked.notes:
        say(f"note: {note}")
    run = run or RunPaths(runs_dir(options.repo) / new_run_id())
    if not resume:
        write_run_start(run, options)
    say("localizing the issue in the code graph")
    context = gather_context(
        options.repo, options.issue, top=options.top_locations, snippets=snippet_budget(options)
    )
    env = prepare_environment(options, say=say)
    model = model or get_model(options.model, **model_settings(options))
    with ExitStack() as stack:
        trajectory = stack.enter_context(Trajectory(run.trajectory))
        trajectory.record("localization", locations=context.locations, resumed=resume)
        say("starting the sandbox")
        box = stack.enter_context(start_box(options, env, context, run_id=run.run_id))
        if options.run_example and not resume:
            context = run_example(options, context, box, trajectory, say=say)
        session = Session(
            options, run, context, env, model, trajectory, box, say, notes=checked.notes
        )
        if resume:
            say("rebuilding the saved search states")
            trajectory.record("resume", mismatched_states=rebuild_states(run, box))
        result = search(session, on_event=on_event, resume=resume)
        return finish_run(session, result, started=started)


def prepare_environment(options: SolveOptions, *, say: Say) -> Environment:
    """The cached environment of the repository, set up on first use."""
    if not options.setup_env or options.sandbox == "local":
        return Environment(None, "3.9", options.test_command or DEFAULT_TEST_COMMAND, None)
    from env_setup import SetupOptions, setup_environment

    say("setting up the environment (cached after the first run)")
    setup = SetupOptions(commit=options.commit, agent=env_repairer(options))
    record = setup_environment(options.repo, setup, progress=say)
    if not record.success:
        say("environment set-up failed; continuing in the base image (see env.json)")
    image = record.image if record.success else record.base_image
    command = options.test_command or record.test_command or DEFAULT_TEST_COMMAND
    return Environment(image, record.python, command, record.to_json())


def run_example(
    options: SolveOptions, context: IssueContext, box: Sandbox, trajectory: Trajectory, *, say: Say
) -> IssueContext:
    """Run the issue's example in the sandbox and rank again with what it ran (the workspace
    is restored to the base state after); the context as it was when there is no example."""
    from localization import console_scripts
    from swe_agent.example_trace import trace_example

    if context.graph is None:
        return context
    say("running the issue's example, traced")
    scripts = console_scripts(Path(options.repo))
    execution = trace_example(
        box, options.issue, main_package=context.main_package, scripts=scripts
    )
    box.restore(box.base_state)
    if execution is None:
        return context
    context = rank_context(
        context.graph,
        options.issue,
        top=options.top_locations,
        snippets=snippet_budget(options),
        execution=execution,
        history=context.history,
    )
    trajectory.record(
        "example",
        ran=len(execution.calls),
        raised=[list(frame) for frame in execution.raised],
        locations=context.locations,
    )
    return context


def snippet_budget(options: SolveOptions) -> SnippetBudget:
    """How much code the first message may show."""
    return SnippetBudget(count=options.snippets, chars=options.snippet_chars)


def env_repairer(options: SolveOptions) -> AgentRepairer | None:
    """With a hosted model, a repair agent takes over when the set-up rules give up."""
    if not hosted_model(options.model):
        return None  # the small embedded model and replays do not repair environments
    from swe_agent.agent.env_repair import ModelRepairer, RepairBudget
    from swe_agent.models import get_model

    model = get_model(options.model, **model_settings(options))
    return ModelRepairer(model, budget=RepairBudget(max_cost_usd=0.5))


def start_box(
    options: SolveOptions, env: Environment, context: IssueContext, *, run_id: str | None = None
) -> Sandbox:
    """A sandbox on the repository at the base commit, with the graph tools wired in; its
    container is labelled with the run (and, as every one, with this process)."""
    from sandbox import start_sandbox

    return start_sandbox(
        options.repo,
        image=env.image,
        backend=options.sandbox,
        commit=options.commit,
        python=env.python,
        env=env.sandbox_env(),
        tools=graph_tools(context.graph) if context.graph is not None else None,
        allow_unsandboxed=options.allow_unsandboxed,
        run_id=run_id,
    )


def search(session: Session, *, on_event: EventSink | None, resume: bool = False) -> SearchResult:
    """Install the tools, record the base tests, and run the tree search (or one chain)."""
    from search import CostMeter, Seams, Search, SearchOptions, resolved_by_tests

    options, box, trajectory = session.options, session.box, session.trajectory
    load_tools(box, session.env.test_command, focus=focus_files(session.context.locations))
    targets = rewrite_targets(box, session.context.locations, options)
    if options.run_tests:
        session.say("running the tests on the base state")
        command = " ".join([session.env.test_command, *options.tests])
        session.probe = TestProbe(
            box,
            command,
            timeout_s=options.test_timeout_s,
            strict=bool(options.tests),
            select=test_selector(session.context.graph),
            about=repaired_names(targets),
            focus=() if options.tests else focus_tests(session.context.graph, targets),
        )
        base = session.probe.record_base()
        trajectory.record(
            "base_tests",
            outcomes=dict(base.outcomes),
            files=list(session.probe.base_files),
            timed_out=base.timed_out,
        )
    meter = CostMeter()
    policy = Policy(
        Metered(session.model, meter),
        config=options.agent,
        trajectory=trajectory,
        calls_left=calls_left(
            options.max_calls, meter, before=int(_spent(session, resume, "calls"))
        ),
    )
    opening = policy.opening(
        issue=prompt_issue(options),
        workdir=shown_workdir(box.workdir),
        locations=session.context.locations,
        snippets=session.context.snippets,
    )
    options_json = options.model_dump(mode="json", exclude={"issue"})  # issue.md holds it
    trajectory.record("start", messages=opening, options=options_json)
    expander = AgentExpander(
        policy,
        box,
        opening=opening,
        trajectory=trajectory,
        probe=session.probe,
        max_steps=options.max_steps,
        targets=targets,
    )
    value, discriminator = judging(
        options, box, Metered(session.model, meter), trajectory, may_call=policy.may_ask_again
    )
    session.say(f"searching ({options.search})")
    searcher = Search(
        Seams(expander=expander, value=value, discriminator=discriminator),
        options=SearchOptions(budget=make_budget(options), good_enough=resolved_by_tests),
        path=session.run.tree,
        meter=meter,
        on_event=_saving_diffs(session, on_event),
    )
    # The model's deadline starts with the search's clock, not before the set-up above: an
    # earlier one ran out while the search still had time, and its next call got no reply.
    policy.deadline = _deadline(options, before=_spent(session, resume, "elapsed_s"))
    return (
        searcher.resume()
        if resume and session.run.tree.exists()
        else searcher.start(box.base_state)
    )


def _saving_diffs(session: Session, then: EventSink | None) -> EventSink:
    """An event sink that keeps each new node's diff on disk (for review and resume)."""

    def sink(event: SearchEvent) -> None:
        if str(event.kind) == "node_added" and event.node is not None:
            node = event.node
            save_node_diff(session.run, session.box, node)
            parent = node.parent.id if node.parent is not None else None
            session.trajectory.record(
                "node", node=node.id, parent=parent, state=node.state, terminal=node.terminal
            )
        if then is not None:
            then(event)

    return sink


# Files that running code leaves behind; kept out of every state so they never reach a diff.
WORKSPACE_EXCLUDES = ("__pycache__/", "*.py[cod]", ".pytest_cache/", ".mypy_cache/", ".tox/")


def load_tools(box: Sandbox, test_command: str, *, focus: Sequence[str] = ()) -> None:
    """Put the agent's tool API into the runner's namespace and keep run debris out of git."""
    excludes = "\n".join(WORKSPACE_EXCLUDES)
    setup = (
        f"with open('.git/info/exclude', 'a') as _f:\n    _f.write({excludes + chr(10)!r})\n"
        f"TEST_COMMAND = {test_command!r}\n"
        f"FOCUS = {list(focus)!r}\n"
    ) + "\n".join(path.read_text(encoding="utf-8") for path in TOOLS_SOURCES)
    obs = box.execute(setup, timeout=60)
    if obs.error:
        raise RuntimeError(f"the tool API did not load in the sandbox: {obs.error}")


def focus_files(locations: Sequence[dict[str, Any]]) -> list[str]:
    """The files of the ranked locations, best first, each once."""
    files: list[str] = []
    for loc in locations:
        path = str(loc["id"]).split(":", 1)[0]
        if path not in files:
            files.append(path)
    return files


def _spent(session: Session, resume: bool, key: str) -> float:
    """Model calls or seconds an interrupted run spent before this resume (0 for a new run)."""
    tree = session.run.tree
    if not (resume and tree.exists()):
        return 0
    return float(json.loads(tree.read_text(encoding="utf-8")).get(key, 0))


def _deadline(options: SolveOptions, *, before: float) -> float | None:
    """When the search's wall time runs out, on the time.monotonic() clock (None: no limit)."""
    if options.wall_time_s is None:
        return None
    return time.monotonic() + max(0.0, options.wall_time_s - before)
