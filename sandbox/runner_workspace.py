"""The runner's workspace: git in it, files read and written inside it, the first unpack.

Stdlib only, Python 3.6 compatible; staged next to ``runner.py`` (``RUNNER_FILES``) and
imported by it alone, never by the host. Every function takes the workspace folder it works in.
"""

import os
import shutil
import subprocess
import sys
import tarfile

GIT_ENV = {"GIT_AUTHOR_NAME": "swe-agent", "GIT_AUTHOR_EMAIL": "swe-agent@localhost"}
GIT_ENV.update(GIT_COMMITTER_NAME="swe-agent", GIT_COMMITTER_EMAIL="swe-agent@localhost")


class GitFailed(Exception):
    """A git command in the workspace exited non-zero."""


def git(workdir, args, timeout=600):
    """Run git in the workspace (no shell, no wrapper: snapshots must be quick); its stdout."""
    argv = ["git", "-c", "gc.auto=0", "-c", "core.quotepath=off"] + list(args)
    done = subprocess.run(
        argv, cwd=workdir, env=dict(os.environ, **GIT_ENV), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
    )  # fmt: skip
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-1000:]
        raise GitFailed("git %s failed: %s" % (args[0], detail))
    return done.stdout.decode("utf-8", "surrogateescape")


def op_git(req, workdir):
    """Run git commands in order; the value is the stdout of the last one."""
    stdout = ""
    for args in req["commands"]:
        stdout = git(workdir, args, req.get("timeout") or 600)
    return {"value": stdout, "exit_code": 0}


def inside(workdir, path):
    """The absolute path of ``path`` in the workspace; refuses paths that leave it."""
    root = os.path.realpath(workdir)
    full = os.path.realpath(os.path.join(root, path))
    if full != root and not full.startswith(root + os.sep):
        raise ValueError("%s is outside the workspace %s" % (path, root))
    return full


def op_read(req, workdir):
    with open(inside(workdir, req["path"]), "rb") as handle:
        return {"value": handle.read().decode("utf-8", "replace")}


def op_write(req, workdir):
    path = inside(workdir, req["path"])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".swe-agent-tmp"
    with open(tmp, "wb") as handle:
        handle.write(req["text"].encode("utf-8"))
    os.replace(tmp, path)
    return {}


def prepare_workspace(workdir, archive):
    """Empty ``workdir``, unpack the workspace archive into it and commit a baseline."""
    if not shutil.which("git"):
        raise GitFailed("git is not installed in this image (workspace states are git trees)")
    os.makedirs(workdir, exist_ok=True)
    for entry in os.listdir(workdir):
        path = os.path.join(workdir, entry)
        (shutil.rmtree if os.path.isdir(path) and not os.path.islink(path) else os.remove)(path)
    # our own archive: symlinks are kept (Python 3.12+ would filter them by default)
    trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
    with tarfile.open(archive) as tar:
        tar.extractall(workdir, **trusted)
    os.remove(archive)
    git(workdir, ["init", "-q", "--template="])  # no sample hooks; info/ is the folder tools use
    os.mkdir(os.path.join(workdir, ".git", "info"))
    with open(os.path.join(workdir, ".git", "config"), "a") as config:  # saves git runs
        # no gc or maintenance run spawned after commits; untracked cache: faster git status
        config.write("[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n")
        config.write("[core]\n\tuntrackedCache = true\n")
    git(workdir, ["add", "-A", "-f"])
    git(workdir, ["commit", "-q", "--allow-empty", "--no-verify", "-m", "swe-agent baseline"])
    return git(workdir, ["rev-parse", "HEAD^{tree}"]).strip()


def reread_site_paths():
    """Read the site folders' .pth files again: a folder they name in the workspace (the src/
    of an editable install) did not exist when the interpreter started, before the unpack."""
    import site

    for folder in [p for p in sys.path if p.endswith("-packages") and os.path.isdir(p)]:
        site.addsitedir(folder)
