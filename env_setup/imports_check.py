"""The first check of an environment: each top-level package of the project imports."""

from __future__ import annotations

import json
import shlex

from env_setup.model import Plan
from sandbox import Sandbox

_IMPORT_CHECK = """\
import importlib, json, sys
result = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
        result[name] = None
    except BaseException as exc:
        result[name] = f"{type(exc).__name__}: {exc}"[:500]
print("SWE_IMPORTS=" + json.dumps(result))
"""


def check_imports(box: Sandbox, plan: Plan) -> tuple[dict[str, str | None], str]:
    """Import each top-level package in the venv; map name -> error (None when it imported)."""
    if not plan.top_level_packages:
        return {}, ""
    args = " ".join(shlex.quote(p) for p in plan.top_level_packages)
    command = f"{plan.python_bin} -c {shlex.quote(_IMPORT_CHECK)} {args}"
    obs = box.run(command, timeout=600)
    output = obs.stdout + obs.stderr
    for line in obs.stdout.splitlines():
        if line.startswith("SWE_IMPORTS="):
            return json.loads(line.removeprefix("SWE_IMPORTS=")), output
    error = (obs.error or output.strip()[-500:]) or "the import check did not run"
    return dict.fromkeys(plan.top_level_packages, error), output
