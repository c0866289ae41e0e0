"""What every package of the project shares: the user-facing error base, the atomic file
writer and the git runner with a safe environment. It imports nothing of ours."""

from common.errors import UserError
from common.files import atomic_write, atomic_write_json
from common.git import GIT_ENV, resolve_commit, run_git

__all__ = ["GIT_ENV", "UserError", "atomic_write", "atomic_write_json", "resolve_commit", "run_git"]
