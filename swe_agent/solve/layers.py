"""Run options from layered sources, each value with where it came from.

In order, each later source over the earlier: the built-in defaults, ``SWE_AGENT_MODEL`` (the
default model), the user file (``$XDG_CONFIG_HOME/swe-agent/config.yaml``, else
``~/.config/swe-agent/config.yaml``), the project file (``.swe-agent/config.yaml`` in the
repository: untrusted, see trust.py), ``-C FILE``, the flags given, then ``-c key.path=value``.
``solve`` and ``bench run`` read the same sources; ``config show`` prints the result. Files are
read with ``yaml.safe_load`` and every source is validated on its own before anything runs, so
an error names its file and key (or its flag).
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from swe_agent.errors import BadInput
from swe_agent.solve.options import SolveOptions
from swe_agent.solve.trust import judge_project_value

PER_RUN = ("repo", "issue", "issue_url", "commit")
"""Options each run is given (flags, or the instance of a batch), never by a config source."""
MODEL_ENV = "SWE_AGENT_MODEL"
PROJECT_FILE = Path(".swe-agent") / "config.yaml"


class Layer(StrEnum):
    """The kinds of source, lowest first."""

    DEFAULT = "default"
    ENV = "env"
    USER = "user"
    PROJECT = "project"
    FILE = "file"
    FLAG = "flag"
    OVERRIDE = "override"


FILE_LABELS = {Layer.USER: "user file", Layer.PROJECT: "project file", Layer.FILE: "-C file"}
FILE_LAYERS = tuple(FILE_LABELS)


@dataclass(frozen=True)
class Source:
    """Values from one place: a file, a flag, one ``-c``, the environment or the defaults."""

    layer: Layer
    where: str  # the file's path, the flag, "-c key=value", the variable, "default"
    values: Mapping[str, Any]  # dotted key -> value

    def names(self, key: str) -> str:
        """``FILE:key`` for a file, ``--flag (key)`` for a flag, else where it was given."""
        if self.layer in FILE_LAYERS:
            return f"{self.where}:{key}"
        return f"{self.where} ({key})" if self.layer == Layer.FLAG else self.where


@dataclass(frozen=True)
class Setting:
    """One effective value and its source."""

    value: Any
    layer: Layer
    where: str


@dataclass(frozen=True)
class Ignored:
    """A project file's value that was not taken, and why."""

    key: str
    value: Any
    where: str
    reason: str


@dataclass(frozen=True)
class ConfigFile:
    """A configuration file that was looked for."""

    layer: Layer
    path: Path
    found: bool


@dataclass(frozen=True)
class Effective:
    """The merged options: each dotted key's value and source, and what was ignored."""

    settings: Mapping[str, Setting]
    ignored: tuple[Ignored, ...] = ()
    files: tuple[ConfigFile, ...] = ()

    def values(self) -> dict[str, Any]:
        """The options as SolveOptions takes them (sections nested)."""
        return nest({key: setting.value for key, setting in self.settings.items()})

    def notes(self) -> list[str]:
        """What the user should hear at start: each ignored project value."""
        return [f"ignored {item.where}:{item.key}: {item.reason}" for item in self.ignored]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``config show --json`` prints."""
        return {
            "files": [
                {"layer": f.layer, "path": str(f.path), "found": f.found} for f in self.files
            ],
            "options": {
                key: {"value": _plain(s.value), "layer": s.layer, "from": s.where}
                for key, s in self.settings.items()
            },
            "ignored": [
                {"key": i.key, "value": _plain(i.value), "from": i.where, "reason": i.reason}
                for i in self.ignored
            ],
        }


def user_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user file: ``$XDG_CONFIG_HOME/swe-agent/config.yaml``, else under ``~/.config``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "swe-agent" / "config.yaml"


def gather(
    *,
    project: Path | None,
    config_file: Path | None = None,
    flags: Sequence[Source] = (),
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> Effective:
    """Every source in order, validated and merged. ``project`` is the folder whose
    ``.swe-agent/config.yaml`` is the project file (None reads none)."""
    env = os.environ if environ is None else environ
    sources = [default_source()]
    if env.get(MODEL_ENV, "").strip():
        sources.append(Source(Layer.ENV, MODEL_ENV, {"model": env[MODEL_ENV].strip()}))
    files = [ConfigFile(Layer.USER, user_config_path(env), False)]
    if project is not None:
        files.append(ConfigFile(Layer.PROJECT, project / PROJECT_FILE, False))
    if config_file is not None:
        files.append(ConfigFile(Layer.FILE, config_file, False))
    found = []
    for entry in files:
        source = file_source(entry.layer, entry.path)
        found.append(ConfigFile(entry.layer, entry.path, source is not None))
        sources += [source] if source is not None else []
    sources += [*flags, *override_sources(overrides)]
    return resolve(sources, files=tuple(found))


def resolve(sources: Sequence[Source], *, files: tuple[ConfigFile, ...] = ()) -> Effective:
    """Merge ``sources`` (lowest first); a project file's values pass trust.py's rules."""
    settings: dict[str, Setting] = {}
    ignored: list[Ignored] = []
    for source in sources:
        for key, value in check_source(source).items():
            if source.layer == Layer.PROJECT:
                current = settings[key].value if key in settings else None
                verdict = judge_project_value(key, value, current)
                if not verdict.allowed:
                    ignored.append(Ignored(key, value, source.where, verdict.reason))
                    continue
            settings[key] = Setting(value, source.layer, source.where)
    return Effective(settings, tuple(ignored), files)


def default_source() -> Source:
    """The built-in defaults of every option."""
    return Source(Layer.DEFAULT, "default", _defaults())


@functools.cache
def _defaults() -> dict[str, Any]:
    options = SolveOptions(repo=Path("."), issue="-")
    return {k: v for k, v in flatten(options.model_dump()).items() if k not in PER_RUN}


def known_keys() -> list[str]:
    """Every dotted key a config source may set."""
    return list(_defaults())


def file_source(layer: Layer, path: Path) -> Source | None:
    """The values of a YAML file; None when a user or project file does not exist."""
    if layer != Layer.FILE and not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInput(f"cannot read the config file {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path} is not valid YAML: {exc}", hint=f"fix or remove {path}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadInput(
            f"{path} must hold a mapping of option names to values",
            hint="e.g. `iterations: 20`; see `swe-agent config show`",
        )
    return Source(layer, str(path), flatten(data))


def override_sources(items: Sequence[str]) -> list[Source]:
    """One source per ``-c key.path=value``; values are read as YAML (``3``, ``true``, ``[1]``)."""
    sources = []
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(
                f"override {item!r} is not key.path=value", hint="e.g. -c agent.max_format_errors=5"
            )
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw  # an unquoted string with a colon in it: the text as given
        values = flatten({key.strip(): value}) if isinstance(value, dict) else {key.strip(): value}
        sources.append(Source(Layer.OVERRIDE, f"-c {item}", values))
    return sources


def flag_sources(flags: Mapping[str, tuple[str, Any]]) -> list[Source]:
    """One source per flag given: ``{"--iterations": ("iterations", 5)}``."""
    return [Source(Layer.FLAG, flag, {key: value}) for flag, (key, value) in flags.items()]


def check_source(source: Source) -> dict[str, Any]:
    """The source's values, validated on their own; an error names the source and key."""
    known = _defaults()
    for key in source.values:
        if key in PER_RUN:
            raise BadInput(
                f"{source.names(key)}: {key} is given per run, not by configuration",
                hint="pass it as a flag of the run (e.g. --commit)",
            )
        if key not in known and not any(k.startswith(key + ".") for k in known):
            close = difflib.get_close_matches(key, known, n=1)
            guess = f" (did you mean {close[0]}?)" if close else ""
            raise BadInput(
                f"{source.names(key)}: unknown option {key}{guess}",
                hint="`swe-agent config show` lists every option",
            )
    try:
        checked = SolveOptions.model_validate({"repo": ".", "issue": "-", **nest(source.values)})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(part) for part in err["loc"])
        raise BadInput(
            f"{source.names(key)}: {err['msg']}",
            hint="`swe-agent config show` lists every option and its value",
        ) from None
    dumped = flatten(checked.model_dump())
    return {key: dumped.get(key, value) for key, value in flatten(nest(source.values)).items()}


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"agent": {"rewrite": False}}`` -> ``{"agent.rewrite": False}``; lists stay whole."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, prefix=name + "."))
        else:
            flat[name] = value
    return flat


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``flatten``."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        target = nested
        *parents, leaf = key.split(".")
        for part in parents:
            child = target.get(part)
            target = target.setdefault(part, {}) if isinstance(child, dict | None) else {}
        target[leaf] = value
    return nested


def _plain(value: Any) -> Any:
    """A value as JSON shows it (enums as their strings, paths as text)."""
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    return value
