"""StrEnum on every supported Python (3.10 lacks enum.StrEnum)."""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - exercised only on 3.10

    class StrEnum(str, Enum):
        """A str-valued Enum whose str() is its value, as in 3.11."""

        def __str__(self) -> str:
            return str(self.value)


__all__ = ["StrEnum"]
