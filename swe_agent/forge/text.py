"""An issue fetched from a forge, as the problem statement a run works from."""

from __future__ import annotations

from swe_agent.forge.model import Comment, Issue

COMMAND = "/swe-agent"  # the comment that asks the GitHub Action for a run


def issue_text(issue: Issue) -> str:
    """Title, body, then the people's comments (bots' comments and bare commands left out)."""
    parts = [issue.title.strip(), "", issue.body.strip()]
    for comment in issue.comments:
        body = _without_command(comment)
        if body:
            parts += ["", f"Comment by {comment.author or 'someone'}:", "", body]
    return "\n".join(parts).strip() + "\n"


def _without_command(comment: Comment) -> str:
    """The comment's text without a leading ``/swe-agent`` line; empty for a bot's comment."""
    if comment.bot:
        return ""
    first, *rest = comment.body.strip().splitlines() or [""]
    first = first.strip()
    if first == COMMAND or first.startswith(COMMAND + " "):
        first = first[len(COMMAND) :].strip()
    return "\n".join([first, *rest]).strip()
