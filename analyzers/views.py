"""Every indexed view of one text from a single pass, for the indexer.

The analyzers in ``analyzers/__init__.py`` give each view by running the
whole chain again (tokenise, normalise, lower-case, then fold, segment or
pair), once per field: a section's body alone went through it five times.
``text_views`` tokenises once, normalises each distinct syllable once per
process and derives the other views from that list. The token texts are
the analyzers' own, in the same order (``tests/test_build_equivalence.py``
checks it on every section of the sample corpus); Whoosh indexes a list of
token texts with positions 0, 1, 2… as the tokenizer numbers them.

>>> v = text_views("Dân tộc thiểu số")
>>> v.syllables, v.folded, v.folded_pairs
(['dân', 'tộc', 'thiểu', 'số'], ['dan', 'toc', 'thieu', 'so'], ['dan_toc', 'toc_thieu', 'thieu_so'])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from analyzers.filters import segment_labels
from analyzers.normalize import fix_lookalikes, fold, nfc, place_tone
from analyzers.tokenizers import SOFT_GAP, TOKEN


@lru_cache(maxsize=65536)
def _syllable(raw: str) -> str:
    """SyllableTokenizer → VietnameseNormalizeFilter → LowercaseFilter, for one token."""
    return place_tone(fix_lookalikes(nfc(raw))).lower()


_fold = lru_cache(maxsize=65536)(fold)


@dataclass
class TextViews:
    syllables: list[str]  # syllable_analyzer
    folded: list[str]  # folded_analyzer
    words: list[str]  # word_analyzer (pyvi)
    pairs: list[str]  # pair_analyzer
    folded_pairs: list[str]  # folded_pair_analyzer


def _pairs(tokens: list[str], line_starts: list[bool]) -> list[str]:
    return [f"{tokens[i - 1]}_{tokens[i]}" for i in range(1, len(tokens)) if not line_starts[i]]


def _words(syllables: list[str], boundaries: list[bool]) -> list[str]:
    """pyvi words within each run of syllables that no punctuation or line
    break separates (PyviSegmentFilter)."""
    words: list[str] = []
    start = 0
    for end in range(1, len(syllables) + 1):
        if end == len(syllables) or boundaries[end]:
            run = syllables[start:end]
            for syllable, join in zip(run, segment_labels(run)):
                if join and words:
                    words[-1] += "_" + syllable
                else:
                    words.append(syllable)
            start = end
    return words


def text_views(text: str) -> TextViews:
    syllables, boundaries, line_starts = [], [], []
    previous_end = None
    for match in TOKEN.finditer(text):
        syllables.append(_syllable(match.group(0)))
        if previous_end is None:
            boundaries.append(True)
            line_starts.append(True)
        else:
            gap = text[previous_end : match.start()]
            boundaries.append(not SOFT_GAP.fullmatch(gap))
            line_starts.append("\n" in gap or "\r" in gap)
        previous_end = match.end()
    folded = [_fold(s) for s in syllables]
    return TextViews(
        syllables=syllables,
        folded=folded,
        words=_words(syllables, boundaries),
        pairs=_pairs(syllables, line_starts),
        folded_pairs=_pairs(folded, line_starts),
    )
