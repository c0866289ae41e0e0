"""What the model reads does not depend on where or when a run happens.

A sampled model given the same seed and the same prompt replies the same. Two things made the
prompts of two identical runs differ: the local sandbox's workspace is a fresh temporary folder
whose path showed in the prompt and in tracebacks, and tools print durations and object
addresses. Neither tells the model anything, so both are written in a stable form.
"""

from __future__ import annotations

import os
import re

# The workspace path of sandboxes that always use the same one (Docker); others are shown
# relative to the repository, which is the session's current folder.
STABLE_WORKDIR = "/workspace"
HERE = "."

_DURATIONS = (
    # pytest's summary line: "==== 1 failed, 6 passed in 0.12s (0:00:00) ====".
    re.compile(r" in \d+(?:\.\d+)?s(?: \(\d+:\d\d:\d\d\))?(?= =+\s*$)", re.MULTILINE),
    # unittest: "Ran 3 tests in 0.001s".
    re.compile(r"(?<=^Ran )(\d+ tests?) in \d+(?:\.\d+)?s$", re.MULTILINE),
)
_ADDRESS = re.compile(r"\b at 0x[0-9a-fA-F]{6,}>")


def shown_workdir(workdir: str) -> str:
    """The workspace path as the prompt shows it: Docker's fixed path, else the current folder."""
    return workdir if workdir == STABLE_WORKDIR else HERE


def stable_text(text: str, *, workdir: str) -> str:
    """``text`` with the workspace path made relative, durations dropped, addresses elided."""
    if shown_workdir(workdir) == HERE:
        for root in {workdir, os.path.realpath(workdir)}:
            text = text.replace(root + os.sep, "").replace(root, HERE)
    text = _DURATIONS[0].sub("", text)
    text = _DURATIONS[1].sub(r"\1", text)
    return _ADDRESS.sub(" at 0x...>", text)
