"""Tokenizers: raw text → syllable tokens with positions and character offsets."""

from __future__ import annotations

import re

from whoosh.analysis import Token, Tokenizer

from analyzers.normalize import LETTER, nfc

# A syllable: letters with their combining marks (NFD input keeps its offsets).
# A number: digits with inner "." / "," groups ("66.315,44"), one token.
# Superscript digits are footnote markers, never part of a token.
_NUMBER = r"\d+(?:[.,]\d+)*"
_SYLLABLE = rf"(?:{LETTER}|[\u0300-\u036f])+"
TOKEN = re.compile(rf"(?P<num>{_NUMBER})|(?P<syl>{_SYLLABLE})")
# The same tokens as plain strings (findall), for callers that need no offsets.
TOKEN_TEXT = re.compile(rf"{_NUMBER}|{_SYLLABLE}")
# Between two tokens, anything but plain spaces is a boundary that word
# segmentation must not join across (punctuation, line breaks, tabs).
SOFT_GAP = re.compile(r"[ \u00a0]*")


def is_boundary(gap: str) -> bool:
    """Word segmentation stops across this gap between two tokens."""
    return not SOFT_GAP.fullmatch(gap)


def is_line_start(gap: str) -> bool:
    """The token after this gap starts a line: no pair spans it."""
    return "\n" in gap or "\r" in gap


class SyllableTokenizer(Tokenizer):
    """Yields one token per syllable or number.

    Each token has ``text`` (NFC), ``pos``, ``startchar``/``endchar`` into the
    text as given (computed from the match, so repeated words keep their own
    offsets) and ``boundary``: True when punctuation or a line break separates
    it from the previous token; ``line_start``: True when a line break does
    (a new paragraph, heading or list item).
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = nfc(value)
            t.boundary = t.line_start = True
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = start_char
                t.endchar = start_char + len(value)
            yield t
            return
        previous_end = None
        for index, match in enumerate(TOKEN.finditer(value)):
            t.text = nfc(match.group(0))
            if keeporiginal:
                t.original = t.text
            t.boost = 1.0
            t.stopped = False
            gap = value[previous_end : match.start()] if previous_end is not None else ""
            t.boundary = previous_end is None or is_boundary(gap)
            t.line_start = previous_end is None or is_line_start(gap)
            t.is_number = match.group("num") is not None
            previous_end = match.end()
            if positions:
                t.pos = start_pos + index
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t
