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

import re
from dataclasses import dataclass
from functools import lru_cache

from analyzers.filters import segment_labels
from analyzers.memo import Memo
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


def _gap_kind(gap: str) -> tuple[bool, bool]:
    """A gap between two tokens: (a boundary, a line start), as
    SyllableTokenizer decides them."""
    return not SOFT_GAP.fullmatch(gap), "\n" in gap or "\r" in gap


_GAP_KINDS = Memo(_gap_kind, limit=65536)  # " " mostly


def text_views(text: str) -> TextViews:
    parts = _TOKEN_SPLIT.split(text)
    syllables = list(map(_syllable, parts[1::2]))
    if not syllables:
        return TextViews([], [], [], [], [])
    kinds = list(map(_GAP_KINDS.__getitem__, parts[2:-1:2]))
    boundaries = [True, *(kind[0] for kind in kinds)]
    line_starts = [True, *(kind[1] for kind in kinds)]
    folded = list(map(_fold, syllables))
    return TextViews(
        syllables=syllables,
        folded=folded,
        words=_words(syllables, boundaries),
        pairs=_pairs(syllables, line_starts),
        folded_pairs=_pairs(folded, line_starts),
    )
