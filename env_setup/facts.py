"""The mutable notebook that the file readers fill in, and the small tables they share."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from env_setup.model import Packaging, TestRunner

# Options and ini keys that only work with a plugin installed: a project whose config uses them
# fails at collection time without the plugin, so the plan installs it.
PYTEST_OPTION_PLUGINS = {
    "--cov": "pytest-cov",
    "--numprocesses": "pytest-xdist",
    "-n": "pytest-xdist",
    "--dist": "pytest-xdist",
    "--timeout": "pytest-timeout",
    "--reruns": "pytest-rerunfailures",
    "--benchmark": "pytest-benchmark",
    "--doctest-plus": "pytest-doctestplus",
    "--doctest-rst": "pytest-doctestplus",
    "--mypy": "pytest-mypy",
    "--flake8": "pytest-flake8",
    "--black": "pytest-black",
    "--isort": "pytest-isort",
    "--hypothesis": "hypothesis",
    "--mpl": "pytest-mpl",
    "--remote-data": "pytest-remotedata",
    "--randomly": "pytest-randomly",
    "--html": "pytest-html",
    "--snapshot-update": "syrupy",
}
PYTEST_INI_PLUGINS = {
    "asyncio_mode": "pytest-asyncio",
    "asyncio_default_fixture_loop_scope": "pytest-asyncio",
    "django_settings_module": "pytest-django",
    "timeout": "pytest-timeout",
    "env": "pytest-env",
    "mock_use_standalone_module": "pytest-mock",
    "doctest_plus": "pytest-doctestplus",
    "qt_api": "pytest-qt",
    "mpl-baseline-path": "pytest-mpl",
    "flake8-max-line-length": "pytest-flake8",
    "trio_mode": "pytest-trio",
    "anyio_mode": "anyio",
    "remote_data_strict": "pytest-remotedata",
}
TEST_EXTRA_NAMES = ("test", "tests", "testing", "test-deps", "tests-deps", "unittest")
DEV_EXTRA_NAMES = ("dev", "develop", "development", "devel", "ci")
# Extras that gather others, and extras of tools that never run the tests.
AGGREGATE_EXTRA_NAMES = (*DEV_EXTRA_NAMES, "all", "full", "complete", "everything")
TOOLING_EXTRA_NAMES = ("doc", "docs", "documentation", "lint", "linting", "style", "typing")
_CLASSIFIER_PY = re.compile(r"Programming Language :: Python :: (\d)\.(\d+)\s*$")
_PY_VERSION = re.compile(r"^\s*['\"]?(\d)\.(\d+)(?:\.\d+)?['\"]?\s*$")
_TOX_ENV_PY = re.compile(r"\bpy(\d)(\d+)\b")


@dataclass
class Facts:
    """What the readers found so far; turned into a frozen `Detection` at the end."""

    packaging: list[Packaging] = field(default_factory=list)
    installable: bool = False
    package_name: str | None = None
    requires_python: list[tuple[str, str]] = field(default_factory=list)  # (specifier, source)
    classifier_pythons: list[str] = field(default_factory=list)
    ci_pythons: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    extras: dict[str, list[str]] = field(default_factory=dict)
    test_requirements: list[str] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)
    constraint_files: list[str] = field(default_factory=list)
    dependency_files: list[str] = field(default_factory=list)  # every file that shapes the install
    build_requires: list[str] = field(default_factory=list)  # [build-system] requires
    uses_scm: bool = False  # the version comes from git tags (setuptools_scm, hatch-vcs)
    uses_versioneer: bool = False  # ... through versioneer's `git describe`: no override
    runner_votes: list[tuple[TestRunner, str, str | None]] = field(default_factory=list)
    test_plugins: list[str] = field(default_factory=list)
    test_paths: list[str] = field(default_factory=list)
    make_test_target: str | None = None
    install_snippets: list[str] = field(default_factory=list)
    mentioned_extras: list[str] = field(default_factory=list)
    file_requirements: list[str] = field(default_factory=list)  # read from requirement files
    notes: list[str] = field(default_factory=list)

    def add_packaging(self, kind: Packaging) -> None:
        """Record a packaging style once."""
        if kind not in self.packaging:
            self.packaging.append(kind)

    def vote(self, runner: TestRunner, evidence: str, command: str | None = None) -> None:
        """Record that `evidence` suggests running the tests with `runner` (and `command`)."""
        self.runner_votes.append((runner, evidence, command))

    def add_classifiers(self, classifiers: list[str]) -> None:
        """Collect the Python versions named by trove classifiers."""
        for text in classifiers:
            match = _CLASSIFIER_PY.search(str(text))
            if match:
                _add_unique(self.classifier_pythons, f"{match[1]}.{match[2]}")

    def add_ci_python(self, value: object) -> None:
        """Collect a Python version named by CI configuration (a matrix entry, a tox env)."""
        values = value if isinstance(value, list) else [value]
        for item in values:
            text = str(item)
            match = _PY_VERSION.match(text)
            if match:
                _add_unique(self.ci_pythons, f"{match[1]}.{match[2]}")
            for tox_match in _TOX_ENV_PY.finditer(text):
                _add_unique(self.ci_pythons, f"{tox_match[1]}.{tox_match[2]}")

    def add_pytest_options(self, addopts: str) -> None:
        """Infer plugins from pytest `addopts` (a plugin's option fails without the plugin)."""
        try:
            words = shlex.split(addopts)
        except ValueError:
            words = addopts.split()
        for word in words:
            key = word.split("=", 1)[0]
            plugin = PYTEST_OPTION_PLUGINS.get(key) or _prefix_plugin(key)
            if plugin:
                _add_unique(self.test_plugins, plugin)

    def add_pytest_ini(self, options: Mapping[str, object], source: str) -> None:
        """Take in a pytest configuration section: it votes for pytest and may need plugins."""
        self.vote(TestRunner.PYTEST, f"pytest configuration in {source}")
        for key in options:
            plugin = PYTEST_INI_PLUGINS.get(key.lower())
            if plugin:
                _add_unique(self.test_plugins, plugin)
        addopts = options.get("addopts")
        if addopts:
            self.add_pytest_options(
                " ".join(addopts) if isinstance(addopts, list) else str(addopts)
            )
        required = options.get("required_plugins")
        if required:
            names = required if isinstance(required, list) else str(required).split()
            for name in names:
                _add_unique(self.test_plugins, str(name))
        paths = options.get("testpaths")
        if paths:
            for path in paths if isinstance(paths, list) else str(paths).split():
                _add_unique(self.test_paths, str(path))

    def add_test_command(self, line: str, evidence: str) -> None:
        """Vote for the runner a shell line uses, when it runs tests."""
        runner = runner_of_command(line)
        if runner is not None:
            self.vote(runner, evidence, line.strip())
            if runner is TestRunner.PYTEST:
                self.add_pytest_options(line)


def runner_of_command(line: str) -> TestRunner | None:
    """The test runner a shell command line invokes, if any."""
    text = f" {line.strip()} "
    if re.search(r"[\s/](py\.test|pytest)\s", text) or "-m pytest" in text:
        return TestRunner.PYTEST
    if re.search(r"[\s/]nosetests\s", text) or "-m nose" in text:
        return TestRunner.NOSE
    if "-m unittest" in text or "-m twisted.trial" in text:
        return TestRunner.UNITTEST
    if re.search(r"\stox(\s|$)", text) or "-m tox" in text:
        return TestRunner.TOX
    if re.search(r"(runtests\.py|bin/test)\b", text):
        return TestRunner.SCRIPT
    if re.search(r"setup\.py\s+test\b", text):
        return TestRunner.PYTEST
    return None


def _prefix_plugin(option: str) -> str | None:
    for prefix, plugin in PYTEST_OPTION_PLUGINS.items():
        if option.startswith(prefix + "-") and prefix.startswith("--"):
            return plugin
    return None


def _add_unique(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def add_unique(items: list[str], values: list[str] | tuple[str, ...]) -> None:
    """Append each value not yet in `items`, keeping order."""
    for value in values:
        _add_unique(items, value)
