"""Monte Carlo tree search over workspace states, generic: it knows no model and no sandbox.

An agent implements the two seams that need a model and a sandbox and runs the loop::

    meter = CostMeter()                     # the agent's model wrapper calls meter.add(dollars)
    seams = Seams(expander=MyExpander(...), value=CompositeValue.tests_and_judge(MyJudge(...)))
    options = SearchOptions(budget=Budget(max_iterations=30, max_cost=1.0),
                            good_enough=resolved_by_tests)          # linear(budget) for a chain
    search = Search(seams, options=options, path=run_dir / "tree.json", meter=meter,
                    on_event=show_progress)
    result = search.start(base_tree_id)     # or search.resume() after a crash
    result.best, result.stop_reason, result.summary()
"""

from search.budget import Budget, CostMeter, StopReason, linear
from search.discriminator import TestsFirstDiscriminator, best_unfinished
from search.errors import (
    BadReward,
    BadTestsRecord,
    BudgetError,
    NotJsonable,
    SearchError,
    TreeFileError,
)
from search.kinds import KindBandit, KindChoice, KindedExpander, KindScore
from search.mcts import (
    Seams,
    Search,
    SearchOptions,
    SearchResult,
    resolved_by_tests,
    reward_at_least,
)
from search.node import Node, Reward
from search.persist import load_tree, save_tree, tree_from_json, tree_to_json
from search.protocols import (
    Arm,
    Candidate,
    Choice,
    Discriminator,
    EventKind,
    EventSink,
    Expander,
    Expansion,
    SearchEvent,
    Selection,
    Selector,
    SiblingSummary,
    ValueFunction,
)
from search.tree import SearchMode, SearchTree
from search.uct import UCTScore, UCTSelector
from search.value import (
    CompositeValue,
    TestEvidence,
    TestEvidenceValue,
    Verdict,
    Weighted,
    verdict_of,
)

__all__ = [
    "Arm",
    "BadReward",
    "BadTestsRecord",
    "Budget",
    "BudgetError",
    "Candidate",
    "Choice",
    "CompositeValue",
    "CostMeter",
    "Discriminator",
    "EventKind",
    "EventSink",
    "Expander",
    "Expansion",
    "KindBandit",
    "KindChoice",
    "KindScore",
    "KindedExpander",
    "Node",
    "NotJsonable",
    "Reward",
    "Seams",
    "Search",
    "SearchError",
    "SearchEvent",
    "SearchMode",
    "SearchOptions",
    "SearchResult",
    "SearchTree",
    "Selection",
    "Selector",
    "SiblingSummary",
    "StopReason",
    "TestEvidence",
    "TestEvidenceValue",
    "TestsFirstDiscriminator",
    "TreeFileError",
    "UCTScore",
    "UCTSelector",
    "ValueFunction",
    "Verdict",
    "Weighted",
    "best_unfinished",
    "linear",
    "load_tree",
    "resolved_by_tests",
    "reward_at_least",
    "save_tree",
    "tree_from_json",
    "tree_to_json",
    "verdict_of",
]
