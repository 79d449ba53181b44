"""Document text → :class:`ParsedDocument`: head lines, sections, footnotes,
recipients and signature. A pure function of the decoded text.

Rules (what a reader of the sample documents calls a section):

* **Head.** The lines above the body: place-date line, ``Số …``, the type
  word (``KẾT LUẬN``…), the title lines, a receiving stamp (``Số đến: 819``).
  They are the leading units that are not headings, bullets or footnotes and
  do not read as prose (prose ends with ``.!?…``, or with ``:;`` after more
  than 12 words, or has two sentences or more than 80 words). Kept line by
  line; a line without a letter or digit (a lone escaped asterisk) is dropped.
* **Headings** come from the numbering only, never from the markdown ``#``
  level. Ranks, outermost first: ``Phần thứ nhất/I/1`` < ``Chương`` <
  ``Mục 1`` < ``Điều 1`` < Roman ``I.``/``II-`` < an unnumbered ``#`` or
  bold line < Arabic ``1.``/``1-``/``1)`` < ``2.1`` < ``1.1.1`` <
  ``1.1.1.1`` < ``(1)`` < ``a)``. A heading is the child of the nearest
  preceding heading of a lower rank, so restarted numbering (``1.1`` under
  ``2.``) and out-of-order numbering (``2.2`` before ``2.1``) nest where
  they stand. OCR-spaced numbers (``1 2 2. Nguyên nhân``) read as ``1.2.2.``.
  Appendices (``PHỤ LỤC``, ``BIỂU TỔNG HỢP…``, and the first bold or capital
  line after the signature) are outermost sections.
* A numbered line is a **title** when it is bold or a markdown heading, or
  when it has no terminal punctuation, no second sentence, at most 250
  characters and is not continued by a lower-case paragraph. Otherwise it is
  a **numbered paragraph** (``1. Năm năm qua, cấp ủy…``, ``(1) Vận động…``,
  ``3.1. Các huyện ủy…``): still a section — passage retrieval works best
  on these units — whose heading is the number plus the first sentence,
  shortened to 120 characters at a word boundary (``…``), and whose text is
  the whole item. A bold pseudo-heading ``**1. Ủy ban nhân dân tỉnh:** text``
  gives heading ``1. Ủy ban nhân dân tỉnh`` and text ``text``. ``Phần`` /
  ``Chương`` / ``Mục`` / ``PHỤ LỤC`` alone on a line take the next bold,
  ``#`` or capital line as their title (``Phần thứ nhất. TÌNH HÌNH…``).
  ``-`` bullets are body text.
* **Page breaks.** A paragraph without terminal punctuation continues in the
  next paragraph when that one starts in lower case, or when a page
  separator (``---``) or a block of footnote texts stands between them. The
  halves are joined with one space. Headings and tables never join.
* **Footnotes.** A paragraph starting with ``<sup>n</sup>`` or ``¹ ²…`` is a
  footnote text. It leaves the body and goes to the section holding its
  marker (the last marker with that number before the note, else the first
  after it; else the section where the note stood). Markers are written
  ``¹ ¹⁰`` in clean text.
* **Footer.** ``Nơi nhận:`` and its ``-`` list give ``recipients``; the
  signature block (``T/M …``, ``K/T …``, ``CHÁNH VĂN PHÒNG``…, optional
  ``(đã ký, đóng dấu)``, then the signer's name) gives ``signature_lines``.
  Both leave the body; what follows them is body again (appendices).
* **Clean text**: no markdown emphasis or ``#``, no HTML tags, no ``---``
  lines, single spaces; paragraphs separated by a blank line; bullets kept as
  ``- …`` lines; table rows as cells joined by `` | ``, one row a line.
* **Section ids** are ASCII anchors built from the numbering path
  (``phan-1-I-2``, ``II-3``, ``2-1``, ``2-1-i1`` for ``(1)``, ``chuong-I-dieu-2``,
  ``phu-luc``); a dotted number replaces its parent's number (``III-2`` →
  ``III-2-1``). Collisions get ``-2``, ``-3``. The opening is ``mo-dau``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from analyzers.normalize import fold, nfc
from analyzers.superscript import SUPERSCRIPT_DIGITS, SUPERSCRIPT_RUN, from_superscript, to_superscript
from indexer.model import Footnote, ParsedDocument, Section

OPENING_ID = "mo-dau"
HEADING_MAX = 120  # characters of a numbered paragraph's first sentence in its heading
TITLE_MAX = 250  # longer numbered lines are paragraphs, not titles

# ---------------------------------------------------------------- cleaning

_TAG_SUP = re.compile(r"<sup>\s*(.*?)\s*</sup>", re.IGNORECASE | re.DOTALL)
_TAG_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_LEADING_HASHES = re.compile(r"^\s*#{1,6}(?=\s|\*|$)\s*")
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_PROTECT = "\ue000"


def _sup(match: re.Match) -> str:
    inner = match.group(1)
    return to_superscript(inner) if inner.isdigit() else f" {inner} "


def clean_inline(text: str) -> str:
    """One line (or soft-wrapped paragraph) without markup, single-spaced."""
    # Entities first: "&lt;script&gt;" must meet the tag stripper as a tag,
    # not come out of it as live markup.
    # Each pattern needs its first character in the text: most lines have
    # none of them, and skip the scans.
    text = html.unescape(text) if "&" in text else text
    if "#" in text:
        text = _LEADING_HASHES.sub("", text)
    if "<" in text:
        text = _TAG_SUP.sub(_sup, text)
        text = _TAG_BR.sub(" ", text)
        text = _TAG.sub("", text)
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: _PROTECT + m.group(1), text)
    text = text.replace("*", "")
    text = text.replace(_PROTECT, "")
    text = _INVISIBLE.sub("", text)
    return " ".join(text.split())  # str.split and re's \s know the same spaces


def _has_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


_CLOSERS = " \"”’'»)]*_"
_TERMINAL = ".!?:;…"


def _terminated(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _starts_lower(text: str) -> bool:
    stripped = text.lstrip("\"“‘'«([")
    return bool(stripped) and stripped[0].islower()


def _starts_upper(text: str) -> bool:
    stripped = text.lstrip("\"“‘'«([")
    return bool(stripped) and stripped[0].isupper()


_SENTENCE_END = re.compile(r"[.!?]+[\"”’)]*\s+(\S)")
_FIRST_SENTENCE_END = re.compile(r"[.!?;…](?=[\"”’)]*(?:\s|$))")


def _second_sentence(text: str) -> bool:
    return any(m.group(1)[0].isupper() or m.group(1)[0].isdigit() for m in _SENTENCE_END.finditer(text))


def _shorten(text: str, limit: int = HEADING_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def first_sentence(text: str, limit: int = HEADING_MAX) -> str:
    """The first sentence or clause of ``text``, shortened for a heading."""
    match = _FIRST_SENTENCE_END.search(text)
    sentence = text[: match.start()] if match else text
    sentence = sentence.strip().rstrip(":").strip()
    return _shorten(sentence or text.strip(), limit)


def anchor_token(text: str, words: int = 4) -> str:
    ascii_text = fold(text).lower()
    parts = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(parts[:words]) or "muc"


# ---------------------------------------------------------------- units


_SEPARATOR = re.compile(r"^\s*(?:[-_*]\s*){3,}$")
_BULLET = re.compile(r"^\s*(?:[-+•–]|\*(?!\*))\s+")
_NOTE_START = re.compile(
    rf"^\s*(?:<sup>\s*(\d{{1,3}})\s*</sup>|([{SUPERSCRIPT_DIGITS}]{{1,3}}))\s*(?=\S)", re.IGNORECASE
)
_NOI_NHAN = re.compile(r"^\W*n[ơo]i\s+nh[ậa]n\b\s*:?\s*(.*)$", re.IGNORECASE)


@dataclass
class _Unit:
    index: int
    lines: list[str]  # raw lines
    kind: str  # "para", "table", "sep", "bullet", "note"
    bold_open: bool = False  # a bold span still open at its last line
    structural: bool = False  # its first line starts a unit of its own (_structural)
    # (line count, text): parsing asks for a unit's text several times;
    # lines are only ever added, so the count tells a stale text.
    _text: tuple[int, str] | None = field(default=None, repr=False, compare=False)
    _receivers: bool = field(default=False, repr=False, compare=False)

    def starts_receivers(self) -> bool:
        """The unit opens the "Nơi nhận" list. Once it does, lines added
        below cannot change that: remembered, not matched again."""
        if not self._receivers:
            self._receivers = bool(_NOI_NHAN.match(self.text))
        return self._receivers

    @property
    def raw(self) -> str:
        return " ".join(line.strip() for line in self.lines)

    @property
    def hashes(self) -> bool:
        return bool(re.match(r"^\s*#{1,6}(?=\s|\*|$)", self.lines[0]))

    @property
    def bold(self) -> bool:
        """The whole unit is one bold (or bold italic) span."""
        # Its first line must open the span and its last close it: checked
        # first, so a paragraph growing line by line is not joined each time.
        if not _LEADING_HASHES.sub("", self.lines[0]).strip().startswith("**"):
            return False
        if not self.lines[-1].strip().endswith("**"):
            return False
        body = _LEADING_HASHES.sub("", self.raw).strip()
        if not (body.startswith("**") and body.endswith("**")) or len(body) < 5:
            return False
        return "**" not in body.strip("*")

    @property
    def text(self) -> str:
        if self._text is None or self._text[0] != len(self.lines):
            if self.kind == "table":
                text = "\n".join(r for r in (_table_row(line) for line in self.lines) if r)
            else:
                text = clean_inline(self.raw)
            self._text = (len(self.lines), text)
        return self._text[1]


CELL_SEPARATOR = " | "


def _table_row(line: str) -> str:
    if "\t" in line:
        cells = line.split("\t")
    else:
        cells = line.strip().strip("|").split("|")
    cleaned = [clean_inline(cell) for cell in cells]
    if all(re.fullmatch(r":?-{2,}:?", c) for c in cleaned if c):
        return ""  # a markdown table's rule line (or an empty row)
    # Empty cells keep their place, so every value stays under its column's
    # header (a row without an "Stt" would shift left); the trailing ones
    # only pad, and the page pads short rows again.
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return CELL_SEPARATOR.join(cleaned)


def _is_table_line(line: str) -> bool:
    stripped = line.strip()
    return "\t" in stripped or (stripped.startswith("|") and stripped.count("|") >= 2)


def _structural(line: str) -> bool:
    """A line that starts a unit of its own rather than continuing a paragraph."""
    text = clean_inline(line)
    stripped = _LEADING_HASHES.sub("", line).strip()
    return (
        bool(_LEADING_HASHES.match(line))
        or stripped.startswith("**")
        or _match_heading(text) is not None
        or bool(_NOI_NHAN.match(text))
    )


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    previous_blank = True
    open_bold: _Unit | None = None
    for raw in text.split("\n"):
        line = raw.rstrip()
        if open_bold is not None:
            if not line.strip():
                open_bold = None
                previous_blank = True
                continue
            open_bold.lines.append(line)
            if line.count("**") % 2:
                open_bold = None
            continue
        if not line.strip():
            previous_blank = True
            continue
        last = units[-1] if units else None
        if _SEPARATOR.match(line):
            unit = _Unit(len(units), [line], "sep")
        elif _is_table_line(line):
            if last is not None and last.kind == "table" and not previous_blank:
                last.lines.append(line)
                previous_blank = False
                continue
            unit = _Unit(len(units), [line], "table")
        elif _NOTE_START.match(line):
            unit = _Unit(len(units), [line], "note")
        elif _BULLET.match(line):
            unit = _Unit(len(units), [line], "bullet")
        else:
            structural = _structural(line)
            if (
                not structural
                and not previous_blank
                and last is not None
                and last.kind in ("para", "note")
                and not last.bold
                and (last.kind == "note" or not last.structural or last.starts_receivers())
            ):
                last.lines.append(line)  # soft-wrapped paragraph
                previous_blank = False
                continue
            unit = _Unit(len(units), [line], "para", structural=structural)
            body = _LEADING_HASHES.sub("", line).strip()
            if body.startswith("**") and body.count("**") % 2:
                open_bold = unit
        units.append(unit)
        previous_blank = False
    return units


# ---------------------------------------------------------------- headings

_ORDINALS = {
    "nhất": "1", "một": "1", "hai": "2", "ba": "3", "tư": "4", "bốn": "4", "năm": "5",
    "sáu": "6", "bảy": "7", "tám": "8", "chín": "9", "mười": "10",
}  # fmt: skip
_ROMAN = r"(?:X{0,3}(?:IX|IV|V?I{0,3}))"
_SEP = r"[.\-–:)]"

_RE_PHAN = re.compile(
    r"^(phần\s+(?:thứ\s+(nhất|một|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười)|([IVX]+|\d{1,2})))\b[\s.:\-–]*(.*)$",
    re.IGNORECASE,
)
_RE_CHUONG = re.compile(r"^(chương\s+([IVXLC]+|\d{1,3}))\b[\s.:\-–]*(.*)$", re.IGNORECASE)
_RE_MUC = re.compile(r"^((?:Mục|MỤC)\s+([IVX]+|\d{1,3}))\b[\s.:\-–]*(.*)$")
_RE_DIEU = re.compile(r"^((?:Điều|ĐIỀU)\s+(\d{1,3})(?:\s*[.:\-–])?)\s*(.*)$")
_RE_APPENDIX = re.compile(r"^((?:PHỤ LỤC|Phụ lục|BIỂU|DANH MỤC|DANH SÁCH)\b(?:\s+(\d{1,2}|[IVX]+|[A-Z])\b)?)[\s.:\-–]*(.*)$")
_RE_ROMAN = re.compile(rf"^({_ROMAN})\s*({_SEP})\s*(\S.*)$")
_RE_OCR = re.compile(r"^(\d{1,2}(?:\s+\d{1,2}){1,3})\.\s+(\S.*)$")
_RE_DOTTED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})(\.?)\s*(\S.*)$")
_RE_ARABIC = re.compile(r"^(\d{1,2})\s*([.\-–)])\s*(\S.*)$")
_RE_PAREN = re.compile(r"^\((\d{1,2})\)\s*(\S.*)$")
_RE_LETTER = re.compile(r"^([a-zđ])\)\s*(\S.*)$")

RANK = {
    "appendix": -1, "phan": 0, "chuong": 1, "muc": 2, "dieu": 3, "roman": 4, "free": 4.5,
    "arabic": 5, "dotted2": 6, "dotted3": 7, "dotted4": 8, "paren": 9, "letter": 10,
}  # fmt: skip
_ALWAYS_TITLE = {"appendix", "phan", "chuong", "muc", "free"}


@dataclass
class _Heading:
    kind: str
    label: str  # numbering as it will be shown: "I.", "1-", "2.1", "(1)", "Phần thứ nhất"
    token: str  # id part: "I", "1", "2-1", "i1", "phan-1"
    title: str  # what follows the numbering (may be "")

    @property
    def rank(self) -> float:
        return RANK[self.kind]


def _match_heading(text: str) -> _Heading | None:
    """The numbering at the start of clean ``text``, if it is a heading's."""
    if not text:
        return None
    m = _RE_PHAN.match(text)
    if m:
        number = _ORDINALS.get((m.group(2) or "").lower()) or m.group(3)
        return _Heading("phan", m.group(1), f"phan-{number}", m.group(4).strip())
    m = _RE_CHUONG.match(text)
    if m:
        return _Heading("chuong", m.group(1), f"chuong-{m.group(2)}", m.group(3).strip())
    m = _RE_MUC.match(text)
    if m:
        return _Heading("muc", m.group(1), f"muc-{m.group(2)}", m.group(3).strip())
    m = _RE_DIEU.match(text)
    if m:
        label = re.sub(r"\s+(?=[.:\-–]$)", "", m.group(1))
        return _Heading("dieu", label, f"dieu-{m.group(2)}", m.group(3).strip())
    m = _RE_APPENDIX.match(text)
    if m and _appendix_like(text):
        token = anchor_token(text, 3) if not m.group(1).upper().startswith("PHỤ LỤC") else "phu-luc"
        if m.group(2) and token == "phu-luc":
            token += f"-{m.group(2)}"
        return _Heading("appendix", m.group(1), token, m.group(3).strip())
    m = _RE_ROMAN.match(text)
    if m and m.group(1) and _starts_upper(m.group(3)):
        return _Heading("roman", m.group(1) + m.group(2), m.group(1), m.group(3))
    m = _RE_OCR.match(text)
    if m and _starts_upper(m.group(2)):
        parts = m.group(1).split()
        return _Heading(f"dotted{min(len(parts), 4)}", ".".join(parts) + ".", "-".join(parts), m.group(2))
    m = _RE_DOTTED.match(text)
    if m and _starts_upper(m.group(3)):
        parts = m.group(1).split(".")
        return _Heading(f"dotted{min(len(parts), 4)}", m.group(1) + m.group(2), "-".join(parts), m.group(3))
    m = _RE_ARABIC.match(text)
    if m and _starts_upper(m.group(3)):
        return _Heading("arabic", m.group(1) + m.group(2), m.group(1), m.group(3))
    m = _RE_PAREN.match(text)
    if m:
        return _Heading("paren", f"({m.group(1)})", f"i{m.group(1)}", m.group(2))
    m = _RE_LETTER.match(text)
    if m:
        return _Heading("letter", f"{m.group(1)})", fold(m.group(1)).lower() + ("d" if m.group(1) == "đ" else ""), m.group(2))
    return None


def _appendix_like(text: str) -> bool:
    """``PHỤ LỤC`` / ``BIỂU TỔNG HỢP`` heading lines, not sentences using the words."""
    words = text.split()
    if len(words) > 40 or _terminated(text.rstrip(")")):
        return False
    head = " ".join(words[:2])
    return head.upper() == head or text.startswith("Phụ lục") and len(words) <= 12


# ---------------------------------------------------------------- signature

_SIG_START = re.compile(
    r"^(?:T/?M|K/?T|TM\.|KT\.|TL\.|TUQ\.|Q\.|THỪA LỆNH|THAY MẶT|KÝ THAY|CHÁNH|PHÓ|BÍ THƯ|"
    r"CHỦ TỊCH|CHỦ NHIỆM|TRƯỞNG|GIÁM ĐỐC|THỦ TRƯỞNG|TỔNG|VIỆN TRƯỞNG|HIỆU TRƯỞNG)\b"
)


def _is_upper_line(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)


def _is_name(text: str) -> bool:
    words = text.split()
    return (
        1 < len(words) <= 6
        and len(text) <= 50
        and not any(ch.isdigit() for ch in text)
        and all(w[0].isupper() for w in words)
        and not _is_upper_line(text)
        and not _terminated(text)
    )


def _signature_at(units: list[_Unit], start: int, stop: int) -> tuple[list[str], int] | None:
    """Signature lines beginning at unit ``start`` and the index after them."""
    if start >= stop or units[start].kind != "para":
        return None
    first = [clean_inline(line) for line in units[start].lines]
    first = [line for line in first if _has_word(line)]
    if not first or not _SIG_START.match(first[0]) or not _is_upper_line(first[0]) or len(first[0].split()) > 8:
        return None
    lines: list[str] = []
    i = start
    while i < stop and units[i].kind == "para":
        done = False
        for raw in units[i].lines:
            line = clean_inline(raw)
            if not _has_word(line):
                continue
            if lines and _RE_APPENDIX.match(line) and _appendix_like(line):
                return lines, i
            if _is_upper_line(line) and len(line.split()) <= 10:
                lines.append(line)
            elif line.startswith("(") and line.endswith(")") and len(line) <= 60:
                lines.append(line)
            elif _is_name(line):
                lines.append(line)
                done = True
            else:
                return (lines, i) if i > start else None
        i += 1
        if done:
            break
        if len(lines) > 8:
            return None
    return lines, i


# ---------------------------------------------------------------- paragraphs


@dataclass
class _Para:
    kind: str  # "heading", "text", "bullet", "table"
    heading: _Heading | None = None
    heading_text: str = ""
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (unit index, clean text)
    joinable: bool = False

    @property
    def text(self) -> str:
        return " ".join(t for _, t in self.pieces if t)

    def terminated(self) -> bool:
        """``_terminated(self.text)`` from the last pieces only: a paragraph
        of many lines grows one piece at a time."""
        for _, piece in reversed(self.pieces):
            stripped = piece.rstrip(_CLOSERS)  # the joining space is a closer too
            if stripped:
                return stripped[-1] in _TERMINAL
        return False


def _is_prose(unit: _Unit) -> bool:
    return unit.kind == "para" and _match_heading(unit.text) is None


def _pseudo_heading(unit: _Unit) -> tuple[_Heading, str, str] | None:
    """``**1. Các đảng bộ…:** text`` → (numbering, title, text)."""
    body = _LEADING_HASHES.sub("", unit.raw).strip()
    if not body.startswith("**"):
        return None
    end = body.find("**", 2)
    if end < 0:
        return None
    bold, rest = clean_inline(body[2:end]), clean_inline(body[end + 2 :])
    if not rest:
        return None
    heading = _match_heading(bold)
    if heading is None:
        return None
    return heading, bold.rstrip(": ").strip(), rest


def _paragraphs(items: list[tuple[_Unit, bool]], appendix_from: int | None) -> list[_Para]:
    """The units as paragraphs: tables, bullets, headings (_heading_para), and
    prose, a paragraph a page break split joined again (_add_prose)."""
    paras: list[_Para] = []
    i = 0
    while i < len(items):
        unit, after_break = items[i]
        nxt = items[i + 1][0] if i + 1 < len(items) else None
        i += 1
        if unit.kind == "table":
            paras.append(_Para("table", pieces=[(unit.index, unit.text)]))
            continue
        if unit.kind == "bullet":
            item = clean_inline(_BULLET.sub("", unit.raw, count=1))
            paras.append(_Para("bullet", pieces=[(unit.index, f"- {item}")], joinable=True))
            continue
        if not unit.text:
            continue
        pseudo = _pseudo_heading(unit)
        if pseudo is not None:
            heading, title_text, content = pseudo
            paras.append(_Para("heading", heading, title_text, [(unit.index, content)], joinable=True))
            continue
        heading = _detected_heading(unit, appendix_from)
        if heading is not None:
            para, took_next = _heading_para(unit, heading, nxt)
            paras.append(para)
            i += took_next
            continue
        _add_prose(paras, unit, after_break)
    return paras


def _detected_heading(unit: _Unit, appendix_from: int | None) -> _Heading | None:
    """A numbered heading; else the appendix's first line; else a short bold
    or Markdown line that ends no sentence."""
    text = unit.text
    heading = _match_heading(text)
    if heading is None and appendix_from is not None and unit.index == appendix_from:
        if unit.bold or unit.hashes or _is_upper_line(text):
            heading = _Heading("appendix", "", anchor_token(text, 3), text)
    if heading is None and (unit.hashes or unit.bold) and len(text.split()) <= 20 and not _terminated(text):
        heading = _Heading("free", "", anchor_token(text), text)
    return heading


def _heading_para(unit: _Unit, heading: _Heading, nxt: _Unit | None) -> tuple[_Para, bool]:
    """The paragraph of a heading line, and whether it took the next line as
    its title. A heading whose title reads as a title is a heading alone;
    else its label heads the section and its words are the section's text."""
    text = unit.text
    title = heading.title.strip()
    is_title = (
        heading.kind in _ALWAYS_TITLE
        or not title
        or unit.bold
        or unit.hashes
        or (
            not _terminated(title)
            and not _second_sentence(title)
            and len(title) <= TITLE_MAX
            and not (nxt is not None and _is_prose(nxt) and _starts_lower(nxt.text))
        )
    )
    took_next = False
    if heading.kind in ("phan", "chuong", "muc", "appendix") and nxt is not None and nxt.kind == "para":
        # A bare "Phần thứ nhất" / "PHỤ LỤC" takes the next bold or capital line as title.
        nxt_text = nxt.text
        if (
            not title
            and _match_heading(nxt_text) is None
            and (nxt.bold or nxt.hashes or _is_upper_line(nxt_text))
            and not _terminated(nxt_text)
        ):
            title = nxt_text
            took_next = True
    if not is_title:
        shown = f"{heading.label} {first_sentence(title)}"
        return _Para("heading", heading, shown, [(unit.index, title)], joinable=True), took_next
    if title != heading.title.strip():  # title taken from the next line
        heading_text = f"{heading.label}. {title.rstrip(': ')}"
    elif heading.kind in _ALWAYS_TITLE:
        heading_text = text  # as written: "Chương I. QUY ĐỊNH CHUNG"
    else:
        heading_text = f"{heading.label} {title}"  # OCR "1 2 2." → "1.2.2."
    return _Para("heading", heading, heading_text.rstrip(": ").strip()), took_next


def _add_prose(paras: list[_Para], unit: _Unit, after_break: bool) -> None:
    """Plain prose: the rest of the last paragraph when a page break split it
    (it ends no sentence and this goes on in lower case, or came after the
    break), else a new paragraph."""
    previous = paras[-1] if paras else None
    if (
        previous is not None
        and previous.joinable
        and previous.pieces
        and not previous.terminated()
        and (_starts_lower(unit.text) or after_break)
    ):
        previous.pieces.append((unit.index, unit.text))
    else:
        paras.append(_Para("text", pieces=[(unit.index, unit.text)], joinable=True))


# ---------------------------------------------------------------- sections


@dataclass
class _Open:
    rank: float
    token: str
    section: Section


def _section_text(paras: list[_Para]) -> str:
    return "\n\n".join(p.text for p in paras if p.text)


def parse_document(doc_id: str, text: str, source: Path) -> ParsedDocument:
    """Split ``text`` (as returned by ``read_text``) into head, sections and
    footer, in passes: the head, the footer ("Nơi nhận" and signature), the
    body without footnote texts, paragraphs, sections, footnotes to the
    sections holding their markers."""
    text = nfc(text or "").replace("\r\n", "\n").replace("\r", "\n")
    units = _units(text)
    k, head_lines = _head(units)
    footer, recipients, signature = _footer(units, k)
    appendix_from = None
    if footer:
        rest = [u.index for u in units[max(footer) + 1 :] if u.kind in ("para", "table")]
        appendix_from = rest[0] if rest else None
    items, notes = _body(units[k:], footer)
    sections, unit_section, markers = _sections(_paragraphs(items, appendix_from))
    _attach_notes(sections, notes, markers, unit_section)
    return ParsedDocument(
        doc_id=doc_id,
        source=Path(source),
        text=text,
        head_lines=head_lines,
        sections=sections,
        recipients=recipients,
        signature_lines=signature,
    )


def _head(units: list[_Unit]) -> tuple[int, list[str]]:
    """How many units the head takes, and its lines."""
    k = 0
    while k < len(units) and _head_unit(units[k]):
        k += 1
    if k == len(units) and len(units) > 3:
        # Nothing read as a body: keep only the short top lines as head.
        k = 0
        while k < min(len(units) - 1, 6) and len(units[k].text.split()) <= 12:
            k += 1
    head_lines = []
    for unit in units[:k]:
        for raw in unit.lines:
            line = clean_inline(raw.replace("\t", " "))
            if _has_word(line):
                head_lines.append(line)
    return k, head_lines


def _footer(units: list[_Unit], k: int) -> tuple[set[int], list[str], list[str]]:
    """The footer's unit indexes, the "Nơi nhận" recipients and the signature
    lines. The signature is looked for after the recipients, then just
    before them; without "Nơi nhận", a block ending with a name or the document."""
    footer: set[int] = set()
    recipients: list[str] = []
    signature: list[str] = []
    noi_nhan = next((i for i in range(k, len(units)) if units[i].kind == "para" and _NOI_NHAN.match(units[i].text)), None)
    found = None
    if noi_nhan is not None:
        after_recipients, recipients = _recipients(units, noi_nhan, footer)
        found = _signature_at(units, after_recipients, len(units))
        if found:
            signature, end = found
            footer.update(range(after_recipients, end))
        else:
            for start in range(noi_nhan - 1, max(k, noi_nhan - 8) - 1, -1):
                found = _signature_at(units, start, noi_nhan)
                if found:
                    signature, end = found
                    footer.update(range(start, end))
                    break
    if not found:
        for start in range(k + 1, len(units)):
            if start in footer:
                continue
            found = _signature_at(units, start, len(units))
            # Without "Nơi nhận", only a block that ends with a name or the document.
            if found and len(found[0]) > 1 and (_is_name(found[0][-1]) or found[1] == len(units)):
                signature, end = found
                footer.update(range(start, end))
                break
    return footer, recipients, signature


def _recipients(units: list[_Unit], noi_nhan: int, footer: set[int]) -> tuple[int, list[str]]:
    """The "Nơi nhận" list from its unit on (added to ``footer``): where it
    ends, and the recipients."""
    footer.add(noi_nhan)
    first = _NOI_NHAN.match(clean_inline(units[noi_nhan].lines[0])).group(1)
    entries = ([first] if first else []) + units[noi_nhan].lines[1:]
    j = noi_nhan + 1
    while j < len(units) and units[j].kind == "bullet":
        entries.extend(units[j].lines)
        footer.add(j)
        j += 1
    return j, [r for r in (_recipient(e) for e in entries) if r]


def _body(units: list[_Unit], footer: set[int]) -> tuple[list[tuple[_Unit, bool]], list[tuple[int, str, str]]]:
    """The body's units, each with whether a page break (or a footnote) came
    just before it, and the footnotes apart: (unit index, marker, text)."""
    items: list[tuple[_Unit, bool]] = []
    notes: list[tuple[int, str, str]] = []
    broken = False
    for unit in units:
        if unit.index in footer:
            continue
        if unit.kind == "sep":
            broken = True
            continue
        if unit.kind == "note":
            m = _NOTE_START.match(unit.lines[0])
            marker = m.group(1) or from_superscript(m.group(2))
            note_text = clean_inline(" ".join([unit.lines[0][m.end() :]] + unit.lines[1:]))
            notes.append((unit.index, marker, note_text))
            broken = True
            continue
        items.append((unit, broken))
        broken = False
    return items, notes


def _sections(paras: list[_Para]):
    """The sections the headings open (the opening section first), each
    with its text; the section of every unit, and where note markers stand:
    (unit index, number, section position), -1 for a heading's."""
    sections = [Section(OPENING_ID, "", (), "", 0, 0)]
    bodies: list[list[_Para]] = [[]]
    stack: list[_Open] = []
    used = {OPENING_ID}
    tried: dict[str, int] = {}  # per base id, the last suffix found taken
    unit_section: dict[int, int] = {}
    markers: list[tuple[int, str, int]] = []
    for para in paras:
        if para.kind == "heading":
            heading = para.heading
            if heading.kind == "appendix":
                stack.clear()
            while stack and stack[-1].rank >= heading.rank:
                stack.pop()
            sid = _unique(_section_id(heading, stack[-1] if stack else None), used, tried)
            section = Section(
                sid,
                para.heading_text,
                tuple(o.section.heading for o in stack),
                "",
                len(sections),
                len(stack) + 1,
            )
            sections.append(section)
            bodies.append([])
            stack.append(_Open(heading.rank, heading.token, section))
            for number in _markers(para.heading_text):
                markers.append((-1, number, section.position))
        position = len(sections) - 1
        if para.pieces:
            bodies[position].append(para)
        for unit_index, piece in para.pieces:
            unit_section[unit_index] = position
            for number in _markers(piece):
                markers.append((unit_index, number, position))
    for section, body in zip(sections, bodies):
        section.text = _section_text(body)
    return sections, unit_section, markers


def _section_id(heading: _Heading, parent: _Open | None) -> str:
    """A section's id from its parent's: "2-1" under "2" stays "2-1" (a
    dotted number already says its parent), else the parent's id and the token."""
    if parent is None:
        return heading.token
    if (
        "-" in heading.token
        and heading.kind.startswith("dotted")
        and heading.token.startswith(parent.token + "-")
        and parent.section.section_id.endswith(parent.token)
    ):
        return parent.section.section_id[: -len(parent.token)] + heading.token
    return f"{parent.section.section_id}-{heading.token}"


def _attach_notes(sections: list[Section], notes, markers, unit_section: dict[int, int]) -> None:
    """Each footnote to the section holding its marker: the last before the
    note, else the first after it, else the section the note stands in."""
    for note_index, marker, note_text in notes:
        same = [m for m in markers if m[1] == marker]
        before = [m for m in same if m[0] <= note_index]
        after = [m for m in same if m[0] > note_index]
        if before:
            target = before[-1][2]
        elif after:
            target = after[0][2]
        else:
            earlier = [pos for idx, pos in unit_section.items() if idx < note_index]
            target = earlier[-1] if earlier else 0
        sections[target].footnotes.append(Footnote(marker=marker, text=note_text))


def _markers(text: str) -> list[str]:
    return [from_superscript(m.group(0)) for m in SUPERSCRIPT_RUN.finditer(text)]


def _unique(sid: str, used: set[str], tried: dict[str, int]) -> str:
    """``sid``, or ``sid-2``, ``sid-3``… the first not ``used``. ``tried``
    remembers how far each base got: ``used`` only grows, so the search goes
    on from there (thousands of sections of one name stay linear)."""
    sid = re.sub(r"[^A-Za-z0-9-]+", "-", sid).strip("-") or "muc"
    n = tried.get(sid, 1)
    candidate = sid if n == 1 else f"{sid}-{n}"
    while candidate in used:
        n += 1
        candidate = f"{sid}-{n}"
    tried[sid] = n
    used.add(candidate)
    return candidate


def _recipient(entry: str) -> str:
    line = clean_inline(_BULLET.sub("", entry.strip(), count=1))
    line = re.sub(r"^[-+•–]\s*", "", line)
    return line.rstrip(" ,;.").strip()


def _head_unit(unit: _Unit) -> bool:
    """Part of the title block rather than of the body."""
    if unit.kind == "sep":
        return True
    if unit.kind in ("note", "bullet"):
        return False
    if unit.kind == "table":
        return all(len(row.split()) <= 12 for row in unit.text.split("\n"))
    text = unit.text
    if _pseudo_heading(unit) is not None or _NOI_NHAN.match(text):
        return False
    if _match_heading(text) is not None:
        return False
    words = len(text.split())
    if words > 80 or _second_sentence(text):
        return False
    if _terminated(text):
        # "Lưu:" or a short label may end in ":"; a sentence is body.
        end = text.rstrip(_CLOSERS)[-1]
        return end in ":;" and words <= 12 or words <= 3
    return True
