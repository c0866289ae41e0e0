import pytest

from calculator.core import CalculatorError, add, divide
from calculator.parser import evaluate


def test_add():
    assert add(2, 3) == 5


def test_divide_by_zero():
    with pytest.raises(CalculatorError):
        divide(1, 0)


def test_evaluate_precedence():
    assert evaluate("3 + 4 * 2") == 11
