"""Automatic environment setup: detect -> plan -> install -> verify -> record and cache.

Also the known repositories' test commands and test-log parsers (the SWE-bench harness's),
which set-up verification and the benchmarks share::

    command = harness_test_command("django/django", "3.0", test_patch=patch)
    statuses = parse_test_log(command.parser, log)   # {"test_x (m.C)": "PASSED", ...}

from env_setup import SetupOptions, setup_environment

record = setup_environment(Path("repo"), SetupOptions(commit="HEAD"))
record.success, record.image, record.test_command   # env.json is in repo/.swe-agent/
"""

from env_setup.amend import Amended, add_modules
from env_setup.detect import detect
from env_setup.errors import BadRepository, EnvSetupError, NoBaseImage, NoRecord
from env_setup.known import (
    KnownSpec,
    describe_at,
    known_repos,
    known_versions,
    log_parser,
    read_at,
    spec_for,
    specs_data,
    version_at,
)
from env_setup.model import Detection, Packaging, Plan, Step, StepKind, TestRunner, Tooling
from env_setup.options import SetupOptions
from env_setup.pipeline import setup_environment
from env_setup.plan import VENV, make_plan
from env_setup.pyversion import PythonChoice, choose_python
from env_setup.record import (
    CommandResult,
    EnvRecord,
    Verification,
    load_record,
    read_local_record,
    record_from_json,
    record_path,
    write_record,
)
from env_setup.repair import AgentRepairer, Attempt, Failure, Repairer, RuleRepairer
from env_setup.skips import skipped_modules
from env_setup.testcmd import TestCommand, harness_test_command, patch_directives, pytest_files
from env_setup.testlogs import PARSERS, TestStatus, parse_test_log, parser_family

__all__ = [
    "PARSERS",
    "VENV",
    "AgentRepairer",
    "Amended",
    "Attempt",
    "BadRepository",
    "CommandResult",
    "Detection",
    "EnvRecord",
    "EnvSetupError",
    "Failure",
    "KnownSpec",
    "NoBaseImage",
    "NoRecord",
    "Packaging",
    "Plan",
    "PythonChoice",
    "Repairer",
    "RuleRepairer",
    "SetupOptions",
    "Step",
    "StepKind",
    "TestCommand",
    "TestRunner",
    "TestStatus",
    "Tooling",
    "Verification",
    "add_modules",
    "choose_python",
    "describe_at",
    "detect",
    "harness_test_command",
    "known_repos",
    "known_versions",
    "load_record",
    "log_parser",
    "make_plan",
    "parse_test_log",
    "parser_family",
    "patch_directives",
    "pytest_files",
    "read_at",
    "read_local_record",
    "record_from_json",
    "record_path",
    "setup_environment",
    "skipped_modules",
    "spec_for",
    "specs_data",
    "version_at",
    "write_record",
]
