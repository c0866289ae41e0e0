"""Scores with reasons: every contribution to a location's score says where it came from."""

from __future__ import annotations

from collections import defaultdict


class Evidence:
    """Per-id scores built from named contributions; keeps the strongest reasons."""

    def __init__(self) -> None:
        self.score: dict[str, float] = defaultdict(float)
        self._reasons: dict[str, list[tuple[float, str]]] = defaultdict(list)

    def add(self, key: str, value: float, reason: str) -> None:
        """Add ``value`` to ``key``'s score, remembering why (an empty reason is not kept)."""
        if value <= 0:
            return
        self.score[key] += value
        if reason:
            self._reasons[key].append((value, reason))

    def raise_to(self, key: str, value: float, reason: str) -> None:
        """Lift ``key``'s score to at least ``value`` (for evidence that should not pile up)."""
        current = self.score.get(key, 0.0)
        if value > current:
            self.add(key, value - current, reason)

    def reasons(self, key: str, *, limit: int = 4) -> tuple[str, ...]:
        """The strongest reasons for ``key``, strongest first."""
        ranked = sorted(self._reasons.get(key, ()), key=lambda item: -item[0])
        return tuple(dict.fromkeys(reason for _, reason in ranked))[:limit]

    def ranked(self) -> list[tuple[str, float]]:
        """All ids with a positive score, best first (ties by id, for stable output)."""
        return sorted(((k, v) for k, v in self.score.items() if v > 0), key=lambda i: (-i[1], i[0]))
