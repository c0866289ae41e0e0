"""Verification: the project's packages import, and pytest collects the tests without errors."""

from __future__ import annotations

import json
import re
import shlex

from env_setup.imports_check import check_imports
from env_setup.model import Plan, TestRunner
from env_setup.record import Verification
from sandbox import Sandbox

# EnvBench's metric runs pyright; basedpyright ships it with node inside PyPI wheels (no npm or
# GitHub download). Its own venv, removed after the run: the environment image stays as it was.
PYRIGHT_VENV = "/tmp/swe-pyright"
_PYRIGHT = (
    "python3 -m venv {venv} && {venv}/bin/python -m pip install -q basedpyright && "
    "cd {workdir} && {venv}/bin/basedpyright --outputjson --pythonpath {python}; "
    "rm -rf {venv}"
)
_COLLECTED = re.compile(r"(\d+) tests? collected|collected (\d+) items?")
_ERRORS = re.compile(r"(\d+) errors?\b")
_TAIL = 4000
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_COLLECTING = re.compile(r"^_{3,} ERROR collecting (\S+) _{3,}$", re.MULTILINE)
_RAISED = re.compile(r"^E\s+([A-Za-z_][\w.]*):", re.MULTILINE)
_LISTED = "swe-agent: test ids listed: "
NO_TESTS_COLLECTED = 5  # pytest's exit code when it found nothing to collect


def collect_command(plan: Plan, tests: tuple[str, ...] = ()) -> str:
    """The pytest collect-only command for the repository's tests (or the given subset)."""
    targets = tests or plan.test_paths
    # -rs: a module-level importorskip shows its reason (named tests skipped for want of a module)
    words = [
        plan.python_bin,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
    ]
    return " ".join(shlex.quote(w) for w in [*words, *targets])


def verify(
    box: Sandbox, plan: Plan, *, tests: tuple[str, ...] = (), has_tests: bool = True
) -> Verification:
    """Run both checks; the environment is verified when imports work and collection is clean.

    A repository whose known spec names its own runner is collected by that runner.
    """
    from env_setup.verify_own import own_collect_command, verify_own

    own = own_collect_command(plan, tests)
    if own is not None:
        return verify_own(box, plan, own, tests=tests)
    imports, import_output = check_imports(box, plan)
    imports_ok = all(error is None for error in imports.values())
    if not has_tests and not tests:
        return Verification(
            ok=imports_ok, imports=imports, no_tests=True, output_tail=import_output[-_TAIL:]
        )
    command = collect_command(plan, tests)
    obs = box.run(counted(command), timeout=1200)
    stderr, listed = listed_count(obs.stderr)
    output = obs.stdout + "\n" + stderr
    collected = _count(_COLLECTED, obs.stdout) or listed or collected_count(obs.stdout)
    summary = next((line for line in reversed(obs.stdout.splitlines()) if line.strip()), "")
    errors = _count(_ERRORS, summary)
    no_tests = obs.exit_code == NO_TESTS_COLLECTED and not tests
    own_warnings = self_raised_warnings(obs.stdout, plan.top_level_packages, errors=errors)
    collect_ok = (obs.exit_code == 0 and errors == 0) or no_tests or bool(own_warnings)
    tail = output if imports_ok else import_output + "\n" + output
    return Verification(
        ok=imports_ok and collect_ok,
        imports=imports,
        collect_command=command,
        collected=collected,
        collection_errors=errors if errors or collect_ok else max(errors, 1),
        no_tests=no_tests,
        output_tail=focus(tail),
        own_warnings=own_warnings,
    )


def without_own_warnings(plan: Plan, verification: Verification) -> str:
    """The plan's test command, leaving out the files ``self_raised_warnings`` found (pytest
    stops a whole run at a collection error)."""
    if plan.test_runner is not TestRunner.PYTEST or not verification.own_warnings:
        return plan.test_command
    ignored = " ".join(shlex.quote(f"--ignore={path}") for path in verification.own_warnings)
    return f"{plan.test_command} {ignored}"


def self_raised_warnings(output: str, packages: tuple[str, ...], *, errors: int) -> tuple[str, ...]:
    """The test files whose collection stops only on a warning the repository itself defines
    and raises, made an error by its own settings (``filterwarnings = error``); () unless every
    one of the ``errors`` is such.

    No install changes the repository's code or the data it ships: astropy's bundled
    leap-second file, expired against today's clock, raises its own IERSStaleWarning when a
    test module imports it (SWE-bench's harness collects only an instance's named files).
    """
    text = _ANSI.sub("", output)
    heads = list(_COLLECTING.finditer(text))
    if not errors or len(heads) != errors or not packages:
        return ()
    files: list[str] = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        raised = _RAISED.findall(text, head.end(), end)
        name = raised[-1] if raised else ""
        if not (name.endswith("Warning") and name.split(".")[0] in packages and "." in name):
            return ()
        files.append(head.group(1))
    return tuple(dict.fromkeys(files))


def focus(output: str) -> str:
    """The end of ``output``, with pytest's ERRORS section kept when warnings would push it out.

    A collection of old code prints pages of deprecation warnings after the errors; the errors
    are what a repair reads.
    """
    if len(output) <= _TAIL:
        return output
    found = [i for i in (output.find("= ERRORS ="), output.find("ERROR collecting")) if i >= 0]
    start = min(found, default=-1)
    if start < 0 or start >= len(output) - _TAIL:
        return output[-_TAIL:]
    start = output.rfind("\n", 0, start) + 1
    end = output.find("warnings summary", start)
    errors = output[start : end if end > 0 else None][: _TAIL // 2]
    return errors + "\n[...]\n" + output[-(_TAIL - len(errors) - 7) :]


def missing_imports(box: Sandbox, plan: Plan, *, workdir: str) -> tuple[int | None, str]:
    """How many imports pyright cannot resolve with the venv (None when pyright did not run)."""
    command = _PYRIGHT.format(venv=PYRIGHT_VENV, workdir=workdir, python=plan.python_bin)
    obs = box.run(command, timeout=1800)
    start = obs.stdout.find("{")
    try:
        report = json.loads(obs.stdout[start:]) if start >= 0 else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        return None, (obs.stdout + obs.stderr)[-_TAIL:]
    diagnostics = report.get("generalDiagnostics") or []
    count = sum(1 for d in diagnostics if d.get("rule") == "reportMissingImports")
    return count, json.dumps(report.get("summary", {}))


def counted(command: str) -> str:
    """``command`` with its test ids counted in the sandbox, on stderr after its own output.

    An old pytest (< 5.3) prints no total with -q: the ids are the count, and a suite's ids
    overflow the sandbox's output cap (astropy's 2018 suite: 160 of them left of 10,000 chars).
    """
    out = "/tmp/swe-collect.out"
    ids = f"grep '::' {out} | grep -vc -E '^( |E )'"
    return (
        f"( {command} ) > {out}; status=$?; cat {out}; "
        f'echo "{_LISTED}$({ids})" >&2; rm -f {out}; exit $status'
    )


def listed_count(stderr: str) -> tuple[str, int]:
    """``stderr`` without the count line ``counted`` adds, and that count (0 without one)."""
    kept, count = [], 0
    for line in stderr.splitlines():
        if line.startswith(_LISTED):
            digits = line.removeprefix(_LISTED).strip()
            count = int(digits) if digits.isdigit() else 0
        else:
            kept.append(line)
    return "\n".join(kept), count


def collected_count(output: str) -> int:
    """How many tests a pytest collect-only run reported (old pytests print only the ids)."""
    return _count(_COLLECTED, output) or sum(
        1 for line in output.splitlines() if "::" in line and not line.startswith((" ", "E "))
    )


def _count(pattern: re.Pattern[str], text: str) -> int:
    """The number in the last match of `pattern` (0 when there is none)."""
    matches = list(pattern.finditer(text))
    if not matches:
        return 0
    return int(next(group for group in matches[-1].groups() if group))
