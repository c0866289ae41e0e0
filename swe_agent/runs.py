"""Run folders: where one `solve` leaves its record, and how to find them again.

Layout of ``<repo>/.swe-agent/runs/<run-id>/`` (run ids sort by time: ``YYYYmmdd-HHMMSS-xxxx``):

- ``config.yaml``   the effective configuration of the run
- ``issue.md``      the issue text
- ``trajectory.jsonl``  append-only events, one JSON object a line, each with ``seq``, ``type``
  and ``time``: ``localization`` (locations), ``base_tests`` (outcomes; files: the focus
  files run, none for the whole command; timed_out), ``start`` (messages, options), then per
  expansion of node P: ``model_call`` (parent=P, index, model, messages,
  response with content, tokens_in, tokens_out, cost_usd, latency_s), ``format_error``
  (parent=P, error), ``action`` (parent=P, thought, code, obs: the sandbox Observation's
  fields), and ``node`` (node: the new node's id in tree.json, parent=P, state, terminal),
  which closes the expansion: the model calls and actions since the last ``node`` event with
  the same parent belong to it. ``resume`` marks where a killed run continued; ``reduced``
  (node, dropped, kept, tries) the picked patch's files put back to the base because its tests
  resolve the issue without them (solve/reduce.py).
- ``tree.json``     the search tree (search.persist format); a linear run is a one-branch tree
- ``nodes/<id>.diff``  each node's diff against the base, written as the node is added
- ``patch.diff``    the chosen node's diff against the base commit, less the files put back
  (``reduced``; may be empty)
- ``report.json``   the summary that ``solve --json`` prints (see RunReport)
- ``applied.json``  written by apply / undo (patches package)
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import run_git
from swe_agent.errors import BadInput

RUNS_DIR = Path(".swe-agent") / "runs"


@dataclass(frozen=True)
class RunPaths:
    """The files of one run folder."""

    root: Path

    @property
    def run_id(self) -> str:
        return self.root.name

    @property
    def trajectory(self) -> Path:
        return self.root / "trajectory.jsonl"

    @property
    def tree(self) -> Path:
        return self.root / "tree.json"

    @property
    def patch(self) -> Path:
        return self.root / "patch.diff"

    @property
    def report(self) -> Path:
        return self.root / "report.json"

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    @property
    def issue(self) -> Path:
        return self.root / "issue.md"

    @property
    def applied(self) -> Path:
        return self.root / "applied.json"

    def read_report(self) -> dict[str, Any]:
        """The run's report.json, or an empty dict while the run has none."""
        if not self.report.exists():
            return {}
        return dict(json.loads(self.report.read_text(encoding="utf-8")))


def new_run_id(now: float | None = None) -> str:
    """A fresh run id that sorts by creation time."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return f"{stamp}-{secrets.token_hex(2)}"


def runs_dir(repo: Path) -> Path:
    """Where the runs of a repository live."""
    return repo / RUNS_DIR


def list_runs(repo: Path) -> list[RunPaths]:
    """The runs of a repository, oldest first; folders git tracks are left out (they came
    with the repository: this tool's run folders are git-ignored)."""
    folder = runs_dir(repo)
    if not folder.is_dir():
        return []
    committed = committed_runs(repo)
    return [RunPaths(p) for p in sorted(folder.iterdir()) if p.is_dir() and p.name not in committed]


def committed_runs(repo: Path) -> set[str]:
    """The names of run folders that git tracks files in (the repository's, not ours)."""
    done = run_git("ls-files", "-z", "--", str(RUNS_DIR), cwd=repo)
    if done.returncode != 0:
        return set()
    paths = [Path(os.fsdecode(p)) for p in done.stdout.split(b"\0") if p]
    return {p.relative_to(RUNS_DIR).parts[0] for p in paths if p.is_relative_to(RUNS_DIR)}


def find_run(repo: Path, run: str | None = None) -> RunPaths:
    """A run by id, then by the path of its folder, then by a unique prefix of its id; the
    latest run when ``run`` is None. Folders the repository commits are not runs of this tool."""
    folder = runs_dir(repo)
    if run and "/" not in run and run not in (".", "..") and (folder / run).is_dir():
        return _own(repo, RunPaths(folder / run))
    given = Path(run).expanduser() if run else None
    if given is not None and given.is_dir():
        found = RunPaths(given.resolve())
        owner = found.root.parents[2] if len(found.root.parents) > 2 else found.root
        return _own(owner, found) if runs_dir(owner) == found.root.parent else found
    runs = list_runs(repo)
    if not runs:
        raise BadInput(
            f"no runs in {folder}" + ("" if run is None else f" (asked for {run!r})"),
            hint="run `swe-agent solve` first, or pass --repo to the repository that has runs",
        )
    if run is None:
        return runs[-1]
    matches = [r for r in runs if r.run_id.startswith(run)]
    if len(matches) != 1:
        known = ", ".join(r.run_id for r in runs[-5:])
        what = "no run" if not matches else f"{len(matches)} runs"
        raise BadInput(f"{what} match {run!r} in {folder}", hint=f"recent runs: {known}")
    return matches[0]


def undo_ref(repo: Path, run: RunPaths) -> str:
    """How `swe-agent undo --repo REPO` names the run: its id when it is one of the
    repository's runs, else its folder's absolute path."""
    own = (runs_dir(repo) / run.run_id).resolve() == run.root.resolve()
    return run.run_id if own else str(run.root.resolve())


def _own(repo: Path, run: RunPaths) -> RunPaths:
    """``run``, unless the repository commits its folder (anyone can commit a .swe-agent/)."""
    if run.run_id in committed_runs(repo):
        raise BadInput(
            f"run {run.run_id} is committed to the repository ({run.root}): not a run of ours",
            hint="run folders this tool writes are git-ignored; pass one of those",
        )
    return run
