"""The env.json record: what was installed, how, what it resolved to, and whether it verified."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from common import atomic_write, run_git
from env_setup.errors import NoRecord

RECORD_VERSION = 1


@dataclass(frozen=True)
class CommandResult:
    """One command run during the setup, and how it went."""

    command: str
    why: str
    kind: str
    exit_code: int | None
    seconds: float
    ok: bool
    optional: bool = False
    output_tail: str = ""  # the end of stdout + stderr, where pip and pytest put their errors
    python: str = ""  # the Python of the attempt it belongs to (a failed attempt stays logged)
    source: str = "generic"  # what decided the step: generic rules, a known spec, a repair rule


@dataclass(frozen=True)
class Verification:
    """The checks that say the environment works."""

    ok: bool
    imports: dict[str, str | None] = field(default_factory=dict)  # package -> error or None
    collect_command: str = ""
    collected: int = 0
    collection_errors: int = 0
    no_tests: bool = False
    output_tail: str = ""
    missing_imports: int | None = None  # pyright's reportMissingImports count, when asked for
    # Test files whose collection stops on the repository's own warning, made an error by its
    # own settings (no install can change that): collected without them (see verify.py).
    own_warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnvRecord:
    """Everything a later run (or person) needs to reuse or rebuild the environment."""

    success: bool
    python: str
    base_image: str
    image: str | None  # the cached image with the environment installed
    cache_key: str
    cache_hit: bool
    test_command: str
    test_runner: str
    venv: str
    commands: tuple[CommandResult, ...]
    resolved: dict[str, str]  # distribution -> version, from `pip freeze`
    verify: Verification | None
    timings: dict[str, float]
    python_reason: str = ""
    uploaded_prior_to: str | None = None
    commit: str | None = None
    notes: tuple[str, ...] = ()
    created_at: str = ""
    version: int = RECORD_VERSION
    # Fingerprints (tree + test targets) whose verification passed in this image: a later
    # setup asking for the same ones trusts them instead of collecting again.
    verified: tuple[str, ...] = ()
    known_spec: str | None = None  # "OWNER/NAME VERSION" of the known spec the plan started from
    tooling: str = ""  # the build tooling's era: "isolated" or "dated"
    own_test_command: str | None = None  # the repository's own runner (sympy's bin/test)
    # What dated the packages: "pip --uploaded-prior-to", "pypi-timemachine index" (Python < 3.9,
    # whose pip cannot date, as of dated_index), or "" (the latest releases).
    dated_by: str = ""
    dated_index: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @property
    def replay_commands(self) -> list[str]:
        """The commands that succeeded, in order: running them rebuilds the environment."""
        return [c.command for c in self.commands if c.ok and c.python in ("", self.python)]


def record_path(repo: Path) -> Path:
    """Where a repository's env.json lives."""
    return repo / ".swe-agent" / "env.json"


def write_record(repo: Path, record: EnvRecord) -> Path:
    """Write env.json atomically (a temporary file renamed over the old one)."""
    path = record_path(repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        # everything but the project file (.swe-agent/config.yaml), the user's to commit
        ignore.write_text("*\n!config.yaml\n", encoding="utf-8")
    atomic_write(path, json.dumps(record.to_json(), indent=2) + "\n")
    return path


def record_from_json(data: dict[str, Any]) -> EnvRecord:
    """Rebuild an EnvRecord from its JSON form."""
    verify = data.get("verify")
    fields = dict(data)
    fields["commands"] = tuple(_known(CommandResult, c) for c in data.get("commands") or [])
    if isinstance(verify, dict):
        verify = {**verify, "own_warnings": tuple(verify.get("own_warnings") or ())}
    fields["verify"] = _known(Verification, verify) if isinstance(verify, dict) else None
    fields["notes"] = tuple(data.get("notes") or ())
    fields["verified"] = tuple(data.get("verified") or ())
    known = EnvRecord.__dataclass_fields__
    return EnvRecord(**{k: v for k, v in fields.items() if k in known})


def _known(cls: Any, data: dict[str, Any]) -> Any:
    """`cls(**data)` keeping only the fields `cls` has (records from other versions load)."""
    return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def committed(repo: Path, relative: str) -> bool:
    """Whether git tracks something at ``relative`` in ``repo``: then it came with the
    repository (anyone's content), not from this tool, which git-ignores what it writes."""
    done = run_git("ls-files", "-z", "--", relative, cwd=repo)
    return done.returncode == 0 and bool(done.stdout)


def read_local_record(repo: Path) -> dict[str, Any] | None:
    """The JSON object of the env.json this tool wrote in ``repo``; None when there is none,
    it does not parse, or git tracks it (a committed env.json is the repository's, ignored)."""
    path = record_path(repo)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or committed(repo, str(path.relative_to(repo))):
        return None
    return data


def load_record(repo: Path) -> EnvRecord:
    """Read a repository's env.json, or NoRecord naming the command that makes one."""
    path = record_path(repo)
    if not path.is_file():
        raise NoRecord(
            f"no environment has been set up for {repo}",
            hint=f"run `swe-agent env setup {repo}` first",
        )
    if committed(repo, str(path.relative_to(repo))):
        raise NoRecord(
            f"{path} is committed to the repository: it is not a record of this tool",
            hint=f"run `swe-agent env setup {repo}` to make one (the committed file is ignored)",
        )
    try:
        return record_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError) as exc:
        raise NoRecord(
            f"{path} is not a readable env.json ({exc})",
            hint=f"run `swe-agent env setup {repo}` again to rewrite it",
        ) from None
