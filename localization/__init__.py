"""localization: rank the files, classes and functions an issue is about, with no model.

Public surface::

    result = localize(graph, issue_text, top=10)   # graph: repo_graph.CodeGraph
    result.files / result.classes / result.functions  # ranked Locations with reasons
    localizer = GraphLocalizer(graph)                 # reuse one index for many issues
    GraphLocalizer(graph, history=read_history(root)) # past commits as evidence too
    gold = gold_from_patch(patch, read_old=...)       # gold locations of a reference patch
    acc_at_k(ranked_ids, gold.functions, 10)          # Acc@k
    GraphLocalizer(graph, weights=RankWeights.load(path))  # another weights table
"""

from localization.api import BadIssue, BadRepository, localize, localize_repo
from localization.errors import BadPatch, LocalizationError
from localization.execution import TRACER, Execution, example_chunks, parse_trace
from localization.gold import GoldLocations, gold_from_patch
from localization.history import Change, read_history
from localization.metrics import acc_at_k, rate
from localization.model import Localization, Localizer, Location, LocationKind
from localization.rank import GraphLocalizer
from localization.reproducer import console_scripts
from localization.signals import Frame, IssueSignals, extract_signals
from localization.tokens import tokenize
from localization.weights import RankWeights

__all__ = [
    "TRACER",
    "BadIssue",
    "BadPatch",
    "BadRepository",
    "Change",
    "Execution",
    "Frame",
    "GoldLocations",
    "GraphLocalizer",
    "IssueSignals",
    "Localization",
    "LocalizationError",
    "Localizer",
    "Location",
    "LocationKind",
    "RankWeights",
    "acc_at_k",
    "console_scripts",
    "example_chunks",
    "extract_signals",
    "gold_from_patch",
    "localize",
    "localize_repo",
    "parse_trace",
    "rate",
    "read_history",
    "tokenize",
]
