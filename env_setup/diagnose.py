"""Reading failure output: what went wrong, in terms the repair rules act on."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from enum import StrEnum

from env_setup.facts import PYTEST_OPTION_PLUGINS

# Import names whose distribution on PyPI is spelled differently.
IMPORT_TO_DIST = {
    "yaml": "PyYAML",
    "cv2": "opencv-python",
    "sklearn": "scikit-learn",
    "PIL": "Pillow",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "PyJWT",
    "Crypto": "pycryptodome",
    "OpenSSL": "pyOpenSSL",
    "git": "GitPython",
    "magic": "python-magic",
    "serial": "pyserial",
    "usb": "pyusb",
    "attr": "attrs",
    "google.protobuf": "protobuf",
    "pkg_resources": "setuptools",
    "setuptools_scm": "setuptools-scm",
    "skimage": "scikit-image",
    "Levenshtein": "python-Levenshtein",
    "MySQLdb": "mysqlclient",
    "psycopg2": "psycopg2-binary",
    "lxml": "lxml",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "fitz": "PyMuPDF",
    "zmq": "pyzmq",
    "gi": "PyGObject",
    "wx": "wxPython",
    "ruamel": "ruamel.yaml",
    "mpl_toolkits": "matplotlib",
    "typing_extensions": "typing-extensions",
    "importlib_metadata": "importlib-metadata",
    "nose2": "nose2",
    "hypothesis": "hypothesis",
    "mock": "mock",
    "toml": "toml",
    "tomli": "tomli",
    "_pytest": "pytest",
}
# Standard-library modules that left in Python 3.12/3.13; an old project importing them needs an
# older interpreter rather than a package.
_REMOVED_STDLIB = {"distutils", "imp", "asynchat", "asyncore", "smtpd", "cgi", "cgitb", "telnetlib"}

_MISSING_MODULE = re.compile(r"(?:ModuleNotFoundError|ImportError): No module named '?([\w.]+)'?")
_CANNOT_IMPORT = re.compile(r"ImportError: cannot import name '?(\w+)'? from '?([\w.]+)'?")
_NO_VERSION = re.compile(
    r"Could not find a version that satisfies the requirement ([\w.\-\[\],]+)\s*"
    r"(?:==|===)\s*([\w.+!\-*]+)\s*(?:\(from versions: ([^)]*)\))?",
)
_NO_DIST = re.compile(
    r"No matching distribution found for ([A-Za-z0-9][\w.\-]*)(?:\[[^\]]*\])?\s*$", re.MULTILINE
)
_DEPENDS_ON = re.compile(r"^\s+([A-Za-z0-9][\w.\-]*) [\w.+!]+ depends on ", re.MULTILINE)
_BUILD_FAILED = re.compile(
    r"Failed building wheel for|Failed to build|did not run successfully"
    r"|subprocess-exited-with-error"
)
_BUILD_NAME = re.compile(r"(?:Failed building wheel for|Failed to build) ([\w.\-]+)")
_COLLECTING = re.compile(r"Collecting ([\w.\-]+)(?:\[[^\]]*\])?\s*==\s*([\w.+!]+)")
_WRONG_PYTHON = re.compile(
    r"requires a different Python|Requires-Python"
    r"|SyntaxError: (?:Missing parentheses|invalid syntax)"
    r"|is not a supported wheel on this platform|ignored the following versions that require a "
    r"different python version",
    re.IGNORECASE,
)
_NO_COMPILER = re.compile(
    r"command '[\w./-]*(?:gcc|cc|g\+\+|c\+\+)' failed|unable to execute '[\w./-]*gcc'"
    r"|Python\.h: No such file or directory|(?:gcc|cc|g\+\+): (?:command )?not found"
    r"|C compiler cannot create executables|Unknown compiler\(s\)"
    r"|No CMAKE_C_COMPILER could be found|could not find a C compiler|error: linker `cc` not found"
    r"|The C compiler used to compile Python",  # astropy_helpers' check before it builds
    re.IGNORECASE,
)
_UNKNOWN_OPTION = re.compile(r"error: unrecognized arguments: (\S+)")
# A build's own advice, e.g. astropy's ah_bootstrap when its astropy_helpers submodule is absent.
_BUILD_ADVICE = re.compile(r"pip install (?:-U |--upgrade )?['\"`]?([A-Za-z][\w.\-]*)['\"`]?")
# A setup.py that imports its project, which checks a dependency first (astropy of 2018:
# "Numpy version 1.10.0 or later must be installed to use Astropy").
_BUILD_REQUIRES = re.compile(r"\b([A-Za-z][\w.\-]*) (?:version \S+ or later )?must be installed")
# A traceback frame inside an installed package: site-packages/NAME/... or site-packages/NAME.py
_SITE_FRAME = re.compile(r'site-packages/(\w+)(?:/|\.py)[^\n]*", line \d+')
# Frames of the loaders that import plugins by entry point, not of a package at fault.
_LOADERS = frozenset({"pkg_resources", "importlib_metadata"})
# Errors an installed package raises on an interpreter newer than its release knew (pytest 2.8's
# assertion rewriting fails its own self-check on Python 3.8+ as an INTERNALERROR).
_STALE_ERROR = re.compile(
    r"^(?:E\s+|INTERNALERROR>\s+)?(?:KeyError|AttributeError|SyntaxError|TypeError|NameError)\b"
    r"|^INTERNALERROR>\s+AssertionError\b"
    r"|cannot import name '?\w+'? from '?(?:collections|typing|inspect|asyncio|dis)\b",
    re.MULTILINE,
)
# Python 2's standard-library modules: one missing inside an installed package dates that package.
_PY2_STDLIB = frozenset(
    {"UserDict", "StringIO", "cStringIO", "ConfigParser", "Queue", "urllib2", "urlparse",
     "HTMLParser", "httplib", "cPickle", "__builtin__", "commands", "exceptions", "new"}
)  # fmt: skip


class Problem(StrEnum):
    """The kinds of failure the rules know how to repair."""

    MISSING_MODULE = "missing-module"
    MISSING_PLUGIN = "missing-plugin"
    NO_SUCH_VERSION = "no-such-version"
    BUILD_FAILED = "build-failed"
    API_DRIFT = "api-drift"
    NO_EDITABLE_HOOK = "no-editable-hook"
    NEEDS_COMPILER = "needs-compiler"
    NO_DISTRIBUTION = "no-distribution"
    CONFLICT = "conflict"
    OLD_PYTEST = "old-pytest"
    PLUGIN_ERA = "plugin-era"  # collection failed inside a pytest plugin of another era
    STALE_PACKAGE = "stale-package"  # an installed package too old for this interpreter
    BUILD_NEEDS = "build-needs"  # the build says which package to install
    WRONG_PYTHON = "wrong-python"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Diagnosis:
    """One reading of a failure's output."""

    problem: Problem
    name: str = ""  # module, distribution or plugin concerned
    version: str = ""  # the version asked for, when a pin failed
    available: tuple[str, ...] = ()  # versions pip listed as existing
    detail: str = ""
    during_build: bool = False  # the failure happened while pip built a package


def diagnose(output: str) -> Diagnosis:
    """The most actionable problem named in a command's output (pip, pytest, python)."""
    for reader in (_index_problem, _plugin_problem, _build_or_import_problem, _runtime_problem):
        found = reader(output)
        if found is not None:
            return found
    return Diagnosis(Problem.UNKNOWN, detail=output.strip()[-300:])


def _index_problem(output: str) -> Diagnosis | None:
    """What pip could not find on the index, or could not install as asked."""
    pin = _NO_VERSION.search(output)
    if pin:
        versions = tuple(v.strip() for v in (pin[3] or "").split(",") if v.strip() and v != "none")
        return Diagnosis(Problem.NO_SUCH_VERSION, pin[1], pin[2], versions, pin[0][:300])
    gone = _NO_DIST.search(output)
    if gone:
        return Diagnosis(Problem.NO_DISTRIBUTION, gone[1], detail=gone[0].strip())
    if "ResolutionImpossible" in output or "conflicting dependencies" in output:
        culprits = _DEPENDS_ON.findall(output)
        if culprits:
            return Diagnosis(Problem.CONFLICT, culprits[0], detail="conflicting requirements")
    if "'build_editable' hook" in output:
        return Diagnosis(Problem.NO_EDITABLE_HOOK, detail="the build backend has no PEP 660 hook")
    return None


def _plugin_problem(output: str) -> Diagnosis | None:
    """A failure inside an installed package: a pytest plugin, or one too old for this Python."""
    frames = [m for m in _SITE_FRAME.findall(output) if m not in _LOADERS]
    if not frames:
        return None
    innermost = frames[-1]
    missing = _MISSING_MODULE.search(output)
    if innermost.startswith("pytest_") and re.search(r"(Import|Attribute|NotFound)Error", output):
        return Diagnosis(Problem.PLUGIN_ERA, innermost.replace("_", "-"), detail=innermost)
    if missing and missing[1].split(".")[0] in _PY2_STDLIB:
        return Diagnosis(Problem.STALE_PACKAGE, innermost, detail=missing[0])
    stale = _STALE_ERROR.search(output)
    if stale is None or missing:
        return None
    return Diagnosis(Problem.STALE_PACKAGE, innermost, detail=stale[0].strip())


def _build_advice(output: str, in_build: bool) -> Diagnosis | None:
    """``pip install X`` (or "X must be installed") said by a failed build."""
    advice = (_BUILD_ADVICE.search(output) or _BUILD_REQUIRES.search(output)) if in_build else None
    if advice is None or advice[1].lower() in ("pip", "setuptools", "wheel", "-e", "."):
        return None
    return Diagnosis(Problem.BUILD_NEEDS, advice[1], detail=advice[0], during_build=True)


def import_problem(output: str) -> Diagnosis:
    """The reading of ``output`` without the plugin rule (what a plugin itself lacks)."""
    return _build_or_import_problem(output) or Diagnosis(Problem.UNKNOWN)


def _build_or_import_problem(output: str) -> Diagnosis | None:
    """A build that needs a compiler or a module, a module missing at import, a failed build."""
    compiler = _NO_COMPILER.search(output)
    if compiler:
        return Diagnosis(Problem.NEEDS_COMPILER, detail=compiler[0], during_build=True)
    in_build = bool(_BUILD_FAILED.search(output)) and "pip" in output
    advice = _build_advice(output, in_build)
    if advice is not None:
        return advice
    missing = _MISSING_MODULE.search(output)
    if missing:
        module = missing[1]
        if is_stdlib(module):
            # A standard-library module missing means another interpreter, not a package.
            return Diagnosis(Problem.WRONG_PYTHON, module, detail=missing[0])
        # A setup.py that imports a build dependency fails inside pip's isolated build.
        return Diagnosis(Problem.MISSING_MODULE, module, detail=missing[0], during_build=in_build)
    name_match = _BUILD_NAME.search(output)
    if not (in_build or name_match):
        return None
    name = name_match[1] if name_match else ""
    pinned = {m[1].lower(): m[2] for m in _COLLECTING.finditer(output)}
    detail = name_match[0] if name_match else "build failed"
    return Diagnosis(Problem.BUILD_FAILED, name, pinned.get(name.lower(), ""), detail=detail)


def _runtime_problem(output: str) -> Diagnosis | None:
    """A pytest option without its plugin, a name gone from a library, another interpreter."""
    if re.search(r"(no such option|unrecognized arguments): --collect-only", output):
        return Diagnosis(Problem.OLD_PYTEST, "pytest", detail="pytest predates --collect-only")
    stale = re.search(r"PluginValidationError: unknown hook '\w+' in plugin <module '(\w+)", output)
    if stale:
        # A plugin pinned for an old pytest: upgrading it to match the current pytest fixes it.
        return Diagnosis(Problem.OLD_PYTEST, stale[1].replace("_", "-"), detail=stale[0])
    option = _UNKNOWN_OPTION.search(output)
    if option:
        plugin = PYTEST_OPTION_PLUGINS.get(option[1].split("=", 1)[0], "")
        return Diagnosis(Problem.MISSING_PLUGIN, plugin, detail=option[0])
    drift = _CANNOT_IMPORT.search(output)
    if drift:
        kind = Problem.WRONG_PYTHON if is_stdlib(drift[2]) else Problem.API_DRIFT
        return Diagnosis(kind, drift[2], detail=drift[0])
    wrong = _WRONG_PYTHON.search(output)
    return Diagnosis(Problem.WRONG_PYTHON, detail=wrong[0]) if wrong else None


def is_stdlib(module: str) -> bool:
    top = module.split(".")[0]
    return top in _REMOVED_STDLIB or top in sys.stdlib_module_names


def distribution_for(module: str) -> list[str]:
    """Distributions that may provide an import name, most likely first."""
    top = module.split(".")[0]
    names = []
    for key in (module, top):
        if key in IMPORT_TO_DIST:
            names.append(IMPORT_TO_DIST[key])
    names.append(top.replace("_", "-"))
    return list(dict.fromkeys(names))


def nearest_version(wanted: str, available: tuple[str, ...]) -> str | None:
    """The existing release closest to `wanted`: same series first, newer before older."""
    from packaging.version import InvalidVersion, Version

    try:
        target = Version(wanted.rstrip(".*"))
    except InvalidVersion:
        return available[-1] if available else None
    parsed = []
    for text in available:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            parsed.append(version)
    if not parsed:
        return None

    def distance(version: Version) -> tuple[int, int, int, int]:
        release = [*version.release, 0, 0, 0]
        goal = [*target.release, 0, 0, 0]
        return (
            abs(release[0] - goal[0]),
            abs(release[1] - goal[1]),
            version < target,
            abs(release[2] - goal[2]),
        )

    return str(min(parsed, key=distance))
