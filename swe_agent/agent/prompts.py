"""Jinja prompt templates, kept as files in swe_agent/config/prompts/."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "config" / "prompts"


@functools.cache
def _environment(directory: str) -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render(name: str, /, **context: Any) -> str:
    """Render the template ``name`` (e.g. ``instance.j2``) with ``context``."""
    return str(_environment(str(PROMPTS_DIR)).get_template(name).render(**context)).strip()
