"""Citations of other documents in running text.

``Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy về tiếp tục
thực hiện Đề án …`` gives the number, the type (from the word before), the date,
the issuer (``của …``) and the subject (``về …``). Numbers are found with
``analyzers.docnumber`` only.

>>> [(c.key, c.doc_type, c.date, c.issuer) for c in extract_citations(
...     "theo Quyết định số 217, 218-QĐ/TW, ngày 12/12/2013 của Bộ Chính trị (khóa XI);")]
[('217-QD/TW', 'Quyết định', '2013-12-12', 'Bộ Chính trị'), ('218-QD/TW', 'Quyết định', '2013-12-12', 'Bộ Chính trị')]
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from analyzers.docnumber import find_numbers, number_key
from analyzers.forms import lowered_forms
from analyzers.normalize import fold, nfc

# Document types: label (sentence case) and the type codes used in numbers.
# Party "Quy định" numbers use QĐ like "Quyết định" (11-QĐ/TW).
DOC_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Kết luận", ("KL",)),
    ("Báo cáo", ("BC",)),
    ("Kế hoạch", ("KH",)),
    ("Thông báo", ("TB",)),
    ("Nghị quyết", ("NQ",)),
    ("Chỉ thị", ("CT",)),
    ("Quyết định", ("QĐ",)),
    ("Quy định", ("QĐi", "QĐ")),
    ("Quy chế", ("QC",)),
    ("Hướng dẫn", ("HD",)),
    ("Chương trình", ("CTr",)),
    ("Đề án", ("ĐA",)),
    ("Tờ trình", ("TTr",)),
    ("Công văn", ("CV",)),
    ("Nghị định", ("NĐ",)),
    ("Thông tư", ("TT",)),
)


def type_codes(doc_type: str) -> tuple[str, ...]:
    """Folded upper-case codes of a type label: "Quy định" -> ("QDI", "QD")."""
    for label, codes in DOC_TYPES:
        if label == doc_type:
            return tuple(fold(c).upper() for c in codes)
    return ()


def type_for_code(code: str) -> str:
    """The type label of a number's type code ("KL" -> "Kết luận"), first match."""
    wanted = fold(code).upper()
    for label, codes in DOC_TYPES:
        if wanted in (fold(c).upper() for c in codes):
            return label
    return ""


@dataclass(frozen=True)
class Citation:
    number: str  # as written: "69 -KL/TU"
    key: str  # number_key: "69-KL/TU"
    doc_type: str  # "Kết luận", or "" when no type word precedes the number
    date: str  # ISO, or ""
    issuer: str  # "Ban Thường vụ Tỉnh ủy", or ""
    subject: str  # the "về …" phrase without "về", or ""
    start: int  # span of the number in the text
    end: int


_TYPE_WORDS = "|".join(re.escape(fold(label).lower()) for label, _ in DOC_TYPES)
_TYPE_RE = re.compile(rf"(?<!\w)({_TYPE_WORDS})(?!\w)")
# What may stand between a type word and the number: "số", a few lower-case
# words before "số" ("Chương trình hành động số"), and for "số 217, 218-QĐ/TW"
# the bare numbers that share the suffix.
_BETWEEN_RE = re.compile(r"(?:(?:\s+[^\W\d_]+){0,4}?\s+so)?\s*((?:\d{1,5}\s*(?:,|va)\s*)*)$")
_NUMBER_LINE_RE = re.compile(r"(?:^|\n)[\s*#_\\]*so\s*:?\s*$")  # "Số 426-BC/HU": the own number

_SEP = r"[\s*_]*"  # spacing and stray markup ("ngày 19/4/2026*  \n*của")
_DATE_RE = re.compile(
    rf"{_SEP},?{_SEP}ngày\s+(?:(\d{{1,2}})\s*([/.\-])\s*(\d{{1,2}})\s*\2\s*(\d{{4}})"
    rf"|(\d{{1,2}})\s+tháng\s+(\d{{1,2}})\s+năm\s+(\d{{4}}))"
)
_ISSUER_START_RE = re.compile(rf"{_SEP},?{_SEP}(?:của|giữa)\s+")
# Where an issuer name ends: punctuation, markup, or a word that starts the
# rest of the sentence (subject, term of office, verb).
_ISSUER_END_RE = re.compile(
    r"[,;.()<\n*\"“”\[\]¹²³⁴⁵⁶⁷⁸⁹⁰]|\s(?:về|khóa|tại|phê duyệt|thực hiện|ban hành|thành lập|triển khai"
    r"|hướng dẫn|đối với|giai đoạn|năm|ngày|để|nhằm|trong|trên|với|theo|ở|đến|phải|có|đã|được|là|cho"
    r"|gắn|lần|nhiệm kỳ)(?!\w)"
    # "… của Bộ Chính trị và Quyết định số …": the next citation, not a joint issuer.
    + r"|\s+và\s+(?=" + "|".join(re.escape(label.lower()) for label, _ in DOC_TYPES) + ")"
)
_SUBJECT_START_RE = re.compile(rf"{_SEP}(?:\(?\s*khóa\s+[ivxlc]+\s*\)?)?{_SEP},?{_SEP}về\s+")
_SUBJECT_END_RE = re.compile(r";|\.(?:\s|$)|\n|<sup>|[¹²³⁴⁵⁶⁷⁸⁹⁰]|\(sau đây|,\s*nhằm\s|\s+để\s")
# A comma followed (within a few words) by a type word and a number starts the
# next citation of a list.
_NEXT_CITATION_RE = re.compile(rf",\s*(?:[^\W\d_]+\s+){{0,3}}?(?:{_TYPE_WORDS})(?:\s+[^\W\d_]+){{0,4}}?\s+(?:so\s+)?\d")


def _iso(day: str, month: str, year: str) -> str:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


def _doc_type(folded: str, start: int) -> tuple[str, list[tuple[int, int]]]:
    """Type word before the number at ``start`` (nearest one wins) and the spans
    of bare numbers listed before it ("217, " in "số 217, 218-QĐ/TW")."""
    window_start = max(0, start - 80)
    window = folded[window_start:start]
    best = None
    for m in _TYPE_RE.finditer(window):
        between = _BETWEEN_RE.match(window, m.end())
        if between:
            best = (m, between)
    if best is None:
        return "", []
    m, between = best
    label = next(label for label, _ in DOC_TYPES if fold(label).lower() == m.group(1))
    shift = window_start + between.start(1)
    extra = [(shift + n.start(), shift + n.end()) for n in re.finditer(r"\d{1,5}", between.group(1))]
    return label, extra


def _details(text: str, lowered: str, folded: str, pos: int) -> tuple[str, str, str]:
    """Date, issuer and subject that follow a number ending at ``pos``.

    Patterns run on ``lowered`` (same offsets as ``text``); values come from ``text``."""
    date = ""
    m = _DATE_RE.match(lowered, pos)
    if m:
        day, month, year = (m.group(1), m.group(3), m.group(4)) if m.group(1) else m.group(5, 6, 7)
        date = _iso(day, month, year)
        pos = m.end()
    issuer = ""
    m = _ISSUER_START_RE.match(lowered, pos)
    if m:
        end = _ISSUER_END_RE.search(lowered, m.end())
        stop = end.start() if end else len(text)
        words = text[m.end() : stop].split()[:12]
        issuer = " ".join(words)
        pos = m.end() + len(text[m.end() : stop].rstrip()) if words else pos
    subject = ""
    m = _SUBJECT_START_RE.match(lowered, pos)
    if m:
        end = _SUBJECT_END_RE.search(lowered, m.end())
        stop = end.start() if end else len(text)
        following = _NEXT_CITATION_RE.search(folded[m.end() : stop])
        if following:
            stop = m.end() + following.start()
        subject = " ".join(text[m.end() : stop].split()).strip(" ,:*_\"“”")
    return date, issuer, subject


def extract_citations(text: str) -> list[Citation]:
    """Every cited document number in ``text`` (NFC), in text order.

    A number alone on a ``Số …`` line is the document's own number, not a
    citation, and is skipped."""
    return list(_citations(text))


# Indexing reads a document's whole text twice (its issuer, then its
# citations for the numbers inferred across documents).
@lru_cache(maxsize=16)
def _citations(text: str) -> tuple[Citation, ...]:
    numbers = find_numbers(text)
    if not numbers:  # most sections cite nothing: no need to fold them
        return ()
    # normalize_text, then lower case ("khoá" = "khóa") and folded; split on
    # spaces alone, so that the forms' offsets are the text's
    forms = lowered_forms(nfc(text).split(" "))
    lowered, folded = " ".join([form[0] for form in forms]), " ".join([form[1] for form in forms])
    if len(folded) != len(text) or len(lowered) != len(text):  # offsets must align
        folded = folded[: len(text)].ljust(len(text))
        lowered = lowered[: len(text)].ljust(len(text))
    found: list[Citation] = []
    for number in numbers:
        if _NUMBER_LINE_RE.search(folded, max(0, number.start - 40), number.start):
            continue
        doc_type, listed = _doc_type(folded, number.start)
        date, issuer, subject = _details(text, lowered, folded, number.end)
        # "217, 218-QĐ/TW": 217 takes the suffix of 218-QĐ/TW.
        suffix = re.sub(r"^\d+", "", number.text)
        for start, end in listed:
            written = text[start:end] + suffix
            found.append(Citation(written, number_key(written), doc_type, date, issuer, subject, start, end))
        found.append(Citation(number.text, number.key, doc_type, date, issuer, subject, number.start, number.end))
    return tuple(found)

