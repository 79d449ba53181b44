"""Filters for the Vietnamese analyzers, one role each, testable one by one."""

from __future__ import annotations

import string
import threading

from whoosh.analysis import Filter

from analyzers.memo import Memo
from analyzers.normalize import MODERN, fix_lookalikes, fold, nfc, place_tone


class VietnameseNormalizeFilter(Filter):
    """Ð→Đ and one tone-placement style (hoá→hóa, uỷ→ủy; quý untouched)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = place_tone(fix_lookalikes(t.text))
            yield t


def _syllable_key(token: str) -> str:
    return place_tone(fix_lookalikes(nfc(token))).lower()


# A few thousand distinct syllables cover Vietnamese text: each is worked out once.
_KEYS = {False: Memo(_syllable_key, limit=1 << 17)}
_KEYS[True] = Memo(lambda token: fold(_KEYS[False][token]), limit=1 << 17)


def syllable_key(token: str, folded: bool = False) -> str:
    """What the syllable (``folded``: the folded) analyzer makes of one token:
    NFC, one tone style, lower case, without diacritics when folded."""
    return _KEYS[folded][token]


def syllable_keyer(folded: bool):
    """``syllable_key`` for one mode, as a callable for hot loops (a dict
    lookup in C for a token seen before)."""
    return _KEYS[folded].__getitem__


class FoldFilter(Filter):
    """Drop diacritics and map đ→d, for queries typed without accents."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


_model = None
_segmenter = None
_model_lock = threading.Lock()


def pyvi_model():
    """pyvi's CRF, loaded once per process (seconds and a hundred megabytes to import)."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                from pyvi.ViTokenizer import ViTokenizer

                _model = ViTokenizer
    return _model


def segmenter():
    """pyvi's labels from its own weights (analyzers.crf), without pyvi's
    per-syllable feature dicts; built once per process, after pyvi_model()."""
    global _segmenter
    if _segmenter is None:
        vi = pyvi_model()
        with _model_lock:
            if _segmenter is None:
                from analyzers.crf import Segmenter

                _segmenter = Segmenter(vi)
    return _segmenter


def _shown(syllable: str) -> tuple[str, bool, bool]:
    """A syllable as pyvi is shown it, whether it may join the previous
    one, and whether it starts with a digit."""
    shown = place_tone(syllable, MODERN)
    digit = shown[0].isdigit()
    return shown, shown not in string.punctuation and not digit, digit


_SHOWN = Memo(_shown)


def segment_labels(syllables: list[str]) -> list[bool]:
    """For each syllable, True when pyvi joins it to the previous one.

    Input must be lower-cased: pyvi's features look at letter case, and ALL-CAPS
    headings would otherwise segment differently from body text. pyvi's
    dictionary writes tones in the modern style (hoá, uỷ), so the syllables are
    shown to it in that style.
    """
    if len(syllables) < 2:  # one syllable: nothing to join, no need to ask
        return [False] * len(syllables)
    entries = list(map(_SHOWN.__getitem__, syllables))
    shown = [entry[0] for entry in entries]
    inside = segmenter().labels(shown)
    if inside is None:  # not lower case after all: pyvi decides
        vi = pyvi_model()
        inside = [label == "I_W" for label in vi.model.predict([vi.sent2features(shown, False)])[0]]
    # pyvi's tokenize never joins punctuation or digits.
    return [False, *(i and e[1] and not p[2] for i, e, p in zip(inside[1:], entries[1:], entries))]


class PyviSegmentFilter(Filter):
    """Join syllable tokens into pyvi words (``dân_tộc_thiểu_số``).

    Expects lower-cased syllable tokens carrying ``boundary`` (from
    SyllableTokenizer); never joins across a boundary. Positions are
    renumbered per word; offsets span the whole word.
    """

    def __call__(self, tokens):
        run = []
        next_pos = None
        for t in tokens:
            if t.boundary and run:
                for word in self._words(run, next_pos):
                    next_pos = word.pos + 1 if word.positions else None
                    yield word
                run = []
            run.append(t.copy())
        if run:
            yield from self._words(run, next_pos)

    @staticmethod
    def _words(run, next_pos):
        joins = segment_labels([t.text for t in run])
        groups = []
        for t, join in zip(run, joins):
            if join and groups:
                groups[-1].append(t)
            else:
                groups.append([t])
        for group in groups:
            word = group[0].copy()
            word.text = "_".join(t.text for t in group)
            if word.positions:
                word.pos = group[0].pos if next_pos is None else next_pos
                next_pos = word.pos + 1
            if word.chars:
                word.endchar = group[-1].endchar
            yield word


class PairFilter(Filter):
    """Each two adjacent syllables as one token, ``dân_vận``: proximity as a
    term lookup instead of position checks.

    Expects syllable tokens carrying ``line_start`` (from SyllableTokenizer)
    and never pairs across a line break: the last word of a paragraph and the
    first of the next are not side by side. Punctuation within a line does
    not part a pair, as it does not part a phrase: "DTTS&MN" is the pair
    dtts_mn. Positions are not kept (the fields store frequencies only).
    """

    def __call__(self, tokens):
        previous = None
        for t in tokens:
            if previous is not None and not t.line_start:
                pair = t.copy()
                pair.text = f"{previous}_{t.text}"
                yield pair
            previous = t.text
