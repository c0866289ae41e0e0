"""The pull request's title, body, commit message and issue comment, from a run's facts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from swe_agent import __version__
from swe_agent.forge.markdown import clip, code, fence, plain
from swe_agent.forge.model import IssueRef, PullRequest
from swe_agent.forge.run_facts import RunFacts, Step

BODY_LIMIT = 60_000  # GitHub refuses bodies over 65,536 characters
STEP_LIMITS = {"thought": 1_200, "code": 4_000, "observation": 1_500}
TITLE_LIMIT = 100
STATUS_TEXT = {
    "resolved": "the tests that failed on the base commit pass, and no test that passed fails",
    "submitted": "the agent finished, but the tests did not show the issue fixed",
    "unfinished": "the search ended before any branch finished",
    "invalid_patch": "the patch did not pass validation",
    "empty_patch": "the finished branch changed nothing",
}


@dataclass(frozen=True)
class PullRequestText:
    """What the pull request says."""

    title: str
    body: str
    commit_message: str


def pull_request_text(facts: RunFacts, *, issue: IssueRef | None, draft: bool) -> PullRequestText:
    """Title, evidence body and commit message for the run's pull request."""
    title = _title(facts, issue)
    return PullRequestText(
        title=title,
        body=_body(facts, issue=issue, draft=draft),
        commit_message=f"{title}\n\n{_summary(facts)}",
    )


def issue_comment(facts: RunFacts, pull: PullRequest, *, draft: bool) -> str:
    """The comment that links the issue to its pull request."""
    kind = "a draft pull request" if draft else "a pull request"
    fixed = _tests(facts.tests.get("fixed"))
    broken = _tests(facts.tests.get("broken"))
    return (
        f"swe-agent opened {kind} for this issue: #{pull.number}\n\n"
        f"Run {code(facts.run_id)} ended {code(facts.status)}: tests fixed {fixed}; "
        f"broken {broken}. The pull request shows the evidence."
    )


def _title(facts: RunFacts, issue: IssueRef | None) -> str:
    text = " ".join(facts.issue_title.split()) or f"the issue of run {facts.run_id}"
    title = f"Fix #{issue.number}: {text}" if issue is not None else f"swe-agent: {text}"
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 3].rstrip() + "..."


def _summary(facts: RunFacts) -> str:
    """One line: the status and the tests it rests on."""
    tests = facts.tests
    fixed = ", ".join(tests.get("fixed") or ()) or "none"
    broken = ", ".join(tests.get("broken") or ()) or "none"
    return f"{facts.status}; tests fixed: {fixed}; broken: {broken}; model {facts.model}."


def _body(facts: RunFacts, *, issue: IssueRef | None, draft: bool) -> str:
    """The body, with as many trajectory steps as fit GitHub's size limit."""
    steps = [_clipped(step) for step in facts.steps]
    shown = len(steps)
    while True:
        body = _template().render(
            **_context(facts, issue=issue, draft=draft),
            steps=steps[:shown],
            omitted=len(steps) - shown,
        )
        if len(body) <= BODY_LIMIT or shown == 0:
            return body
        shown = shown // 2 if shown > 8 else shown - 1


def _context(facts: RunFacts, *, issue: IssueRef | None, draft: bool) -> dict[str, Any]:
    return {
        "draft": draft,
        "issue": issue,
        "issue_mention": f"#{issue.number}" if issue is not None else "",
        "status": facts.status,
        "status_text": STATUS_TEXT.get(facts.status, "see report.json"),
        "run_id": facts.run_id,
        "run_folder": f".swe-agent/runs/{facts.run_id}/",
        "rows": _rows(facts),
        "locations": _locations_text(facts),
        "reproduction": _reproduction(facts),
        "version": __version__,
    }


def _rows(facts: RunFacts) -> list[tuple[str, str]]:
    tests = facts.tests
    regression = tests.get("regression") if isinstance(tests.get("regression"), dict) else {}
    tokens_in, tokens_out = facts.tokens
    calls = f"{facts.model_calls} calls, " if facts.model_calls is not None else ""
    rows = [
        ("status", f"**{facts.status}**: {STATUS_TEXT.get(facts.status, 'see report.json')}"),
        ("tests fixed", _tests(tests.get("fixed"))),
        ("tests broken", _tests(tests.get("broken"))),
    ]
    if tests.get("still_failing"):
        rows.append(("tests still failing", _tests(tests.get("still_failing"))))
    if regression:
        rows.append(("regression tests", _regression(regression)))
    rows += [
        ("reproduction test", _reproduction_row(tests)),
        ("files changed", _files(facts.patch)),
        ("model", code(facts.model)),
        ("model use", f"{calls}{tokens_in:,} tokens in, {tokens_out:,} out"),
        ("cost", f"${facts.cost_usd:.4f}"),
        ("time", _duration(facts.elapsed_s)),
        ("search", _search(facts)),
    ]
    return rows


def _tests(names: Any) -> str:
    names = [str(n) for n in names or ()]
    if not names:
        return "none"
    shown = ", ".join(code(n) for n in names[:10])
    return shown + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _regression(regression: dict[str, Any]) -> str:
    parts = [f"{int(regression.get('passed') or 0)} passed"]
    parts.append(f"{int(regression.get('failed') or 0)} failed")
    if regression.get("flaky"):
        parts.append(f"{int(regression['flaky'])} flaky (failing on the base too)")
    return ", ".join(parts)


def _reproduction_row(tests: dict[str, Any] | Any) -> str:
    written = [str(p) for p in tests.get("reproduction_tests") or ()]
    if written:
        return ", ".join(code(p) for p in written) + " (written during the run, shown below)"
    if tests.get("reproduction") is True:
        return "none written; the issue's failing tests were the reproduction"
    return "none written"


def _files(patch: str) -> str:
    from patches import parse_patch

    try:
        files = parse_patch(patch).files
    except ValueError:
        return "see patch.diff"
    return ", ".join(f"{code(f.path)} (+{f.added} -{f.removed})" for f in files) or "none"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _search(facts: RunFacts) -> str:
    search = facts.search
    text = f"{search.get('mode', '?')}: {search.get('nodes', '?')} nodes"
    if search.get("chosen") is not None:
        text += f", node {search['chosen']} chosen"
    if facts.choice:
        text += f" ({plain(facts.choice[0])})"
    return text


def _locations_text(facts: RunFacts) -> str:
    lines = []
    for rank, location in enumerate(facts.locations, start=1):
        lines.append(f"{rank}. {location.id}")
        if location.reasons:
            lines.append(f"   {'; '.join(location.reasons[:4])}")
    return "\n".join(lines)


def _reproduction(facts: RunFacts) -> list[tuple[str, str]]:
    written = [str(p) for p in facts.tests.get("reproduction_tests") or ()]
    return [(path, clip(_added_text(facts.patch, path), 6_000)) for path in written]


def _added_text(patch: str, path: str) -> str:
    """The lines the patch adds to ``path`` (all of a new file)."""
    from patches import added_lines

    return "\n".join(added_lines(patch, path))


def _clipped(step: Step) -> Step:
    return replace(
        step,
        thought=clip(step.thought, STEP_LIMITS["thought"]),
        code=clip(step.code, STEP_LIMITS["code"]),
        observation=clip(step.observation, STEP_LIMITS["observation"]),
    )


def _template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=False,  # Markdown: untrusted text goes through the fence and code filters
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(code=code, fence=fence)
    return env.get_template("pull_request.md.j2")
