"""Arithmetic on numbers."""


class CalculatorError(ValueError):
    """Raised when an operation has no defined result."""


def add(a, b):
    """Return a + b."""
    return a + b


def subtract(a, b):
    """Return a - b."""
    return a - b


def multiply(a, b):
    """Return a * b."""
    return a * b


def divide(a, b):
    """Return a / b, refusing a zero divisor."""
    if b == 0:
        raise CalculatorError("division by zero")
    return a / b
