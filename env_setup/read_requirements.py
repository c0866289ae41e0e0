"""Readers for requirements files (following -r and -c) and conda environment files."""

from __future__ import annotations

import re
from pathlib import Path

from env_setup.facts import Facts, add_unique
from env_setup.model import Packaging, TestRunner

_TEST_WORDS = re.compile(r"(^|[-_./])(test|tests|testing|ci)([-_.]|$)")
_DEV_WORDS = re.compile(r"(^|[-_./])(dev|develop|development)([-_.]|$)")
_SKIP_WORDS = re.compile(
    r"(^|[-_./])(doc|docs|lint|typing|mypy|bench|benchmarks?|release)([-_.]|$)"
)
_NESTED = re.compile(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)")

# conda package names whose PyPI distribution is spelled differently.
CONDA_TO_PIP = {
    "pytorch": "torch",
    "py-opencv": "opencv-python",
    "opencv": "opencv-python",
    "matplotlib-base": "matplotlib",
    "pytables": "tables",
    "pyqt": "PyQt5",
    "tensorflow-gpu": "tensorflow",
    "cudatoolkit": "",
    "libopencv": "opencv-python",
    "msgpack-python": "msgpack",
    "python-graphviz": "graphviz",
    "pillow-simd": "Pillow",
}
# conda packages that are not Python distributions (compilers, system libraries, tools).
_CONDA_SKIP = re.compile(
    r"^(python|pip|setuptools|wheel|compilers|c-compiler|cxx-compiler|fortran-compiler|"
    r"make|cmake|ninja|nodejs|git|mkl.*|blas|openblas|libblas|liblapack|cuda.*|r-.*|lib.*|"
    r"gcc.*|gxx.*|clang.*|openssl|zlib|hdf5|gdal|proj|geos|ffmpeg|pkg-config|_.*)$"
)


def find_requirement_files(root: Path) -> list[Path]:
    """Requirements files near the root: requirements*.txt, *-requirements.txt, requirements/."""
    found: list[Path] = []
    for pattern in (
        "requirements*.txt",
        "*-requirements.txt",
        "*_requirements.txt",
        "requirements/*.txt",
        "requirements/*.in",
        "reqs/*.txt",
    ):
        for path in sorted(root.glob(pattern)):
            if path.is_file() and path not in found:
                found.append(path)
    return found


def read_requirement_files(root: Path, facts: Facts) -> None:
    """Choose which requirements files to install and read them (and what they include)."""
    files = find_requirement_files(root)
    if not files:
        return
    facts.add_packaging(Packaging.REQUIREMENTS)
    runtime = [f for f in files if _kind(f, root) == "runtime"]
    tests = [f for f in files if _kind(f, root) == "test"]
    dev = [f for f in files if _kind(f, root) == "dev"]
    # Dev files often pull lint and docs tools too; they stand in only when no test file exists.
    chosen = runtime[:1] + (tests or dev)
    included: set[Path] = set()
    for path in chosen:
        # The files are installed as they are; what they list matters for votes and the record.
        read = _read_one(path, root, facts, included, depth=0)
        add_unique(facts.dependencies, read)
        add_unique(facts.file_requirements, read)
    for path in chosen:
        if path not in included:
            add_unique(facts.requirement_files, [path.relative_to(root).as_posix()])


def _kind(path: Path, root: Path) -> str:
    name = path.relative_to(root).as_posix().lower().removesuffix(".txt").removesuffix(".in")
    if _SKIP_WORDS.search(name):
        return "skip"
    if _TEST_WORDS.search(name):
        return "test"
    if _DEV_WORDS.search(name):
        return "dev"
    if name in (
        "requirements",
        "requirements/base",
        "requirements/main",
        "requirements/prod",
        "requirements/requirements",
        "requirements/runtime",
        "requirements/install",
    ):
        return "runtime"
    return "skip"


def _read_one(path: Path, root: Path, facts: Facts, seen: set[Path], *, depth: int) -> list[str]:
    """Requirement lines of one file, following -r (requirements) and -c (constraints)."""
    add_unique(facts.dependency_files, [path.relative_to(root).as_posix()])
    reqs: list[str] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        nested = _NESTED.match(line)
        if nested:
            target = (path.parent / nested[2]).resolve()
            if depth < 5 and target.is_file() and target.is_relative_to(root.resolve()):
                seen.add(target)
                sub = _read_one(target, root.resolve(), facts, seen, depth=depth + 1)
                if nested[1] in ("-c", "--constraint"):
                    add_unique(
                        facts.constraint_files, [target.relative_to(root.resolve()).as_posix()]
                    )
                else:
                    reqs.extend(sub)
            continue
        if line.startswith(("-e .", "--editable .", ".")):
            extras = line.partition("[")[2].partition("]")[0]
            add_unique(facts.mentioned_extras, [e.strip() for e in extras.split(",") if e.strip()])
            continue
        if line.startswith("-"):
            continue
        reqs.append(line)
        if line.lower().startswith(("pytest", "nose")):
            runner = TestRunner.NOSE if line.lower().startswith("nose") else TestRunner.PYTEST
            facts.vote(runner, f"{line.split()[0]} in {path.name}")
    return reqs


def read_conda_env(path: Path, facts: Facts) -> None:
    """Take in environment.yml: conda names mapped to pip, `pip:` entries verbatim."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8", errors="replace")) or {}
    except yaml.YAMLError as exc:
        facts.notes.append(f"{path.name}: not valid YAML ({exc.__class__.__name__})")
        return
    facts.add_packaging(Packaging.CONDA)
    add_unique(facts.dependency_files, [path.name])
    for item in data.get("dependencies") or []:
        if isinstance(item, dict):
            add_unique(facts.dependencies, [str(r) for r in item.get("pip") or []])
        elif isinstance(item, str):
            _take_conda_spec(item, facts)


def _take_conda_spec(spec: str, facts: Facts) -> None:
    spec = spec.split("::", 1)[-1].strip()
    match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    if not match:
        return
    name, version = match[1].lower(), match[2].strip()
    if name == "python":
        number = re.match(r"[=<>]*\s*(\d+\.\d+)", version)
        if number:
            facts.requires_python.append((f"=={number[1]}.*", "environment.yml"))
        return
    if _CONDA_SKIP.match(name):
        return
    pip_name = CONDA_TO_PIP.get(name, name)
    if not pip_name:
        return
    add_unique(facts.dependencies, [pip_name + _conda_version(version)])


def _conda_version(version: str) -> str:
    """conda's `=1.2` means `1.2.*` (a trailing `=build` is dropped); comparisons carry over."""
    version = version.replace(" ", "")
    if not version:
        return ""
    if version[0] in "<>!~" or version.startswith("=="):
        return version
    number = version.lstrip("=").split("=", 1)[0].removesuffix(".*").removesuffix("*")
    return f"=={number}.*" if number else ""
