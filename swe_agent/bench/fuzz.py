"""The last fallback of patch application: GNU ``patch --fuzz`` on the host.

Environment images need not have ``patch`` (ours do not), so the files a patch touches are
taken from the base commit into a temporary folder on the host, patched there, and their new
contents written into the sandbox. Paths are checked first: nothing outside the workspace.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from common import run_git
from patches import named_paths

if TYPE_CHECKING:
    from sandbox import Sandbox

PATCH_ARGS = ("--batch", "--forward", "--fuzz=5", "-p1", "--no-backup-if-mismatch")
COMMAND = "patch " + " ".join(PATCH_ARGS) + " (on the host, files copied in)"


@dataclass(frozen=True)
class FuzzResult:
    """What GNU patch made of the touched files (None: the file is gone), and its output."""

    applied: bool
    files: dict[str, bytes | None]
    log: str


def touched_paths(patch: str) -> list[str] | None:
    """Paths the file headers name; None when one would leave the workspace."""
    paths = list(named_paths(patch))
    for path in paths:
        parts = PurePosixPath(path).parts
        if path.startswith("/") or ".." in parts or (parts and parts[0] == ".git"):
            return None
    return paths


def _base_files(repo: Path, commit: str, paths: list[str]) -> dict[str, bytes]:
    """Contents at ``commit`` of those paths that exist there (one ``git cat-file --batch``)."""
    stdin = "".join(f"{commit}:{path}\n" for path in paths).encode()
    done = run_git("cat-file", "--batch", cwd=repo, input=stdin)
    done.check_returncode()
    out = done.stdout
    files: dict[str, bytes] = {}
    pos = 0
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            files[path] = out[pos : pos + size]
            pos += size + 1
    return files


def fuzz_apply(repo: Path, commit: str, patch: str) -> FuzzResult:
    """Apply ``patch`` to the files of ``commit`` with GNU patch; report the new contents."""
    program = shutil.which("patch")
    paths = touched_paths(patch)
    if program is None:
        return FuzzResult(False, {}, "GNU patch is not installed on the host\n")
    if not paths:
        return FuzzResult(False, {}, "no file paths in the patch, or one outside the repo\n")
    before = _base_files(repo, commit, paths)
    with tempfile.TemporaryDirectory(prefix="swe-fuzz-") as tmp:
        root = Path(tmp) / "tree"
        for path, data in before.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        root.mkdir(exist_ok=True)
        (Path(tmp) / "model.diff").write_text(patch, encoding="utf-8", errors="surrogateescape")
        done = subprocess.run(
            [program, *PATCH_ARGS, "-d", str(root), "-i", str(Path(tmp) / "model.diff")],
            capture_output=True,
            timeout=120,
            check=False,
        )
        log = (done.stdout + done.stderr).decode("utf-8", "replace")
        if done.returncode != 0:
            return FuzzResult(False, {}, log)
        after = {p: (root / p).read_bytes() if (root / p).is_file() else None for p in paths}
    changed = {p: data for p, data in after.items() if data != before.get(p)}
    return FuzzResult(bool(changed), changed, log)


def write_into(box: Sandbox, files: dict[str, bytes | None]) -> str | None:
    """Write (or remove) the files in the sandbox's workspace; the error, if any."""
    payload = {
        f"{box.workdir}/{path}": None if data is None else base64.b64encode(data).decode()
        for path, data in files.items()
    }
    code = (
        "import base64, os\n"
        f"for path, data in {payload!r}.items():\n"
        "    if data is None:\n"
        "        if os.path.lexists(path):\n"
        "            os.remove(path)\n"
        "        continue\n"
        "    os.makedirs(os.path.dirname(path), exist_ok=True)\n"
        "    with open(path, 'wb') as handle:\n"
        "        handle.write(base64.b64decode(data))\n"
    )
    obs = box.execute(code, timeout=120)
    return None if obs.error is None else f"writing the patched files failed: {obs.error}"
