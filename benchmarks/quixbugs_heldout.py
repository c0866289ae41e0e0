"""Write the QuixBugs programs that the dev set leaves out as instances of the same shape.

The dev set (shared/data/quixbugs_dev.jsonl) holds 15 of the 40 Python programs with tests;
the other 25 make a held-out set for checking that what was tuned on dev generalises. Each
instance names the program and its test file the way the dev set does; its patch is the diff
from the buggy program to the repository's corrected one (kept for reference, never shown).

    python benchmarks/quixbugs_heldout.py --mirror MIRRORS/jkoppel+QuixBugs/repo > heldout.jsonl
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
from pathlib import Path

from quixbugs import DATA

COMMIT = "4257f44b0ff1181dedaedee6a447e133219fcebf"
ISSUE = (
    "`{name}` in `python_programs/{name}.py` returns wrong results for some inputs, and "
    "`pytest python_testcases/test_{name}.py` fails. The tests are correct: fix the program."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="bare git of QuixBugs")
    parser.add_argument("--dev", type=Path, default=DATA, help="the dev set to leave out")
    args = parser.parse_args()
    dev = {json.loads(line)["instance_id"] for line in args.dev.read_text().splitlines() if line}
    for name in programs(args.mirror):
        if f"quixbugs__{name}" not in dev:
            print(json.dumps(instance(args.mirror, name)))


def _git(mirror: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(mirror), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def programs(mirror: Path) -> list[str]:
    """Programs that have a pytest file: python_testcases/test_NAME.py."""
    names = _git(mirror, "ls-tree", "--name-only", COMMIT, "python_testcases/").split()
    found = [Path(n).stem.removeprefix("test_") for n in names if Path(n).name.startswith("test_")]
    return sorted(found)


def instance(mirror: Path, name: str) -> dict[str, object]:
    """One SWE-bench-shaped instance, like the dev set's."""
    path = f"python_programs/{name}.py"
    buggy = _git(mirror, "show", f"{COMMIT}:{path}")
    fixed = _git(mirror, "show", f"{COMMIT}:correct_python_programs/{name}.py")
    diff = "".join(
        difflib.unified_diff(
            buggy.splitlines(True), fixed.splitlines(True), f"a/{path}", f"b/{path}"
        )
    )
    return {
        "instance_id": f"quixbugs__{name}",
        "repo": "jkoppel/QuixBugs",
        "base_commit": COMMIT,
        "problem_statement": ISSUE.format(name=name),
        "patch": f"diff --git a/{path} b/{path}\n{diff}",
        "test_patch": "",
        "FAIL_TO_PASS": json.dumps([f"python_testcases/test_{name}.py"]),
        "PASS_TO_PASS": "[]",
        "version": "1.0",
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
