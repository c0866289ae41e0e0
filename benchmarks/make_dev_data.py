"""Dev instances in every test-runner family, made with `bench make` from SWE-bench's fix commits.

../shared/data/swebench_verified_dev.jsonl names, for each instance, a pull request (the number
in its id) and its gold patch, but no test patch nor tests. In a repository's mirror the pull
request's merge commit (``Merge pull request #N``) or squash commit (``Title (#N)``) is found,
checked against the gold patch (the same changed lines), and handed to `bench make` with the
instance's problem statement as its issue text; `bench make` splits off the test patch, sets
the environment up at the base and runs the tests before and after (unless --no-tests).

    python benchmarks/make_dev_data.py --repos MIRRORS --out OUT \\
        --repo sympy/sympy --workers 2
    python benchmarks/make_dev_data.py --repos MIRRORS --out OUT --no-tests

Writes OUT/<OWNER+NAME>/ (bench make's folders), OUT/found.jsonl (per instance: the commit
found and how well its diff matches the gold patch, or why none was) and OUT/dataset.jsonl
(every repository's kept instances together). Prints a table per repository.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "swebench_verified_dev.jsonl"
_MERGE = re.compile(r"^Merge pull request #(\d+)\b")
_SQUASH = re.compile(r"\(#(\d+)\)\s*$")


def main() -> None:
    args = _parse()
    sys.path.insert(0, str(ROOT))
    rows = [json.loads(line) for line in args.dataset.read_text().splitlines() if line.strip()]
    by_repo: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if not args.repo or row["repo"] in args.repo:
            by_repo.setdefault(row["repo"], []).append(row)
    args.out.mkdir(parents=True, exist_ok=True)
    found_rows, table = [], []
    order = args.repo or sorted(by_repo)  # as asked, else by name
    for repo, instances in sorted(by_repo.items(), key=lambda kv: order.index(kv[0])):
        mirror = _mirror(args.repos, repo)
        if mirror is None:
            table.append({"repo": repo, "instances": len(instances), "note": "no mirror"})
            continue
        found = [find_fix(mirror, inst) for inst in instances[: args.limit]]
        found_rows += found
        table.append(make_repo(repo, instances, found, args))
    _write_jsonl(args.out / "found.jsonl", found_rows)
    _gather(args.out, [t["repo"] for t in table if "kept" in t])
    _print(table)


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DATA, help=f"default {DATA}")
    parser.add_argument("--repos", type=Path, required=True, help="the mirrors folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repo", action="append", help="only this repository (repeatable)")
    parser.add_argument("--limit", type=int, help="at most N instances per repository")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--no-tests", action="store_true", help="mine only (no Docker)")
    return parser.parse_args()


def _mirror(mirrors: Path, repo: str) -> Path | None:
    from swe_agent.bench.errors import RepoNotAvailable
    from swe_agent.bench.repos import find_mirror

    try:
        return find_mirror(mirrors, repo)
    except RepoNotAvailable:
        return None


def _pull_commits(mirror: Path) -> dict[int, list[str]]:
    """Pull request number -> the merge or squash commits that name it, HEAD's line first."""
    from swe_agent.bench.history import git

    found: dict[int, list[str]] = {}
    for first_parent in (True, False):
        flags = ["--first-parent", "HEAD"] if first_parent else ["--all"]
        for line in git(mirror, "log", *flags, "--format=%H %P%x00%s").split("\n"):
            head, _, subject = line.partition("\0")
            if not head.strip():
                continue
            commit, *parents = head.split()
            named = _MERGE.match(subject) if len(parents) > 1 else _SQUASH.search(subject)
            if named and commit not in found.get(int(named.group(1)), []):
                found.setdefault(int(named.group(1)), []).append(commit)
    return found


_PULLS: dict[Path, dict[int, list[str]]] = {}


def _changed_lines(patch: str) -> Counter[tuple[str, str]]:
    from swe_agent.bench.history import file_diffs

    lines: Counter[tuple[str, str]] = Counter()
    for path, part in file_diffs(patch):
        for line in part.splitlines():
            if line[:1] in "+-" and not line.startswith(("+++", "---")):
                lines[(path, line)] += 1
    return lines


def _match(gold: str, made: str) -> float:
    """Share of changed lines the two patches have in common (1.0: the same change)."""
    a, b = _changed_lines(gold), _changed_lines(made)
    union = sum((a | b).values())
    return round(sum((a & b).values()) / union, 3) if union else 0.0


def _touching(mirror: Path, inst: dict[str, Any], *, most: int = 200) -> list[str]:
    """Commits of the year after the base that touch the gold patch's files (a pull request
    merged by rebase has no merge commit; its one commit may carry the whole fix)."""
    from swe_agent.bench.errors import RepoNotAvailable
    from swe_agent.bench.history import file_diffs, git

    try:
        stamp = int(git(mirror, "log", "-1", "--format=%ct", inst["base_commit"]).strip())
    except RepoNotAvailable:
        return []
    files = [path for path, _ in file_diffs(inst["patch"])]
    listed = git(mirror, "log", "--all", "--no-merges", f"--since={stamp - 3 * 86400}",
                 f"--until={stamp + 365 * 86400}", "--format=%H", "--", *files)  # fmt: skip
    return listed.split()[:most]


def find_fix(mirror: Path, inst: dict[str, Any]) -> dict[str, Any]:
    """The commit of the instance's pull request whose source changes match its gold patch."""
    from swe_agent.bench.history import examine

    if mirror not in _PULLS:
        _PULLS[mirror] = _pull_commits(mirror)
    number = int(inst["instance_id"].rsplit("-", 1)[1])
    row: dict[str, Any] = {"instance_id": inst["instance_id"], "repo": inst["repo"],
                           "swebench_base": inst["base_commit"]}  # fmt: skip
    best: tuple[float, str, Any] | None = None
    commits = _PULLS[mirror].get(number) or _touching(mirror, inst)
    for commit in commits:
        mined = examine(mirror, commit, pull_number=number)
        patch = mined.change.patch if mined.change else ""
        score = _match(inst["patch"], patch) if mined.change else -1.0
        if best is None or score > best[0]:
            best = (score, commit, mined)
    if best is None:
        return {**row, "reason": f"no commit of pull request #{number} found"}
    score, commit, mined = best
    row.update(commit=commit, match=score, base_commit=mined.change.base_commit if mined.change
               else None, problem_statement=inst["problem_statement"])  # fmt: skip
    if mined.change is None:
        row["reason"] = mined.reason
    elif score < (0.5 if commit in _PULLS[mirror].get(number, []) else 0.8):
        row["reason"] = f"its changes match the gold patch poorly ({score})"
    return row


def make_repo(
    repo: str, instances: list[dict[str, Any]], found: list[dict[str, Any]], args: Any
) -> dict[str, Any]:
    """`bench make` on the fix commits found for one repository."""
    from swe_agent.bench.make import MakeOptions, make_dataset

    usable = [f for f in found if f.get("commit") and not f.get("reason")]
    folder = args.out / repo.replace("/", "+")
    folder.mkdir(parents=True, exist_ok=True)
    issues = folder / "issues.jsonl"
    _write_jsonl(issues, [{"commit": f["commit"], "problem_statement": f["problem_statement"]}
                          for f in usable])  # fmt: skip
    same_base = sum(1 for f in usable if f["base_commit"] == f["swebench_base"])
    exact = sum(1 for f in usable if f["match"] == 1.0)
    row = {"repo": repo, "instances": len(instances), "found": len(usable), "exact": exact,
           "same_base": same_base}  # fmt: skip
    if not usable:
        return {**row, "kept": 0}
    commits = tuple(f["commit"] for f in usable)
    options = MakeOptions(out=folder, mirrors=args.repos, commits=commits, issues=issues,
                          run_tests=not args.no_tests, workers=args.workers,
                          timeout_s=args.timeout, url_template=None)  # fmt: skip
    summary = make_dataset(repo, options)
    return {**row, "candidates": summary["candidates"], "kept": len(summary["kept"]),
            "rejected": len(summary["rejected"]), "errors": len(summary["failed"])}  # fmt: skip


def _gather(out: Path, repos: list[str]) -> None:
    rows = []
    for repo in repos:
        path = out / repo.replace("/", "+") / "dataset.jsonl"
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    _write_jsonl(out / "dataset.jsonl", rows)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _print(table: list[dict[str, Any]]) -> None:
    columns = ("repo", "instances", "found", "exact", "same_base", "candidates", "kept",
               "rejected", "errors", "note")  # fmt: skip
    print(" | ".join(columns))
    for row in table:
        print(" | ".join(str(row.get(c, "")) for c in columns))


if __name__ == "__main__":
    main()
