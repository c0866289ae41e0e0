"""Verification through a repository's own test runner, when its known spec names one.

sympy runs its tests with ``bin/test``, not pytest: collecting its suite with pytest counts
errors (modules its runner skips or imports differently) that say nothing of the environment.
Its runner imports every test file it is given and runs the tests whose names match ``-k``; a
keyword no test has makes that an import-only pass, the runner's own collect-only.
"""

from __future__ import annotations

import re
import shlex

from env_setup.imports_check import check_imports
from env_setup.model import Plan
from env_setup.record import Verification
from env_setup.testlogs import parse_test_log
from sandbox import Sandbox

# Matches no test name: the runner imports the files and runs nothing.
NO_TEST = "swe_agent_imports_only"
_TAIL = 4000
_FINISHED = re.compile(r"tests finished: (?P<passed>\d+) passed(?P<rest>[^\n]*)")
_EXCEPTIONS = re.compile(r"(\d+) exceptions?")


def own_collect_command(plan: Plan, tests: tuple[str, ...] = ()) -> str | None:
    """The import-only run of the repository's own runner, when we know how to make one."""
    command = plan.own_test_command
    if not command or " bin/test" not in f" {command}":
        return None
    targets = " ".join(shlex.quote(t) for t in tests)
    # --no-subprocess: the hash-seed child process would double the time for no extra check.
    return f"{command} --no-subprocess -k {NO_TEST} {targets}".strip()


def verify_own(
    box: Sandbox, plan: Plan, command: str, *, tests: tuple[str, ...] = ()
) -> Verification:
    """Imports of the packages, then the runner's import-only pass over the test files."""
    imports, import_output = check_imports(box, plan)
    imports_ok = all(error is None for error in imports.values())
    obs = box.run(command, timeout=1800)
    output = obs.stdout + "\n" + obs.stderr
    finished = _FINISHED.search(obs.stdout)
    errors = int(m[1]) if finished and (m := _EXCEPTIONS.search(finished["rest"])) else 0
    # The harness's reading of the log: a failure banner is a failed test file.
    statuses = parse_test_log("parse_log_sympy", obs.stdout)
    errors = max(errors, sum(s in ("FAILED", "ERROR") for s in statuses.values()))
    ran_ok = obs.exit_code == 0 and finished is not None and errors == 0
    tail = output if imports_ok else import_output + "\n" + output
    return Verification(
        ok=imports_ok and ran_ok,
        imports=imports,
        collect_command=command,
        collected=len(tests),
        collection_errors=errors if errors or ran_ok else max(errors, 1),
        output_tail=tail[-_TAIL:],
    )
