"""Which run options `solve` and `bench run` accept as flags, which list their choices (enums),
and which config sources exist: issue #29's table rows for configuration, on the code importable
here. Run it from a checkout (or with PYTHONPATH pointing at an older one) to compare:

    python benchmarks/config_surface.py
    PYTHONPATH=OLD_CHECKOUT python benchmarks/config_surface.py
"""

from __future__ import annotations

import importlib.util

import typer.main

from swe_agent.cli import app

OPTIONS = ("--model", "--search", "--iterations", "--expansions", "--max-steps", "--max-calls",
           "--test-command", "--judge", "--seed", "--sandbox", "--config", "--set")  # fmt: skip
CHOICES = ("--search", "--sandbox", "--judge", "--executor")


def _command(path: list[str]):  # type: ignore[no-untyped-def]
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


def _row(path: list[str]) -> str:
    params = {opt: p for p in _command(path).params for opt in p.opts}
    took = [opt for opt in OPTIONS if opt in params]
    enums = []
    for opt in CHOICES:
        if opt in params:
            ctx = _command(path).make_context(path[-1], [], resilient_parsing=True)
            listed = [item.value for item in params[opt].shell_complete(ctx, "")]
            enums.append(f"{opt}={'|'.join(listed) if listed else 'free text'}")
    return (f"{' '.join(path):10} {len(took):2}/{len(OPTIONS)} shared options "
            f"(missing: {', '.join(o for o in OPTIONS if o not in took) or 'none'}); "
            f"choices: {'; '.join(enums)}")  # fmt: skip


def main() -> None:
    print(_row(["solve"]))
    print(_row(["bench", "run"]))
    layered = importlib.util.find_spec("swe_agent.solve.layers") is not None
    groups = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    sources = "yes" if layered else "no"
    print(f"config show: {'yes' if 'config' in groups else 'no'}; "
          f"layered sources (user file, project file, SWE_AGENT_MODEL): {sources}")  # fmt: skip


if __name__ == "__main__":
    main()
