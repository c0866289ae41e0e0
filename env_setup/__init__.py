"""Automatic environment setup: detect -> plan -> install -> verify -> record and cache."""

from env_setup.detect import detect
from env_setup.errors import BadRepository, EnvSetupError, NoBaseImage, NoRecord
from env_setup.model import Detection, Packaging, Plan, Step, StepKind, TestRunner
from env_setup.plan import make_plan
from env_setup.pyversion import PythonChoice, choose_python

__all__ = [
    "BadRepository",
    "Detection",
    "EnvSetupError",
    "NoBaseImage",
    "NoRecord",
    "Packaging",
    "Plan",
    "PythonChoice",
    "Step",
    "StepKind",
    "TestRunner",
    "choose_python",
    "detect",
    "make_plan",
]
