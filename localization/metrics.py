"""Acc@k, the localization metric of LocAgent and the SWE-bench localization papers."""

from __future__ import annotations

from collections.abc import Sequence


def acc_at_k(ranked: Sequence[str], gold: Sequence[str], k: int) -> bool | None:
    """True when every gold id is in the top ``k`` (or, with more gold than ``k``, the top ``k``
    are all gold, as LocAgent counts it); None when there is no gold at this level."""
    wanted = set(gold)
    if not wanted:
        return None
    hits = sum(1 for item in list(dict.fromkeys(ranked))[:k] if item in wanted)
    return hits >= min(len(wanted), k)


def rate(values: Sequence[bool | None]) -> tuple[float | None, int]:
    """The share of True among the instances that have gold, and how many have gold."""
    counted = [v for v in values if v is not None]
    if not counted:
        return None, 0
    return sum(counted) / len(counted), len(counted)
