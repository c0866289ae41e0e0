"""Automatic environment setup: detect -> plan -> install -> verify -> record and cache.

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
    version_at,
)
from env_setup.model import Detection, Packaging, Plan, SetupOptions, Step, StepKind, TestRunner
from env_setup.pipeline import setup_environment
from env_setup.plan import make_plan
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

__all__ = [
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
    "TestRunner",
    "Verification",
    "add_modules",
    "choose_python",
    "describe_at",
    "detect",
    "known_repos",
    "known_versions",
    "log_parser",
    "load_record",
    "read_local_record",
    "make_plan",
    "read_at",
    "record_from_json",
    "record_path",
    "setup_environment",
    "skipped_modules",
    "spec_for",
    "version_at",
    "write_record",
]
