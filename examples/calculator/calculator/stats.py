"""Descriptive statistics over sequences of numbers."""

from calculator.core import CalculatorError, divide


def _require_values(values):
    if not values:
        raise CalculatorError("statistics of an empty sequence")
    return list(values)


def mean(values):
    """Arithmetic mean of the values."""
    values = _require_values(values)
    return divide(sum(values), len(values))


def median(values):
    """Middle value of the sorted values (the mean of the two middle ones for even counts)."""
    ordered = sorted(_require_values(values))
    middle = len(ordered) // 2
    return ordered[middle]


def mode(values):
    """Most common value; the smallest one on ties."""
    counts = {}
    for value in _require_values(values):
        counts[value] = counts.get(value, 0) + 1
    best = max(counts.values())
    return min(value for value, count in counts.items() if count == best)
