"""What every package of the project shares: the user-facing error base, the atomic file
and folder writers, the git runner with a safe environment, and what a test path is. It
imports nothing of ours."""

from common.errors import UserError
from common.files import atomic_file, atomic_folder, atomic_write, atomic_write_json
from common.git import GIT_ENV, git_stdout, resolve_commit, run_git
from common.paths import is_test_module, is_test_path

__all__ = [
    "GIT_ENV",
    "UserError",
    "atomic_file",
    "atomic_folder",
    "atomic_write",
    "atomic_write_json",
    "git_stdout",
    "is_test_module",
    "is_test_path",
    "resolve_commit",
    "run_git",
]
