"""Choosing the Python version: requires-python, classifiers, the CI matrix and the commit date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from env_setup.model import Detection

# First release dates: a commit is most likely to work on the newest Python that existed then.
RELEASE_DATES = {
    "2.7": "2010-07-03",
    "3.4": "2014-03-16",
    "3.5": "2015-09-13",
    "3.6": "2016-12-23",
    "3.7": "2018-06-27",
    "3.8": "2019-10-14",
    "3.9": "2020-10-05",
    "3.10": "2021-10-04",
    "3.11": "2022-10-24",
    "3.12": "2023-10-02",
    "3.13": "2024-10-07",
    "3.14": "2025-10-07",
}


_EXACT = re.compile(r"^\s*[A-Za-z0-9][\w.\-]*(\[[^\]]*\])?\s*===?\s*[\w.+!]+\s*(;.*)?$")


@dataclass(frozen=True)
class PythonChoice:
    """The chosen version, the fallbacks in order, and the reasons."""

    version: str
    candidates: tuple[str, ...]
    reason: str


def _key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def era_python(commit_date: str | None) -> str | None:
    """The newest Python released before the commit date (None without a date)."""
    if not commit_date:
        return None
    day = commit_date[:10]
    released = [v for v, d in RELEASE_DATES.items() if d <= day and v != "2.7"]
    return max(released, key=_key) if released else "3.4"


def allowed_by(spec: str | None, versions: list[str]) -> list[str]:
    """The versions a requires-python specifier accepts (all of them when it is unreadable)."""
    if not spec:
        return list(versions)
    try:
        specifier = SpecifierSet(spec)
    except InvalidSpecifier:
        return list(versions)
    return [
        v
        for v in versions
        if specifier.contains(f"{v}.0", prereleases=True)
        or specifier.contains(f"{v}.99", prereleases=True)
    ]


# pip 26 brought --uploaded-prior-to and needs Python 3.9: an older interpreter gets a pip that
# cannot resolve as of a date, so it comes first only when a spec, requires-python or the
# commit's exact pins ask for it. Undated, Requires-Python alone bounds what it installs, and
# that runs years past an old commit: on 3.8, numpy 1.24 (no np.int), on 3.6, Cython 3.0, both
# of 2023, which astropy's February 2018 checkout fails with (346 collection errors on 3.8, a
# failed Cython build on 3.6, against 26 errors on 3.9 as of 2021-06-02). When the dating pip's
# interpreter fails, though, the next tried is the one nearest the commit's era, not a newer one.
DATED_PIP_FROM = (3, 9)
# Wheels for a new interpreter appear over months; resolving "as of" earlier than this after its
# release would send pip to source builds that fail, so the cutoff is never earlier.
WHEEL_LAG = timedelta(days=240)


def dating_pip(python: str) -> bool:
    """Whether the venv's pip on ``python`` has --uploaded-prior-to (repairs that date ask)."""
    return _key(python) >= DATED_PIP_FROM


def compiled_beyond_era(detection: Detection, python: str) -> bool:
    """Whether ``python`` would build the commit's compiled code with packages years past it.

    Its pip resolves no earlier than its release plus WHEEL_LAG, so a commit older than that
    builds its C and Cython sources against later headers and Cython (astropy's 2018 checkout:
    numpy 1.19+ on 3.9, not its 1.14). The harness itself gives such code its era's Python
    (astropy <= 1.3 and scikit-learn 0.20-0.22 on 3.6, matplotlib <= 2.2 on 3.5) and pure
    Python code 3.9 whatever its age (requests 0.7, sympy 0.7, sphinx 1.5).
    """
    released = RELEASE_DATES.get(python)
    era = era_python(detection.commit_date)
    if not (detection.compiles and released and era and detection.commit_date):
        return False
    floor = date.fromisoformat(released) + WHEEL_LAG
    return date.fromisoformat(detection.commit_date[:10]) < floor and _key(era) < _key(python)


def pinned_era(detection: Detection) -> str | None:
    """The era of the commit's exact pins (``name==X``): none of them is newer than the commit.

    A release pinned in 2016 runs on the Pythons out by then and the next one; an interpreter
    beyond that (pytest 2.8's assertion rewriting on 3.8, coverage 4.0's opcodes) fails on it,
    and a date cutoff cannot move an exact pin. None when nothing is pinned exactly or the
    commit has no date.
    """
    era = era_python(detection.commit_date)
    if era is None or not exact_pins(detection):
        return None
    return era


def exact_pins(detection: Detection) -> tuple[str, ...]:
    """The requirements of the repository that pin one exact version."""
    return tuple(
        r
        for r in (*detection.dependencies, *detection.test_requirements)
        if _EXACT.match(r) and "*" not in r
    )


def beyond_pins(version: str, era: str | None) -> bool:
    """True when ``version`` came out more than one release after the pins' era."""
    return era is not None and _key(version) > (_key(era)[0], _key(era)[1] + 1)


def choose_python(
    detection: Detection,
    available: list[str],
    *,
    forced: str | None = None,
    preferred: tuple[str, str] | None = None,
) -> PythonChoice:
    """Order the available versions by fit; the first is the choice, the rest are fallbacks.

    ``preferred`` is (version, who asks): a known spec's Python goes first when its image
    exists, else the available version nearest to it (the older on a tie); unless the
    commit's exact pins are of an era that Python is beyond, and an image of their era exists.
    """
    if forced:
        rest = [v for v in sorted(available, key=_key, reverse=True) if v != forced]
        return PythonChoice(forced, (forced, *rest), "asked for on the command line")
    generic = _generic_choice(detection, available)
    if preferred is None:
        return generic
    version, who = preferred
    nearest = sorted(available, key=lambda v: (abs(_key(v)[1] - _key(version)[1]), _key(v)))
    first = nearest[0] if nearest else version
    era = pinned_era(detection)
    if beyond_pins(first, era) and not beyond_pins(generic.version, era):
        reason = f"{who} asks for Python {version}, beyond its pins; {generic.reason}"
        rest = [v for v in generic.candidates if v not in (generic.version, first)]
        return PythonChoice(generic.version, (generic.version, first, *rest), reason)
    reason = f"{who} asks for Python {version}"
    if first != version:
        reason += f"; {first} is the nearest available"
    rest = [v for v in generic.candidates if v != first]
    return PythonChoice(first, (first, *rest), reason)


def _generic_choice(detection: Detection, available: list[str]) -> PythonChoice:
    """The choice by requires-python, the CI matrix and classifiers, and the commit's era."""
    allowed = allowed_by(detection.requires_python, available)
    reasons = []
    if detection.requires_python:
        reasons.append(f"requires-python {detection.requires_python} allows {allowed or 'none'}")
    pool = allowed or list(available)
    era = era_python(detection.commit_date)
    pins = pinned_era(detection)
    named = set(detection.ci_pythons) | set(detection.classifier_pythons)
    # Only when requires-python leaves nothing newer does an undatable pip come first.
    dating = min((v for v in pool if _key(v) >= DATED_PIP_FROM), key=_key, default=None)
    dated_pool = dating is not None
    # Compiled code of a commit older than the dating pip's window needs its era's packages,
    # which the dated index gives an older interpreter.
    era_first = dating is not None and compiled_beyond_era(detection, dating)

    def rank(version: str, *, fallback: bool = False) -> tuple[int, int, int, int, int, int]:
        in_ci = version in detection.ci_pythons
        in_classifiers = version in detection.classifier_pythons
        # Exact pins are not dated: an interpreter that runs them comes before a dating pip.
        beyond = beyond_pins(version, pins)
        undatable = (
            dated_pool
            and _key(version) < DATED_PIP_FROM
            and pins is None
            and not fallback
            and not era_first
        )
        too_new = bool(era) and _key(version) > _key(era or version)
        distance = abs(_key(version)[1] - _key(era)[1]) if era else 0
        # Newer first when nothing else separates: pip and wheels favour recent interpreters.
        return (
            beyond,
            undatable,
            -(2 * in_ci + in_classifiers),
            too_new,
            distance,
            -_key(version)[1],
        )

    first, *rest = sorted(pool, key=rank)
    # The fallbacks: the commit's era decides, dating or not (a 2018 commit: 3.6, 3.8, then 3.11).
    ordered = [first, *sorted(rest, key=lambda v: rank(v, fallback=True))]
    ordered += [v for v in sorted(available, key=_key, reverse=True) if v not in ordered]
    choice = ordered[0]
    if choice in named:
        reasons.append(f"{choice} is named by the CI matrix or classifiers")
    if era:
        reasons.append(
            f"the commit ({detection.commit_date[:10] if detection.commit_date else ''})"
            f" dates from the Python {era} era"
        )
    if era_first and _key(choice) < DATED_PIP_FROM:
        reasons.append("its compiled sources build against packages of its era (a dated index)")
    if pins:
        shown = ", ".join(exact_pins(detection)[:3])
        reasons.append(f"its exact pins ({shown}) run on Pythons up to the next one")
    if not allowed and detection.requires_python:
        reasons.append("no available image satisfies requires-python; using the closest")
    return PythonChoice(choice, tuple(ordered), "; ".join(reasons) or "newest available")
