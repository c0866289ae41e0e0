"""A tiny calculator package, the bundled example for `make demo`."""

from calculator.core import add, divide, multiply, subtract
from calculator.stats import mean, median, mode

__all__ = ["add", "divide", "mean", "median", "mode", "multiply", "subtract"]
