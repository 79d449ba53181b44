"""Footnote markers written as superscript digits (¹²): one table for the
parser, the PDF reader and the page."""

from __future__ import annotations

import re

_SUP_OF = {
    "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074",
    "5": "\u2075", "6": "\u2076", "7": "\u2077", "8": "\u2078", "9": "\u2079",
}  # fmt: skip
_DIGIT_OF = {v: k for k, v in _SUP_OF.items()}
SUPERSCRIPT_DIGITS = "".join(_SUP_OF.values())
SUPERSCRIPT_RUN = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")


def to_superscript(digits: str) -> str:
    """Digits as superscript marks.

    >>> to_superscript("12")
    '¹²'
    """
    return "".join(_SUP_OF.get(ch, ch) for ch in digits)


def from_superscript(marks: str) -> str:
    """Superscript marks as digits.

    >>> from_superscript("¹²")
    '12'
    """
    return "".join(_DIGIT_OF.get(ch, ch) for ch in marks)
