"""Text normalisation for Vietnamese: Unicode form, look-alike letters, tone
placement and diacritic folding.

Everything here keeps the length of a precomposed (NFC) string unchanged, so
character offsets computed on normalised text are valid on the stored text.

>>> normalize_syllable("hoá"), normalize_syllable("Tỉnh uỷ"), normalize_syllable("quý")
('hóa', 'Tỉnh ủy', 'quý')
>>> fold("Đảng ủy")
'Dang uy'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache, partial

from analyzers.memo import Memo

# Combining tone marks (dấu thanh). Vowel-quality marks (circumflex, breve,
# horn) are part of the letter and never move.
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONE_SET = frozenset(_TONES)

# OCR and legacy fonts produce look-alikes of Đ/đ.
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ"})

_VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_MARKED_VOWELS = frozenset("ăâêôơưĂÂÊÔƠƯ")

# Python's \w also matches superscript digits (Unicode "No"), and documents
# write footnote markers as ¹ ² ⁴ ¹⁰ glued to the word: "cơ sở⁴" must give
# "sở", not "sở⁴". These classes exclude the whole superscript block.
_SUPERSCRIPTS = "\u00b2\u00b3\u00b9\u2070-\u209f"
WORD_CHAR = f"[^\\W_{_SUPERSCRIPTS}]"  # letter or decimal digit
LETTER = f"[^\\W\\d_{_SUPERSCRIPTS}]"
_SYLLABLE = re.compile(rf"(?:{LETTER}|[\u0300-\u036f])+")

# pyvi's dictionary writes "hoá", "uỷ" (tone on the second vowel of an open
# oa/oe/uy); our canonical form is the traditional "hóa", "ủy".
TRADITIONAL = "traditional"
MODERN = "modern"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fix_lookalikes(text: str) -> str:
    # Three C scans, where translate looks every character up in a dict.
    if "\u00d0" in text or "\u0189" in text or "\u00f0" in text:
        return text.translate(_LOOKALIKES)
    return text


def _tone_of(decomposed: str) -> tuple[str, str]:
    """Split an NFD syllable into (syllable without tone, tone mark or '')."""
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONE_SET:
            tone = tone or ch
        else:
            kept.append(ch)
    return "".join(kept), tone


def _tone_index(base: str, style: str) -> int | None:
    """Index in ``base`` (NFC, toneless) of the vowel that carries the tone."""
    lower = base.lower()
    start = 0
    # "qu" and "gi" are consonants: their u / i never carry the tone
    # (quý, già), unless "gi" is the whole vowel part (gìn has i as vowel).
    if lower.startswith("qu"):
        start = 2
    elif lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    i = start
    while i < len(base) and base[i] not in _VOWELS:
        i += 1
    first = i
    while i < len(base) and base[i] in _VOWELS:
        i += 1
    nucleus = range(first, i)
    if not nucleus:
        return None
    has_final = i < len(base)
    for j in nucleus:
        if base[j] in _MARKED_VOWELS:
            # ươ: the tone sits on ơ.
            if lower[j] == "ư" and j + 1 < i and lower[j + 1] == "ơ":
                return j + 1
            return j
    size = len(nucleus)
    if size == 1:
        return first
    if size == 3 or has_final:
        return first + 1
    pair = lower[first : first + 2]
    if pair in ("oa", "oe", "uy"):
        return first if style == TRADITIONAL else first + 1
    return first


# Vietnamese has a few thousand distinct syllables: indexing calls this once
# per syllable of every text, so each is worked out once per process.
@lru_cache(maxsize=65536)
def place_tone(syllable: str, style: str = TRADITIONAL) -> str:
    """Put the tone mark of one syllable on the vowel ``style`` wants."""
    decomposed = unicodedata.normalize("NFD", syllable)
    base_nfd, tone = _tone_of(decomposed)
    if not tone:
        return syllable
    base = nfc(base_nfd)
    index = _tone_index(base, style)
    if index is None:
        return syllable
    placed = base[:index] + nfc(base[index] + tone) + base[index + 1 :]
    result = nfc(placed)
    # Never change length: offsets depend on it. A syllable we cannot place
    # (foreign word, OCR debris) stays as it was.
    return result if len(result) == len(syllable) else syllable


_SYLLABLE_SPLIT = re.compile(f"({_SYLLABLE.pattern})")


def _place_tones(chunk: str, style: str) -> str:
    parts = _SYLLABLE_SPLIT.split(chunk)
    parts[1::2] = [place_tone(syllable, style) for syllable in parts[1::2]]
    return "".join(parts)


_CHUNKS = {style: lru_cache(maxsize=65536)(partial(_place_tones, style=style)) for style in (TRADITIONAL, MODERN)}


def normalize_syllable(text: str, style: str = TRADITIONAL) -> str:
    """Normalise every syllable of ``text`` (which must be NFC)."""
    # No syllable spans a space, so the text is normalised a space-separated
    # chunk at a time, and a chunk ("tỉnh", "uỷ,") is worked out once per
    # process: the same few tens of thousands recur in every document.
    return " ".join(map(_CHUNKS[style], fix_lookalikes(text).split(" ")))


# Indexing normalises most texts two or three times (topic cues, citations,
# metadata), a few sections apart.
@lru_cache(maxsize=256)
def normalize_text(text: str) -> str:
    """NFC, look-alike letters and one tone-placement style."""
    return normalize_syllable(nfc(text))


_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d"})


def _fold_char(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ch.translate(_FOLD_EXTRA)) if not unicodedata.combining(c))


def _folded_character(code: int) -> int | str:
    """A code point's entry in the str.translate table of folded forms:
    itself, or what it folds to."""
    ch = chr(code)
    folded = _fold_char(ch)
    return code if folded == ch else folded


# The table, filled as characters are met (a few hundred in practice).
# Folding is character by character (a mark that NFD reorders is dropped
# anyway), so one table pass gives what NFD and dropping the marks give,
# at a third of the cost.
_FOLDED = Memo(_folded_character)


def fold(text: str) -> str:
    """Remove all diacritics; map đ→d (stripping marks alone leaves đ)."""
    return text.translate(_FOLDED)


def fold_key(text: str) -> str:
    """Case-, accent- and spacing-insensitive key for names (issuer, province)."""
    return " ".join(fold(normalize_text(text)).lower().split())


# Topic cues ask it of every match of a folded cue: the same few phrases.
@lru_cache(maxsize=4096)
def has_diacritics(text: str) -> bool:
    return fold(text) != text
