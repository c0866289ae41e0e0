"""How fast `solve --json` fails on bad input: a missing API key, an unknown provider, a bad
option, a huge issue's notes. Issue 25 asks for one JSON object within 5 s.

    .venv/bin/python benchmarks/fail_fast.py [--json]

Each case runs the installed console script on a fresh copy of examples/calculator, with no
API key in the environment and its own empty cache folder, so the first litellm case is a cold
start (litellm imported, what it says about the spec kept as data) and the rest read the
cache. Wall time and the child's CPU time (user + system, which load from other jobs inflates
far less) are printed against the baseline of the same run: `swe-agent --version`, the cost of
starting the program at all.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SWE_AGENT = Path(sys.executable).with_name("swe-agent")
SOLVE = ["solve", "--repo", ".", "-i", "@ISSUE.md", "--sandbox", "local", "--json"]
CASES: list[tuple[str, list[str]]] = [
    ("baseline: swe-agent --version", ["--version"]),
    ("missing key, cold cache", [*SOLVE, "-m", "openai/gpt-4o-mini"]),
    ("missing key", [*SOLVE, "-m", "openai/gpt-4o-mini"]),
    ("unknown provider, cold cache", [*SOLVE, "-m", "nosuchprovider/model"]),
    ("unknown provider", [*SOLVE, "-m", "nosuchprovider/model"]),
    ("--max-calls 0", [*SOLVE, "--max-calls", "0"]),
    ("--budget -1", [*SOLVE, "--budget", "-1"]),
    ("--iterations many (usage error)", [*SOLVE, "--iterations", "many"]),
]


def run_case(args: list[str], *, repo: Path, env: dict[str, str]) -> dict[str, Any]:
    """Exit code, wall and CPU seconds, and what stdout held."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run([str(SWE_AGENT), *args], capture_output=True, text=True, env=env,
                          cwd=repo, timeout=600)  # fmt: skip
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    try:
        error = json.loads(done.stdout).get("error") or {}
        said = f"{error.get('type')}: {error.get('message', '')[:60]}" if error else "ok"
    except ValueError:
        said = "stdout is not one JSON object" if args != ["--version"] else "-"
    return {"code": done.returncode, "wall_s": wall, "cpu_s": cpu, "said": said}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "calc"
        shutil.copytree(ROOT / "examples" / "calculator", repo)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env |= {"SWE_AGENT_CACHE": str(Path(tmp) / "cache"), "LITELLM_LOCAL_MODEL_COST_MAP": "1"}
        rows = [{"case": name, **run_case(args, repo=repo, env=env)} for name, args in CASES]
    if options.json:
        print(json.dumps(rows, indent=2))
        return
    base = rows[0]
    print(f"{'case':34} {'exit':>4} {'wall s':>7} {'CPU s':>6} {'CPU - base':>10}  stdout")
    for row in rows:
        extra = row["cpu_s"] - base["cpu_s"]
        print(f"{row['case']:34} {row['code']:>4} {row['wall_s']:>7.2f} {row['cpu_s']:>6.2f} "
              f"{extra:>10.2f}  {row['said']}")  # fmt: skip
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
