"""Legacy Vietnamese encodings → Unicode: TCVN3 (ABC, the .VnTime fonts)
and VNI-Windows (the VNI-Times fonts).

Old documents were typed before Unicode, in 8-bit fonts:

- **TCVN3** (TCVN 5712:1993 "VN3"): one byte per letter, the accented
  lower-case letters in the upper half (read as Latin-1, ``KÕt luËn``). There
  are no accented capitals: a heading is set in a capital font (``.VnTimeH``)
  that draws the lower-case codes as capitals.
- **VNI-Windows**: a vowel is its base letter followed by a mark byte
  (``Keát luaän``); ơ, ư, đ and i with a tone are single bytes.

Two entry points:

- :func:`decode_legacy` for the bytes of a text file that is neither UTF-8 nor
  UTF-16: it says whether they are confidently TCVN3 or VNI, and converts
  them. Nothing is asked of the user, so the answer must be safe: each
  candidate decoding is scored by the share of its words that are valid
  Vietnamese syllables (:func:`is_syllable`), and one is accepted only when
  nearly all its words are and the other candidate is clearly worse. A file
  in the wrong encoding gives mojibake, which is worse than a skip.
- :func:`convert_run` for a .docx run set in a legacy font (the font name
  says the encoding; Word stores the bytes as their Windows-1252 characters).

Output is NFC with the project's tone placement (analyzers.normalize).
The code tables are data (data/legacy_encodings.toml), loaded here only;
that file says how they were derived and checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analyzers.datafiles import DataFileError, load_toml
from analyzers.normalize import nfc, normalize_syllable

DATA_FILE = Path(__file__).with_name("data") / "legacy_encodings.toml"

TCVN3 = "TCVN3"
VNI = "VNI"

# Detection thresholds. A candidate must make valid syllables of at least
# MIN_WORDS words (fewer say nothing: "mô" is TCVN3 "mụ" and VNI "mơ"),
# of at least MIN_SHARE of its scored words, and beat the other candidate's
# share by MIN_MARGIN. The sample documents score 0.999 and more in their
# own encoding and 0.05–0.16 in the other; French, German, Spanish and
# Portuguese text at most 0.13 in either.
MIN_WORDS = 4
MIN_SHARE = 0.9
MIN_MARGIN = 0.4
# Enough words to decide; scoring stops there on a long file.
MAX_SCORED = 4000

# Letters only Vietnamese Unicode text has (outside Latin-1): a run holding
# one is already Unicode, whatever font it is set in.
_UNICODE_VIETNAMESE = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9]")


# --- Code tables --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    tcvn3_bytes: dict[int, str]  # str.translate table: Latin-1 view of a byte → TCVN3 character
    tcvn3_chars: dict[int, str]  # the same for the Windows-1252 character of a byte (.docx runs)
    cp1252: dict[int, str]  # Latin-1 view of 0x80–0x9F → Windows-1252 character
    vni_letters: dict[str, str]  # VNI spelling (Windows-1252 characters) → letter
    vni_marks: frozenset[str]  # characters that are only marks, never a letter alone
    vni_pattern: re.Pattern
    tcvn3_encode: dict[str, int]  # character → byte, the ABC (VN3) letters only
    vni_encode: dict[str, str]  # letter → VNI spelling


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # undefined in Windows-1252: Windows gives the C1 control


@lru_cache(maxsize=1)
def tables() -> _Tables:
    """The code tables, read once from DATA_FILE."""
    raw = load_toml(DATA_FILE)
    try:
        tcvn3 = {int(key, 16): value for key, value in raw["tcvn3"]["bytes"].items()}
        vni = dict(raw["vni"]["letters"])
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise DataFileError(f"{DATA_FILE}: bảng mã sai cấu trúc ({error})") from None
    if sorted(tcvn3) != list(range(0x80, 0x100)) or not all(isinstance(v, str) and len(v) == 1 for v in tcvn3.values()):
        raise DataFileError(f"{DATA_FILE}: [tcvn3.bytes] phải có đủ 128 byte 80–FF, mỗi byte một ký tự")
    cp1252 = {b: _cp1252(b) for b in range(0x80, 0xA0)}
    tcvn3_chars = {ord(_cp1252(b)): tcvn3[b] for b in range(0x80, 0x100)}
    spellings = {spelling: letter for letter, spelling in vni.items()}
    single = {s for s in spellings if len(s) == 1}
    marks = frozenset(s[-1] for s in spellings if len(s) == 2) - single
    # Two-character spellings first: "ôù" is ớ, "ô" alone ơ. A lone mark is
    # matched too, to be told apart (it means the text is not VNI).
    alternatives = sorted(spellings, key=len, reverse=True) + sorted(marks)
    pattern = re.compile("|".join(map(re.escape, alternatives)))
    # The ABC layout has no accented capitals (nor VN2's combining tones):
    # an encoder writes them as .VnTimeH does, with the lower-case codes.
    encode = {}
    for byte, char in tcvn3.items():
        if byte >= 0xA0 and (unicodedata.combining(char) or (char.isupper() and _has_tone(char))):
            continue
        encode[char] = byte
    return _Tables(tcvn3, tcvn3_chars, cp1252, spellings, marks, pattern, encode, vni)


def _has_tone(char: str) -> bool:
    return any(c in _TONE_MARKS for c in unicodedata.normalize("NFD", char))


# --- Vietnamese syllables -----------------------------------------------------------------

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_STOP_TONES = ("\u0301", "\u0323")  # a syllable closed by c/ch/p/t takes sắc or nặng only

_INITIALS = sorted(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split() + [""],
    key=len,
    reverse=True,
)
# Rhymes (vần) without tone: the vowel nucleus, then at most one final.
_OPEN_RHYMES = (
    "a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui ưa ưi ưu uy uơ "
    "iêu yêu oai oao oay oeo uây uôi ươi ươu uya uyu"
).split()
_CLOSED_RHYMES = {
    # nucleus: the finals it takes
    "a": "m n ng nh c ch p t", "ă": "m n ng c p t", "â": "m n ng c p t",
    "e": "m n ng c p t", "ê": "m n nh ch p t", "i": "m n nh ch p t",
    "o": "m n ng c p t", "oo": "ng c", "ô": "m n ng c p t", "ơ": "m n p t",
    "u": "m n ng c p t", "ư": "m n ng c t",
    "iê": "m n ng c p t", "yê": "m n ng t",
    "oa": "m n ng nh c ch p t", "oă": "m n ng c t", "oe": "m n t",
    "uâ": "n ng t", "uê": "nh ch n", "uy": "n nh ch t", "uyê": "n t",
    "uô": "m n ng c t", "ươ": "m n ng c p t",
}
# Place names of the Central Highlands spell a final k (Đắk Lắk, Pắk).
_K_RHYMES = "ăk ak ôk ơk".split()
_RHYMES = frozenset(_OPEN_RHYMES + _K_RHYMES) | frozenset(
    nucleus + final for nucleus, finals in _CLOSED_RHYMES.items() for final in finals.split()
)
_STOPS = ("c", "ch", "p", "t", "k")


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True when ``word`` (any case, any tone placement) is a well-formed
    Vietnamese syllable: an initial consonant, a rhyme and at most one tone,
    a syllable closed by c/ch/p/t taking only sắc or nặng.

    Built from the structure of the syllable; it accepts every syllable of
    pyvi's dictionary and of the sample corpus but loanwords (``blốc``,
    ``pêđan``) and abbreviations (``HĐND``)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in decomposed if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    tone = tones[0] if tones else ""
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    for initial in _INITIALS:
        if not base.startswith(initial):
            continue
        rhyme = base[len(initial) :]
        known = (
            rhyme in _RHYMES
            # qu/gi absorb the rhyme's u/i: quyết = qu + (u)yêt, giếng = gi + (i)êng
            or (initial == "qu" and "u" + rhyme in _RHYMES)
            or (initial == "gi" and "i" + rhyme in _RHYMES)
        )
        if known and (not rhyme.endswith(_STOPS) or tone in _STOP_TONES):
            return True
    return False


_VOWELS = frozenset("aăâeêioôơuưy")


def _word_verdict(text: str) -> bool | None:
    """True for a Vietnamese syllable, False for anything else, None for a
    word that says nothing either way: an abbreviation without vowels
    (HĐND, QĐ, BCĐ are valid text in either encoding)."""
    text = nfc(text)
    if not text.isalpha():
        return False
    base = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    base = base.replace("đ", "d")
    if base.isascii() and not any(c in _VOWELS for c in base):
        return None
    return is_syllable(text)


# --- Decoding -----------------------------------------------------------------------------


def _tcvn3(data: bytes) -> str:
    return data.decode("latin-1").translate(tables().tcvn3_bytes)


def _vni_chars(text: str, orphans: list[str] | None = None) -> str:
    """VNI text (Windows-1252 characters) → Unicode letters, not yet NFC.
    A mark with no letter before it is kept and listed in ``orphans``."""
    t = tables()

    def letter(match: re.Match) -> str:
        spelled = match.group()
        found = t.vni_letters.get(spelled)
        if found is None:
            if orphans is not None:
                orphans.append(spelled)
            return spelled
        return found

    return t.vni_pattern.sub(letter, text)


def _vni(data: bytes, orphans: list[str] | None = None) -> str:
    return _vni_chars(data.decode("latin-1").translate(tables().cp1252), orphans)


def _finish(text: str) -> str:
    """NFC and the project's tone placement."""
    return normalize_syllable(nfc(text))


# Words for scoring, cut out of the bytes the same way for both candidates:
# runs of ASCII letters and upper-half bytes. 0x80–0xA0 are punctuation
# (curly quotes, dashes) and the no-break space in both encodings. One-byte
# words are left out: a lone vowel (ở, ý) is a syllable in both, and random
# bytes make many of them.
_WORD_BYTES = re.compile(rb"[A-Za-z\xa1-\xff]{2,}")
# Control characters no text file holds (tab, line and page breaks do; so
# does a DOS end-of-file mark, 0x1A, at the very end).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]|\x1a(?!\x1a*\Z)")


@dataclass(frozen=True)
class Score:
    valid: int  # words read as Vietnamese syllables
    scored: int  # words with an upper-half byte (ASCII words read the same in both)

    @property
    def share(self) -> float:
        return self.valid / self.scored if self.scored else 0.0


def score(data: bytes, encoding: str) -> Score:
    """How well ``data`` reads in ``encoding`` (TCVN3 or VNI)."""
    valid = scored = 0
    seen: dict[bytes, bool | None] = {}  # a document repeats its words
    for match in _WORD_BYTES.finditer(data):
        word = match.group()
        if word.isascii():
            continue
        if word in seen:
            verdict = seen[word]
        else:
            if encoding == TCVN3:
                verdict = _word_verdict(_tcvn3(word))
            else:
                orphans: list[str] = []
                text = _vni(word, orphans)
                verdict = False if orphans else _word_verdict(text)
            seen[word] = verdict
        if verdict is None:
            continue
        scored += 1
        valid += verdict
        if scored >= MAX_SCORED:
            break
    return Score(valid, scored)


def _is_unicode_already(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True  # ASCII is UTF-8 too


def detect_legacy(data: bytes) -> str | None:
    """TCVN3 or VNI when ``data`` is confidently in that encoding, else None."""
    if _is_unicode_already(data) or _CONTROL_BYTES.search(data):
        return None  # UTF-8/ASCII, or UTF-16 and binary (NUL and other control bytes)
    scores = {TCVN3: score(data, TCVN3), VNI: score(data, VNI)}
    best, other = sorted(scores, key=lambda name: scores[name].share, reverse=True)
    chosen, rival = scores[best], scores[other]
    if chosen.valid < MIN_WORDS or chosen.share < MIN_SHARE or chosen.share - rival.share < MIN_MARGIN:
        return None
    return best


def decode_legacy(data: bytes) -> tuple[str, str] | None:
    """``(text, "TCVN3" | "VNI")`` when ``data`` is confidently TCVN3 or VNI
    text, else None (UTF-8, ASCII, Western Latin-1 or Windows-1252 text,
    binary, or too little to tell). The text is NFC with the project's tone
    placement; line ends are left as they are."""
    encoding = detect_legacy(data)
    if encoding is None:
        return None
    data = data.rstrip(b"\x1a")  # a DOS end-of-file mark is not text
    if encoding == TCVN3:
        return recapitalise(_finish(_tcvn3(data))), encoding
    return _finish(_vni(data)), encoding


_WORD = re.compile(r"[^\W\d_]+")
# Where a sentence or a table cell starts: after a sentence end, a tab, or a
# list marker opening a line ("2. ", "a) ", "- "), Markdown stars between.
# A bare line start is not one: hard-wrapped text goes on in lower case.
_STARTS = re.compile(r"(?:[.!?]\s|\t|^\s*[*]*(?:\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-–•+])\s)[\s*]*$")


@lru_cache(maxsize=1)
def _no_capital() -> frozenset[str]:
    """Lower-case letters TCVN3 has no capital for (all accented but ă â ê ô ơ ư đ)."""
    t = tables()
    return frozenset(c for c in t.tcvn3_encode if c.islower() and not c.isascii() and c.upper() not in t.tcvn3_encode)


def _capitals_lost(word: str) -> bool:
    """A word of capitals whose accented letters TCVN3 could only write in
    lower case: its lower-case letters are all accented ones."""
    lower = [c for c in word if c.islower()]
    return bool(lower) and not any(c.isascii() for c in lower) and any(c.isupper() for c in word)


def recapitalise(text: str) -> str:
    """Capitals back in text typed in TCVN3, which has no accented capitals.
    A word with a capital after its first letter is a word of capitals
    ("KếT LUậN" → "KẾT LUẬN"); one capitalised at its first letter only
    ("Hà" in "Hà GIANG") follows a capital word beside it, space apart; an
    accented first letter starting a sentence or a cell is a capital
    ("ủy ban" → "Ủy ban"). Abbreviations ("TNCS Hồ Chí Minh") make no
    capitals, and "Đà Nẵng", "Tỉnh ủy" are left alone.

    >>> recapitalise("KếT LUậN của Ban Thường vụ Tỉnh ủy")
    'KẾT LUẬN của Ban Thường vụ Tỉnh ủy'
    >>> recapitalise("UBND TỉNH Hà GIANG; Đà Nẵng. ủy ban, Đoàn TNCS Hồ Chí Minh")
    'UBND TỈNH HÀ GIANG; Đà Nẵng. Ủy ban, Đoàn TNCS Hồ Chí Minh'
    """
    no_capital = _no_capital()
    lines = []
    for line in text.split("\n"):
        spans = [m.span() for m in _WORD.finditer(line)]
        words = [line[a:b] for a, b in spans]
        words = [w.upper() if _capitals_lost(w) and any(c.isupper() for c in w[1:]) else w for w in words]

        def capital_beside(i: int, j: int) -> bool:
            if not 0 <= j < len(words):
                return False
            gap = line[spans[min(i, j)][1] : spans[max(i, j)][0]]
            word = words[j]
            return gap.isspace() and len(word) > 1 and word.isupper() and is_syllable(word.lower())

        for i, word in enumerate(words):
            if _capitals_lost(word) and not word.isupper() and (capital_beside(i, i - 1) or capital_beside(i, i + 1)):
                words[i] = word.upper()
            elif word[0] in no_capital and _STARTS.search(line[: spans[i][0]]):
                words[i] = word[0].upper() + word[1:]
        pieces, at = [], 0
        for (a, b), word in zip(spans, words):
            pieces += [line[at:a], word]
            at = b
        lines.append("".join(pieces) + line[at:])
    return "\n".join(lines)


# --- Encoding (the inverse tables; tests build legacy files with it) ----------------------


def encode_legacy(text: str, encoding: str) -> bytes:
    """``text`` as a TCVN3 or VNI file would hold it. TCVN3 has no accented
    capitals: they are written with the lower-case codes, as in a .VnTimeH
    heading. A character the encoding cannot hold becomes ``?``."""
    t = tables()
    out = bytearray()
    if encoding == TCVN3:
        for ch in nfc(text):
            if ch.isascii():
                out.append(ord(ch))
            elif ch in t.tcvn3_encode:
                out.append(t.tcvn3_encode[ch])
            elif ch.lower() in t.tcvn3_encode:
                out.append(t.tcvn3_encode[ch.lower()])
            else:
                out += b"?"
        return bytes(out)
    if encoding != VNI:
        raise ValueError(f"unknown legacy encoding: {encoding}")
    for ch in nfc(text):
        spelled = t.vni_encode.get(ch, ch)
        try:
            out += spelled.encode("cp1252")
        except UnicodeEncodeError:
            out += b"?"
    return bytes(out)


# --- Word runs ----------------------------------------------------------------------------


def font_encoding(font: str | None) -> tuple[str, bool] | None:
    """``(encoding, capitals)`` for a legacy font name, else None.

    ``.VnTime``, ``.VnArial``… are TCVN3 fonts; a name ending in ``H``
    (``.VnTimeH``, ``.VnArialH``) is the all-capital font of the pair, whose
    lower-case codes draw capitals. ``VNI-Times``, ``VNI-Helve``… are VNI."""
    name = (font or "").strip()
    if name.lower().startswith(".vn"):
        return TCVN3, name.endswith("H")
    if re.match(r"(?i)vni[- ]", name):
        return VNI, False
    return None


def convert_run(text: str, font: str | None) -> str:
    """The Unicode text of a .docx run set in ``font``: converted when the
    font is a TCVN3 or VNI font, unchanged otherwise.

    Word stores a run in an 8-bit font as the Windows-1252 characters of its
    bytes, so TCVN3 is read through Windows-1252 and VNI's mark characters
    are Windows-1252 already. A run that already holds Unicode Vietnamese
    letters (text converted while the font was left) is not converted again."""
    legacy = font_encoding(font)
    if legacy is None or not text or _UNICODE_VIETNAMESE.search(text):
        return text
    encoding, capitals = legacy
    if encoding == TCVN3:
        converted = text.translate(tables().tcvn3_chars)
        if capitals:
            converted = converted.upper()
    else:
        converted = _vni_chars(text)
    return _finish(converted)
