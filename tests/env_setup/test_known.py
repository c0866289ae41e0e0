"""Known-repository specs: data read from the harness's tables, versions read from a checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

from env_setup.known import describe_at, known_repos, log_parser, read_at, spec_for, version_at


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def _repo(tmp_path: Path, files: dict[str, str], *, tag: str | None = None) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    if tag:
        _git(root, "tag", tag)
    return root


def test_specs_cover_the_swebench_repositories_with_their_runners() -> None:
    assert {"django/django", "sympy/sympy", "psf/requests", "pytest-dev/pytest"} <= set(
        known_repos()
    )
    sympy = spec_for("sympy/sympy", "1.4")
    assert sympy is not None
    assert sympy.test_cmd is not None and "bin/test -C --verbose" in sympy.test_cmd
    assert sympy.log_parser == "parse_log_sympy"
    django = spec_for("django/django", "3.0")
    assert django is not None and django.test_cmd is not None
    assert django.test_cmd.startswith("./tests/runtests.py --verbosity 2")
    assert log_parser("Django/Django") == "parse_log_django"  # owner and name in any case


def test_unknown_repositories_and_versions_have_no_spec() -> None:
    assert spec_for("someone/else", "1.0") is None
    assert spec_for("sympy/sympy", "99.9") is None
    assert spec_for("sympy/sympy", None) is None
    assert version_at("someone/else", lambda _path: "__version__ = '1.0'") is None


def test_version_comes_from_the_version_file_cut_to_the_keys(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"sympy/release.py": '__version__ = "1.4.dev"\n'})
    assert version_at("sympy/sympy", read_at(root)) == "1.4"
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version_at("sympy/sympy", read_at(root, head)) == "1.4"


def test_a_version_tuple_is_read_as_numbers(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"django/__init__.py": "VERSION = (3, 0, 0, 'alpha', 0)\n"})
    assert version_at("django/django", read_at(root)) == "3.0"


def test_without_a_version_file_the_tag_decides_and_a_gap_takes_the_lower_key(
    tmp_path: Path,
) -> None:
    root = _repo(tmp_path, {"README": "x\n"}, tag="v0.6.3")
    described = describe_at(root)
    assert described == "0.6.3"
    # astropy's keys are releases; a version between two keys belongs to the lower one.
    assert version_at("astropy/astropy", read_at(root), describe="4.3.1") == "4.3"
    assert version_at("astropy/astropy", read_at(root), describe="4.2.9") == "4.2"
    assert version_at("pvlib/pvlib-python", read_at(root), describe=described) == "0.6"
