"""Datasets by Hugging Face name (``princeton-nlp/SWE-bench_Lite``), through ``datasets``.

The ``datasets`` library is an optional extra (it adds about 95 MB and 2.5 s of import to a
command that needs it): ``pip install 'swe-agent[datasets]'``. It keeps what it downloads in
its own cache (``~/.cache/huggingface/datasets``, or ``$HF_HOME``), which other tools of the
field (the official harness among them) share. Before the library is asked, the hub's host is
probed: when nothing answers, the dataset is read from that cache in offline mode at once
instead of after a minute of retries, and a dataset that was never downloaded is a clear
"no network" error.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from swe_agent.errors import BadInput

DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_SPLIT = "test"  # the official harness's default too
_NAME = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
_FILE_SUFFIXES = (".jsonl", ".json", ".parquet", ".gz", ".csv", ".arrow")
_PROBE_TIMEOUT_S = 3.0
_OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE")


class NoNetwork(BadInput):
    """The hub cannot be reached and the dataset is not in the cache."""

    title = "No network"


@dataclass(frozen=True)
class HubRows:
    """The rows of one split; ``offline`` says why they came from the cache, when they did."""

    rows: list[dict[str, Any]]
    offline: str = ""


def looks_like_name(source: str) -> bool:
    """``OWNER/NAME`` that is no file on disk: a Hugging Face dataset's name."""
    if Path(source).expanduser().exists() or source.startswith((".", "/", "~")):
        return False
    return bool(_NAME.fullmatch(source)) and not source.lower().endswith(_FILE_SUFFIXES)


def endpoint() -> str:
    """The hub the library talks to: ``$HF_ENDPOINT`` or huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def reachable(url: str, *, timeout: float = _PROBE_TIMEOUT_S) -> bool:
    """Does anything answer at ``url``'s host (or at the proxy that would carry it)?"""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = via.hostname or host, via.port or 80
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _user_offline() -> bool:
    return any(os.environ.get(v, "").upper() in ("1", "ON", "YES", "TRUE") for v in _OFFLINE_VARS)


@contextmanager
def _offline_mode(enabled: bool) -> Iterator[None]:
    """The library's offline mode: its variables before it is imported, its config after."""
    if not enabled:
        yield
        return
    saved = {name: os.environ.get(name) for name in _OFFLINE_VARS}
    os.environ.update(dict.fromkeys(_OFFLINE_VARS, "1"))
    configs = [sys.modules.get(m) for m in ("datasets.config", "huggingface_hub.constants")]
    before = [(c, getattr(c, "HF_HUB_OFFLINE", False)) for c in configs if c is not None]
    for config, _ in before:
        setattr(config, "HF_HUB_OFFLINE", True)  # noqa: B010 - a module's setting, not ours
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for config, setting in before:
            setattr(config, "HF_HUB_OFFLINE", setting)  # noqa: B010


def _datasets() -> Any:
    try:
        import datasets
    except ImportError:
        raise BadInput(
            "reading a dataset by its Hugging Face name needs the datasets package",
            hint="pip install 'swe-agent[datasets]', or pass a .jsonl, .json or .parquet file",
        ) from None
    datasets.logging.set_verbosity_error()
    return datasets


def load_hub_rows(name: str, *, split: str | None = None) -> HubRows:
    """The rows of ``name``'s ``split`` (default ``test``), downloaded once and then cached."""
    offline = "offline mode is set" if _user_offline() else ""
    if not offline and not reachable(endpoint()):
        offline = f"no network: nothing answers at {endpoint()}"
    with _offline_mode(bool(offline)):
        datasets = _datasets()
        try:
            table = datasets.load_dataset(name, split=split or DEFAULT_SPLIT)
        except ConnectionError as exc:
            raise _no_network(name, offline=offline, detail=str(exc)) from None
        except datasets.exceptions.DatasetNotFoundError as exc:
            if offline:
                raise _no_network(name, offline=offline, detail=str(exc)) from None
            raise _not_found(name) from None
        except (FileNotFoundError, ValueError) as exc:
            raise _bad_split(name, split=split or DEFAULT_SPLIT, detail=str(exc)) from None
    return HubRows([_plain(row) for row in table.to_list()], offline=offline)


def load_local_rows(folder: Path, *, split: str | None = None) -> list[dict[str, Any]]:
    """The rows of a dataset folder: one ``save_to_disk`` wrote, or a hub repository's files."""
    datasets = _datasets()
    chosen = split or DEFAULT_SPLIT
    try:
        if (folder / "dataset_dict.json").is_file():
            table = datasets.load_from_disk(str(folder))[chosen]
        elif (folder / "state.json").is_file():
            table = datasets.load_from_disk(str(folder))
        else:
            table = datasets.load_dataset(str(folder), split=chosen)
    except KeyError:
        raise BadInput(f"the dataset folder {folder} has no split {chosen!r}") from None
    except (FileNotFoundError, ValueError) as exc:
        raise BadInput(f"{folder} is not a readable dataset folder: {_first_line(exc)}") from None
    return [_plain(row) for row in table.to_list()]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Timestamps (created_at) as ISO text, so that an instance stays JSON."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}


def _first_line(exc: BaseException | str) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


def _no_network(name: str, *, offline: str, detail: str) -> BadInput:
    cause = offline or _first_line(detail)
    return NoNetwork(
        f"cannot download the dataset {name}: {cause}, and it is not in the cache",
        hint="run once where the Hugging Face Hub is reachable (the download is cached in "
        "~/.cache/huggingface/datasets, or $HF_HOME), point HF_ENDPOINT at a mirror, or pass "
        "a local .jsonl, .json or .parquet copy",
    )


def _not_found(name: str) -> BadInput:
    return BadInput(
        f"the Hugging Face Hub ({endpoint()}) has no dataset {name}, or none you may read",
        hint="check the name (e.g. princeton-nlp/SWE-bench_Lite, SWE-bench/SWE-bench_Verified); "
        "a gated dataset needs HF_TOKEN",
    )


def _bad_split(name: str, *, split: str, detail: str) -> BadInput:
    known = re.findall(r"'([^']+)'", detail.partition("Should be one of")[2])
    hint = f"use --split {' or --split '.join(known)}" if known else "check --split"
    return BadInput(f"the dataset {name} has no split {split!r}: {_first_line(detail)}", hint=hint)
