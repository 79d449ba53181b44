"""One analysis of a text, for every consumer: ``analyze(text)`` cuts it
into tokens once (syllables and numbers, with their offsets and the gaps
between them), normalises each distinct token once per process
(``analyzers.filters.syllable_key``), and derives the rest on demand: the
folded syllables, the offsets, and the views the index stores
(syllables, folded, pyvi words, pairs).

The indexer takes the views (``text_views``), the facet filters and the
missing-words check the syllables or folded ones. Re-ranking, which runs
on every candidate of every query, reads the same token pattern
(``TOKEN_TEXT``) through the same normaliser, without gaps or offsets;
highlighting reads Whoosh's token stream, which stops where its marks do.
The tokens and their texts are the Whoosh analyzers' own, in the same
order (``tests/test_analyzers.py``, and ``tests/test_build_equivalence.py``
on every section of the sample corpus); Whoosh indexes a list of token
texts with positions 0, 1, 2… as the tokenizer numbers them.

>>> a = analyze("Dân tộc thiểu số")
>>> a.syllables, a.folded, a.spans[1]
(['dân', 'tộc', 'thiểu', 'số'], ['dan', 'toc', 'thieu', 'so'], (4, 7))
>>> text_views("Dân tộc thiểu số").folded_pairs
['dan_toc', 'toc_thieu', 'thieu_so']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from analyzers.filters import segment_labels, syllable_keyer
from analyzers.memo import Memo
from analyzers.tokenizers import TOKEN, is_boundary, is_line_start

_SYLLABLE = syllable_keyer(False)
_FOLDED = syllable_keyer(True)


@dataclass
class TextViews:
    syllables: list[str]  # syllable_analyzer
    folded: list[str]  # folded_analyzer
    words: list[str]  # word_analyzer (pyvi)
    pairs: list[str]  # pair_analyzer
    folded_pairs: list[str]  # folded_pair_analyzer


_VIEWS = ("syllables", "folded", "words", "pairs", "folded_pairs")


def joined_views(parts: list[TextViews]) -> TextViews:
    """The views of texts joined by line breaks, from each text's views."""
    return TextViews(*([token for views in parts for token in getattr(views, name)] for name in _VIEWS))


def _pairs(tokens: list[str], line_starts: list[bool]) -> list[str]:
    return [f"{a}_{b}" for a, b, start in zip(tokens, tokens[1:], line_starts[1:]) if not start]


def _words(syllables: list[str], boundaries: list[bool]) -> list[str]:
    """pyvi words within each run of syllables that no punctuation or line
    break separates (PyviSegmentFilter)."""
    words: list[str] = []
    starts = [i for i, boundary in enumerate(boundaries) if boundary]
    for start, end in zip(starts, starts[1:] + [len(syllables)]):
        run = syllables[start:end]
        for syllable, join in zip(run, segment_labels(run)):
            if join and words:
                words[-1] += "_" + syllable
            else:
                words.append(syllable)
    return words


# TOKEN as one group: re.split then gives the tokens at odd places and the
# gaps between them at even ones.
_TOKEN_SPLIT = re.compile("(" + re.sub(r"\(\?P<\w+>", "(?:", TOKEN.pattern) + ")")


# What a gap between two tokens is, as SyllableTokenizer decides. Memos, so
# that a text's gaps are looked up in C: " " mostly.
_BOUNDARY = Memo(is_boundary, limit=65536)
_LINE_START = Memo(is_line_start, limit=65536)


@dataclass
class Analysis:
    """A text analysed once (see the module docstring)."""

    text: str
    _parts: list[str]  # gap, token, gap, token … gap: the text cut at its tokens
    tokens: list[str]  # as written
    syllables: list[str]  # NFC, one tone style, lower case: the syllable analyzer's texts

    @cached_property
    def boundaries(self) -> list[bool]:
        """Punctuation or a line break before the token (word segmentation stops)."""
        return [True, *map(_BOUNDARY.__getitem__, self._parts[2:-1:2])] if self.tokens else []

    @cached_property
    def line_starts(self) -> list[bool]:
        """A line break before the token (no pair spans it)."""
        return [True, *map(_LINE_START.__getitem__, self._parts[2:-1:2])] if self.tokens else []

    @cached_property
    def folded(self) -> list[str]:
        """The syllables without diacritics (đ→d)."""
        return list(map(_FOLDED, self.tokens))

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """Each token's [start, end) in the text."""
        ends = list(accumulate(map(len, self._parts)))
        return list(zip(ends[0:-1:2], ends[1::2]))

    @cached_property
    def views(self) -> TextViews:
        """The views the index stores."""
        return TextViews(
            syllables=self.syllables,
            folded=self.folded,
            words=_words(self.syllables, self.boundaries),
            pairs=_pairs(self.syllables, self.line_starts),
            folded_pairs=_pairs(self.folded, self.line_starts),
        )


def analyze(text: str) -> Analysis:
    parts = _TOKEN_SPLIT.split(text)
    tokens = parts[1::2]
    return Analysis(text, parts, tokens, list(map(_SYLLABLE, tokens)))


def text_views(text: str) -> TextViews:
    """Every view the index stores of ``text``."""
    return analyze(text).views
