"""The environment image of an instance, resolved once per repository and version per batch.

The first instance of a repository and version asks env_setup (a build, or a cache hit that
env_setup checks against the instance's test files); its record is kept in the batch's lock
folder, and the later instances of that repository and version use its image directly, as
SWE-bench's harness uses one environment per repository and version. The key also holds the
quarter of the commit date, as env_setup's date cutoff for dependencies does: two commits of one
version years apart would otherwise share numpy of the later one (pvlib 0.8 has such a pair).
An instance whose tests then fail to collect in a shared environment asks env_setup for its
own (``reuse=False``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from common import atomic_write, git_stdout
from swe_agent.bench.repos import locked


@dataclass(frozen=True)
class Environment:
    """What the evaluation needs of an environment record."""

    image: str
    python: str
    venv: str
    test_runner: str
    shared: bool = False  # taken from an earlier instance of the same repository and version
    install: str | None = None  # the project's own install, redone offline before the tests


class EnvironmentFailed(Exception):
    """env_setup could not give a working environment (the message says why)."""


def environment_key(instance: dict[str, Any], *, committed: str) -> str:
    """``OWNER+NAME@VERSION@YYYYQn``: instances with the same key share one environment."""
    year, month = committed[:4], int(committed[5:7] or 1)
    quarter = f"{year}Q{(month - 1) // 3 + 1}"
    return str(instance["repo"]).replace("/", "+") + f"@{instance.get('version') or ''}@{quarter}"


def _commit_date(root: Path, commit: str) -> str:
    return git_stdout("log", "-1", "--format=%cI", commit, cwd=root) or "0000-01"


def resolve_environment(
    instance: dict[str, Any], *, root: Path, commit: str, lock_dir: Path, reuse: bool = True
) -> Environment:
    """The environment of ``instance``: the batch's shared one, else env_setup's (then shared)."""
    key = environment_key(instance, committed=_commit_date(root, commit))
    shared = lock_dir / f"{key}.env.json"
    with locked(lock_dir / f"{key}.lock"):
        known = _usable(shared) if reuse else None
        if known is not None:
            return known
        kept = default_record_store() / f"{key}.json"
        data = _setup(
            root,
            commit,
            seeds=(shared, kept),
            tests=_test_files(instance),
            repo=instance.get("repo"),
            version=instance.get("version"),
        )
        if reuse or not shared.is_file():
            atomic_write(shared, json.dumps(data, indent=2))
        atomic_write(kept, json.dumps(data, indent=2))
    return _environment(data)


def add_skipped_modules(
    instance: dict[str, Any],
    env: Environment,
    modules: tuple[str, ...],
    *,
    root: Path,
    commit: str,
    lock_dir: Path,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Install into ``env``'s image the modules named tests were skipped for; (ready, notes).

    Under the key's lock: a second instance finds them imported already. Every record of this
    image (the batch's, the one kept across batches, the instance's env.json) gains the
    installs, so a later setup replays them with no re-discovery.
    """
    from env_setup import add_modules, read_local_record, record_from_json, write_record

    key = environment_key(instance, committed=_commit_date(root, commit))
    paths = (lock_dir / f"{key}.env.json", default_record_store() / f"{key}.json")
    with locked(lock_dir / f"{key}.lock"):
        records = {path: data for path in paths if (data := _record_of(path, env.image))}
        local = read_local_record(root)
        mine = local if local and local.get("success") and local.get("image") == env.image else None
        data = next(iter(records.values()), None) or mine
        if data is None:
            return (), (f"no record of {env.image} to amend",)
        amended = add_modules(root, record_from_json(data), modules, commit=commit)
        if amended.changed:
            text = json.dumps(amended.record.to_json(), indent=2)
            for path in records:
                atomic_write(path, text)
            write_record(root, amended.record)
    return amended.ready, amended.notes


def _record_of(path: Path, image: str) -> dict[str, Any] | None:
    """The record at ``path`` when it is the successful one of ``image``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    ok = isinstance(data, dict) and data.get("success") and data.get("image") == image
    return data if ok else None


def default_record_store() -> Path:
    """Env records kept across batches: $SWE_AGENT_CACHE/env-records (one per key)."""
    from swe_agent.bench.repos import default_cache_dir

    return default_cache_dir().with_name("env-records")


def _test_files(instance: dict[str, Any]) -> tuple[str, ...]:
    from swe_agent.bench.env_bench import named_test_files

    return named_test_files(instance)


def _usable(shared: Path) -> Environment | None:
    """The shared record's environment, when it worked and its image is still there."""
    try:
        data = json.loads(shared.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not data.get("success") or not data.get("image"):
        return None
    if not _image_exists(str(data["image"])):
        return None  # pruned meanwhile: env_setup rebuilds or replays it
    env = _environment(data)
    return replace(env, shared=True)


def _setup(
    root: Path,
    commit: str,
    *,
    seeds: tuple[Path, ...],
    tests: tuple[str, ...],
    repo: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Ask env_setup; the record as JSON, or EnvironmentFailed naming the failing step."""
    from env_setup import SetupOptions, read_local_record, record_path, setup_environment

    local = record_path(root)
    seed = next((path for path in seeds if path.is_file()), None)
    if seed is not None and read_local_record(root) is None:
        # An earlier record of this key: with it env_setup needs no container to read the
        # record out of the image, trusts the tree and tests it verified before, and replays
        # its commands when the image is gone. A record of another cache key it ignores.
        atomic_write(local, seed.read_text(encoding="utf-8"))
    # The named test files: env_setup checks that they collect (a build verifies only them).
    record = setup_environment(
        root,
        SetupOptions(commit=commit, tests=tests, repo=repo, version=version or None),
    )
    if not record.success or not record.image:
        raise EnvironmentFailed(_failure(record))
    data: dict[str, Any] = json.loads(local.read_text(encoding="utf-8"))
    return data


def _environment(data: dict[str, Any]) -> Environment:
    return Environment(
        image=str(data["image"]),
        python=str(data.get("python") or "3.11"),
        venv=str(data.get("venv") or "/opt/swe-venv"),
        test_runner=str(data.get("test_runner") or "pytest"),
        install=offline_install(_project_install(data)),
    )


def _project_install(data: dict[str, Any]) -> str | None:
    """The record's last successful install of the project itself (a repair's, when one redid
    it: ``--no-build-isolation`` added, or ``setup.py develop`` the way of its time)."""
    done = [
        c
        for c in data.get("commands") or ()
        if c.get("ok")
        and (
            c.get("kind") == "project"
            or (c.get("kind") == "repair" and _installs_project(str(c.get("command"))))
        )
    ]
    return str(done[-1]["command"]) if done else None


def _installs_project(command: str) -> bool:
    """A repair that installed the project: pip on one line (not a script that rewrites
    requirement files around it), or setup.py develop."""
    one_line = "\n" not in command and bool(_EDITABLE_SELF.search(command))
    return one_line or bool(_LEGACY_DEVELOP.search(command))


# pip's editable install of the workspace (-e ., -e '.[test]'); setup.py develop's last line.
_EDITABLE_SELF = re.compile(r" pip install .*\s-e '?\.(?:\[[^\]]*\])?'?(?:\s|$)")
_LEGACY_DEVELOP = re.compile(r"(\S+/python) setup\.py develop --no-deps\s*$")


def offline_install(command: str | None) -> str | None:
    """An editable pip install of the project, made to run with no network: the harness's
    evaluation installs the project again before its tests (a fresh workspace lacks what the
    install generated in it: setuptools_scm's version file, compiled extensions).

    Dependencies are left as the image has them. The build is isolated or not as it was at
    set-up: an isolated one takes its requirements from the tooling folder pip.conf names
    (set-up keeps them there), one without isolation those of the venv. A build requirement
    that is in neither fails the install with a note, leaving the image's install in place.
    The date cutoff, which needs the index, goes. None for anything but an editable install.
    """
    legacy = _LEGACY_DEVELOP.search(command or "")
    if legacy:  # its requirements are in the image; the build is setup.py's own
        return f"{legacy[1]} setup.py -q develop --no-deps"
    if command is None or " pip install " not in command or " -e " not in command:
        return None
    words = [w for w in command.split(" ") if w and not w.startswith("--uploaded-prior-to")]
    flags = [f for f in ("--no-deps", "--no-index") if f not in words]
    return " ".join([*words, *flags, "--disable-pip-version-check", "-q"])


def _image_exists(tag: str) -> bool:
    import docker

    client = docker.from_env(timeout=60)
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    finally:
        client.close()
    return True


def _failure(record: Any) -> str:
    """The failing set-up command and the end of its output (for env_setup's owner), or the
    verification when the set-up's last command worked (a repair or the next Python redid the
    one that failed: astropy-14508's build failed on 3.11 until the compiler came, then its
    tests did not collect, and the build's failure was reported)."""
    steps = [c for c in record.commands if not c.optional]
    if steps and not steps[-1].ok:
        last = steps[-1]
        return f"`{last.command}` exited {last.exit_code}: {last.output_tail[-600:]}"
    tail = record.verify.output_tail[-600:] if record.verify else ""
    return f"verification failed (python {record.python}): {tail}"
