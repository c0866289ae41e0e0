"""Compiled code of an old commit: the Python of its era, whose packages a dated index gives."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from env_setup import Detection, choose_python, spec_for
from env_setup.detect import has_compiled_sources
from env_setup.prior import prior_of, unfit_guess
from env_setup.pyversion import compiled_beyond_era

IMAGES = ["3.6", "3.8", "3.9", "3.11"]


@pytest.mark.parametrize(
    ("day", "compiles", "candidates"),
    [
        # astropy-7166 and -8872's dates: 3.9's pip dates no earlier than 2021-06-02.
        ("2018-02-07", True, ("3.6", "3.8", "3.9", "3.11")),
        ("2019-06-19", True, ("3.6", "3.8", "3.9", "3.11")),
        # Pure Python of the same dates keeps the dating pip first (the harness: 3.9 for all).
        ("2018-02-07", False, ("3.9", "3.6", "3.8", "3.11")),
        # Within 3.9's window, compiled or not: nothing moves.
        ("2022-03-31", True, ("3.9", "3.8", "3.6", "3.11")),
    ],
)
def test_compiled_code_of_an_old_commit_gets_its_era_python_first(
    day: str, compiles: bool, candidates: tuple[str, ...]
) -> None:
    detection = Detection(commit_date=day, compiles=compiles, requires_python=">=3.5")
    choice = choose_python(detection, IMAGES)
    assert choice.candidates == candidates
    assert ("compiled sources" in choice.reason) == (candidates[0] == "3.6")


def test_compiled_beyond_era_needs_a_date_and_an_older_era() -> None:
    old = Detection(commit_date="2018-02-07", compiles=True)
    assert compiled_beyond_era(old, "3.9") and compiled_beyond_era(old, "3.8")
    assert not compiled_beyond_era(old, "3.6")  # the era's own Python
    assert not compiled_beyond_era(replace(old, compiles=False), "3.9")
    assert not compiled_beyond_era(replace(old, commit_date=None), "3.9")


def test_a_guessed_spec_of_a_later_python_is_not_used_for_old_compiled_code() -> None:
    spec = spec_for("astropy/astropy", "3.1")  # Python 3.9; the harness's key here is 1.3
    assert spec is not None and spec.python == "3.9"
    guessed = replace(prior_of(spec), guessed=True)
    old = Detection(commit_date="2018-02-07", compiles=True)
    reason = unfit_guess(guessed, old)
    assert reason is not None and "astropy/astropy 3.1" in reason and "not used" in reason
    assert unfit_guess(prior_of(spec), old) is None  # a dataset's version is the harness's
    assert unfit_guess(guessed, replace(old, compiles=False)) is None
    assert unfit_guess(guessed, replace(old, commit_date="2022-03-31")) is None
    assert unfit_guess(None, old) is None


def test_compiled_sources_are_found_outside_docs_and_tests(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "example.c").write_text("int main(void) { return 0; }\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "helper.pyx").write_text("")
    assert not has_compiled_sources(tmp_path)
    (tmp_path / "pkg" / "_speedups.pyx").write_text("")
    assert has_compiled_sources(tmp_path)
