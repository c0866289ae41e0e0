"""Evaluate simple infix expressions such as "3 + 4 * 2"."""

from calculator.core import add, divide, multiply, subtract

OPERATORS = {"+": (1, add), "-": (1, subtract), "*": (2, multiply), "/": (2, divide)}


def tokenize(text):
    """Split an expression into numbers and operator symbols."""
    tokens, number = [], ""
    for char in text.replace(" ", ""):
        if char.isdigit() or char == ".":
            number += char
            continue
        if number:
            tokens.append(float(number))
            number = ""
        tokens.append(char)
    if number:
        tokens.append(float(number))
    return tokens


def evaluate(text):
    """Evaluate an expression with the usual operator precedence."""
    output, stack = [], []
    for token in tokenize(text):
        if isinstance(token, float):
            output.append(token)
            continue
        while stack and OPERATORS[stack[-1]][0] >= OPERATORS[token][0]:
            _apply(output, stack.pop())
        stack.append(token)
    while stack:
        _apply(output, stack.pop())
    return output[0]


def _apply(output, symbol):
    right, left = output.pop(), output.pop()
    output.append(OPERATORS[symbol][1](left, right))
