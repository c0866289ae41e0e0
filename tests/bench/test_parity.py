"""Parity with the official harness: on every real log of the corpus, our parse and grade equal
what swebench 4.1.0 makes of it (recorded by tests/fixtures/testlogs/record_official.py)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from env_setup import log_parser, parse_test_log, parser_family
from swe_agent.bench.grading import grade

CORPUS = Path(__file__).parents[1] / "fixtures" / "testlogs"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
DATA: dict[str, dict[str, Any]] = json.loads(
    gzip.decompress((CORPUS / "data.json.gz").read_bytes())
)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_our_parse_and_grade_equal_the_official_harness(case: dict[str, Any]) -> None:
    log = gzip.decompress((CORPUS / case["log"]).read_bytes()).decode("utf-8")
    data = DATA[case["name"]]
    statuses = parse_test_log(log_parser(case["repo"]), log)
    assert statuses == data["official_statuses"]
    status = grade(
        statuses,
        fail_to_pass=data["FAIL_TO_PASS"],
        pass_to_pass=data["PASS_TO_PASS"],
        repo=case["repo"],
    )
    ours = status.to_json()
    assert {k: ours[k] for k in ("FAIL_TO_PASS", "PASS_TO_PASS")} == data["official_tests_status"]
    assert status.resolution == case["official_resolution"]


def test_the_corpus_covers_every_log_family_status_and_resolution() -> None:
    families = Counter(parser_family(log_parser(c["repo"])) for c in CASES)
    assert set(families) >= {"pytest", "pytest_options", "pytest_v2", "seaborn", "sympy", "django"}
    seen = {s for data in DATA.values() for s in data["official_statuses"].values()}
    assert seen >= {"PASSED", "FAILED", "SKIPPED", "ERROR", "XFAIL"}
    resolutions = {c["official_resolution"] for c in CASES}
    assert resolutions == {"RESOLVED_FULL", "RESOLVED_PARTIAL", "RESOLVED_NO"}
