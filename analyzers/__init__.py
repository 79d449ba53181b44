"""Vietnamese analysis for Whoosh: three views of the same text.

- syllables: ``dân``, ``tộc``, ``thiểu``, ``số`` (exact, normalised, lower case)
- folded syllables: ``dan``, ``toc``, ``thieu``, ``so`` (no diacritics, đ→d)
- words: ``dân_tộc_thiểu_số`` (pyvi compounds)
- pairs of adjacent syllables: ``dân_tộc``, ``tộc_thiểu``, ``thiểu_số`` (and
  folded: ``dan_toc``…), for proximity ranking

>>> [t.text for t in syllable_analyzer()("Tỉnh uỷ Lai Châu")]
['tỉnh', 'ủy', 'lai', 'châu']
>>> [t.text for t in folded_analyzer()("Đảng ủy")]
['dang', 'uy']

No stopwords: "số", "năm", "ngày", "không" must stay searchable.
"""

from __future__ import annotations

from whoosh.analysis import LowercaseFilter

from analyzers.filters import FoldFilter, PairFilter, PyviSegmentFilter, VietnameseNormalizeFilter
from analyzers.tokenizers import SyllableTokenizer


def syllable_analyzer():
    """Tokenize → normalise (Đ, tone style) → lower case."""
    return SyllableTokenizer() | VietnameseNormalizeFilter() | LowercaseFilter()


def folded_analyzer():
    """The syllable view without diacritics: "dan toc" finds "dân tộc"."""
    return syllable_analyzer() | FoldFilter()


def word_analyzer():
    """The syllable view segmented into pyvi words. Lower case comes first so
    ALL-CAPS headings and body text give the same words."""
    return syllable_analyzer() | PyviSegmentFilter()


def pair_analyzer():
    """Adjacent syllables joined, never across a line break."""
    return syllable_analyzer() | PairFilter()


def folded_pair_analyzer():
    """The pair view without diacritics."""
    return folded_analyzer() | PairFilter()


_SYLLABLES = syllable_analyzer()
_WORDS = word_analyzer()


def syllables(text: str) -> list[str]:
    return [t.text for t in _SYLLABLES(text)]


def words(text: str) -> list[str]:
    return [t.text for t in _WORDS(text)]
