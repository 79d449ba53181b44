"""PDF files with a text layer → the text the parser reads, with the page
each part came from.

The parser (indexer.parser) reads light markdown: blocks separated by a
blank line, hard line breaks inside a block kept as ``\\n``, ``**bold**``,
``<sup>n</sup>`` footnote markers and ``<sup>n</sup> text`` footnote
paragraphs, tables as tab-separated rows. A PDF has none of that, only
glyphs at positions in a font and size, and lines and rectangles; this
module reads the layout back into that form (pdfplumber over pdfminer.six
gives the glyphs, the ruling lines and the ruled tables):

- **Lines** are glyphs sharing a baseline, left to right; a gap wider than
  a sixth of the text size is a space. Superscript digits (smaller, raised)
  are footnote markers, ``<sup>n</sup>``. Glyphs set in a bold face
  (``…-Bold``, ``…,Bold``, Black, Heavy, Semibold) are ``**bold**``, one
  pair of stars across the line breaks of a bold run, so a bold title
  spread over lines stays one bold unit for the parser.
- **Reading order** is top to bottom. Where lines stand side by side in two
  columns (the issuer beside the national motto, the number beside the
  place-date line, "Nơi nhận" beside the signature) the left column is read
  before the right one.
- **Running headers, footers and page numbers** are left out: lines at a
  page's top or bottom (the outer 12 %) whose text (digits aside) comes
  back on at least two pages and two fifths of them, and lone page numbers
  there (``3``, ``- 3 -``, ``Trang 3``, ``3/12``).
- **Paragraphs.** Lines of one paragraph are joined with a space. A line
  that ends well short of the right edge (the next line's first word would
  have fitted there) ends by choice: before a line set in as a first line,
  a list item (``-``, ``1.``, ``a)``, ``II.``…) or after a bare ``Phần thứ
  nhất`` / ``PHỤ LỤC`` label a new block starts; otherwise it is a hard
  line break, kept as ``\\n`` inside the block (titles, signature, short
  lines of a centred block), as the sample files have them. A vertical gap
  larger than the usual leading starts a block too, and so does a first-line
  indent after a sentence's end even on a full line. A word broken after a
  hyphen at a line end is joined without a space, the hyphen kept
  (Vietnamese breaks ``69-`` / ``KL/TU``, rarely hyphenates; so ``310-``
  / ``QĐ/TU`` written with a space reads ``310-QĐ/TU``); a soft hyphen
  (U+00AD) is dropped. A paragraph running over a page break, past the
  footer, header and notes, stays one paragraph when its last line on the
  page is full and the next page goes on without a first-line indent, a
  list item or a change to bold.
- **Footnotes.** The notes at a page's foot are those below a short rule
  (the first starting with a number, raised or not, or all in smaller type)
  or, with no rule, the smaller-type lines there starting with a raised
  number. Each is a ``<sup>n</sup> text`` paragraph, its lines joined; the
  lines above a page's first number go on with the last note of the page
  before (Word carries a long note over). They are written after the
  page's last block (after the paragraph a page break cuts, once it ends;
  and, so the parser never joins two paragraphs across them, after the
  first block that ends a sentence, is a table or a short bold title): the
  parser gives each to the section holding its marker.
- **Tables**: ruled grids found by pdfplumber's table finder are one line
  per row, cells separated by tabs, a cell's lines joined by spaces (bold
  left out), empty and merged cells kept as empty cells so every value
  stays under its header. A table at a page's top with the same columns as
  the table that ended the page before goes on with it when its first row
  had no room there, repeats the header row (dropped) or is the rest of a
  row the page end cut (its cells joined to that row's). A single framed
  box is text, not a table; a table without rules is text too.
- Literal ``*`` are escaped (``\\*``) and a ``#`` starting a line too, so
  the PDF's own text never reads as markup.

``pdf_text`` also returns where each page starts in the text
(:attr:`PdfText.pages`), for indexer.pages. Notes held back past a page
break count with the page where they are written out.

A file that is not a readable PDF, or needs a password to open, raises
:class:`BrokenPdf`; one without text (a scan: images only, or glyphs with no
Unicode meaning) raises :class:`NoTextLayer`. A PDF protected only against
copying (an owner password, opened without one) is read, as any viewer
shows it. Messages are for the user, in Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from analyzers.normalize import nfc
from analyzers.superscript import SUPERSCRIPT_DIGITS

REASON_BROKEN = "tệp PDF hỏng hoặc không phải tệp PDF"
REASON_PASSWORD = "tệp PDF được bảo vệ bằng mật khẩu: cần bản không đặt mật khẩu để đọc"
REASON_SCAN = "tệp PDF là bản quét (chỉ có ảnh), không có lớp chữ: cần nhận dạng chữ (OCR) để đọc"
REASON_NO_TEXT = "tệp PDF không có lớp chữ (không có chữ nào để đọc)"
REASON_NO_UNICODE = (
    "tệp PDF có lớp chữ nhưng phông chữ không cho biết mã Unicode của chữ: "
    "không trích được chữ, cần nhận dạng chữ (OCR)"
)

BAND = 0.12  # outer share of the page height where running headers and footers stand
SPACE_GAP = 1 / 6  # of the text size: a wider gap between glyphs is a space
SUP_SIZE = 0.8  # a glyph below this share of its line's size …
SUP_RAISE = 0.15  # … standing this share of the size above the baseline is a superscript
COLUMN_GAP = 4.0  # text sizes: a wider gap on a line parts two columns
WORD_GAP_GUESS = 0.25  # of the size: the narrowest usual space (Times), for "would the word have fitted"
TERMINAL = ".!?:;…"
CLOSERS = " \"”’'»)]*_"
_BOLD_FACE = re.compile(r"bold|black|heavy|semibold|demibold|demi\b", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^[\s\-–—]*(?:trang|page)?\s*\d{1,3}(?:\s*(?:/|của|of)\s*\d{1,3})?[\s\-–—]*$", re.IGNORECASE)
_LIST_START = re.compile(r"^(?:[-+•–]\s|\d{1,2}[.)]\s|\(\d{1,2}\)\s|[a-zđ]\)\s)")
# What starts a numbered part or an item: after a line break it starts a block,
# so a bold run is never carried from one heading into the next.
_NEW_ITEM = re.compile(
    r"^(?:[-+•–]\s|\d{1,2}(?:\.\d{1,2}){1,3}\.?\s|\d{1,2}\s*[.)\-–]\s*\S|\(\d{1,2}\)\s*\S|[a-zđ]\)\s"
    r"|[IVXLC]{1,6}\s*[.\-–]\s*\S|(?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU)\s)"
)
# A part's label alone on its line ("Phần thứ nhất", "PHỤ LỤC"): its title, on the
# next line, is a block of its own, as the parser reads a label and its title.
_PART_LABEL = re.compile(
    r"^(?:phần\s+(?:thứ\s+\w+|[IVX]+|\d{1,2})|chương\s+(?:[IVXLC]+|\d{1,3})|mục\s+(?:[IVX]+|\d{1,3})"
    r"|phụ\s+lục(?:\s+(?:[IVX]+|\d{1,2}|[A-Z]))?)[.:]?$",
    re.IGNORECASE,
)
_CID = re.compile(r"^\(cid:\d+\)$")


class BrokenPdf(ValueError):
    """A file that is not a readable PDF (damaged, or locked by a password);
    the message is for the user."""


class NoTextLayer(ValueError):
    """A PDF without text to read (a scan); the message is for the user.
    Reading it needs OCR."""


@dataclass
class PdfText:
    """A PDF's text in the parser's form, and where its pages start.

    ``pages``: (character offset in ``text``, page number) at the first
    character each page gave, in page order, every page listed (a page that
    gave no text starts where the next text starts). A page that begins
    inside a paragraph begun on the page before starts inside it.
    """

    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)


def running_lines(placed, page_count: int) -> set[int]:
    """ids of the running headers, footers and lone page numbers among
    ``placed``: (page number, page height, line, its text), the line with
    ``top`` and ``bottom``. A running line stands in a page's outer band
    (BAND) and comes back, digits aside, on at least two pages and two
    fifths of them. Shared with indexer.ocr."""
    candidates: dict[tuple[str, str], set[int]] = {}
    banded = []
    for number, height, line, text in placed:
        if line.bottom <= BAND * height:
            band = "top"
        elif line.top >= (1 - BAND) * height:
            band = "bottom"
        else:
            continue
        key = (band, " ".join(re.sub(r"\d+", "#", text.lower()).split()))
        candidates.setdefault(key, set()).add(number)
        banded.append((line, text, key))
    running = {key for key, numbers in candidates.items() if len(numbers) >= 2 and len(numbers) >= 0.4 * page_count}
    return {id(line) for line, text, key in banded if key in running or _PAGE_NUMBER.match(text)}


# ---------------------------------------------------------------- glyphs and lines


@dataclass
class _Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool


@dataclass
class _Line:
    page: int
    glyphs: list[_Glyph]
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0  # the size most of its glyphs have
    baseline: float = 0.0  # the bottom of its full-size glyphs
    # In two columns (_reading_order): "left" or "right" of ``split``.
    side: str = ""
    split: float = 0.0
    # The (left, right) edges of the column it stands in, once the page's are known.
    column: tuple[float, float] = (0.0, 0.0)
    pieces: list[tuple[str, str]] = field(default_factory=list)  # see _pieces

    def __post_init__(self) -> None:
        self.glyphs.sort(key=lambda g: g.x0)
        self.top = min(g.top for g in self.glyphs)
        self.bottom = max(g.bottom for g in self.glyphs)
        sizes = Counter()
        for g in self.glyphs:
            sizes[round(g.size, 1)] += len(g.text)
        self.size = sizes.most_common(1)[0][0]
        full = sorted(g.bottom for g in self.glyphs if g.size >= 0.9 * self.size)
        self.baseline = full[len(full) // 2] if full else self.bottom
        self.pieces = [(kind, nfc(text)) for kind, text in _pieces(self)]

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def plain(self) -> str:
        """The line's text without markup."""
        return "".join(text for _, text in self.pieces)

    def first_word_width(self) -> float:
        gap = SPACE_GAP * self.size
        end = self.glyphs[0].x1
        for previous, glyph in zip(self.glyphs, self.glyphs[1:]):
            if glyph.x0 - previous.x1 > gap:
                break
            end = glyph.x1
        return end - self.glyphs[0].x0

    def bold_at(self, first: bool) -> bool:
        """Is the line's first (or last) text bold?"""
        texts = [kind for kind, _ in self.pieces if kind in "rb"]
        return bool(texts) and (texts[0] if first else texts[-1]) == "b"


def _pieces(line: _Line) -> list[tuple[str, str]]:
    """The line as (kind, text): "r" regular text, "b" bold text, "s" a
    superscript number, "w" a space. Text pieces hold no spaces."""
    out: list[tuple[str, str]] = []
    gap = SPACE_GAP * line.size
    previous: _Glyph | None = None
    sup: list[_Glyph] = []

    def flush_sup() -> None:
        if not sup:
            return
        digits = "".join(g.text for g in sup)
        if digits.isdigit():
            out.append(("s", digits))
        else:  # raised letters ("1er", "m2"): text as it stands
            for g in sup:
                _add_text(out, g.text, g.bold)
        sup.clear()

    for glyph in line.glyphs:
        if previous is not None and glyph.x0 - previous.x1 > gap:
            flush_sup()
            out.append(("w", " "))
        raised = glyph.size < SUP_SIZE * line.size and glyph.bottom < line.baseline - SUP_RAISE * line.size
        if raised:
            sup.append(glyph)
        else:
            flush_sup()
            _add_text(out, glyph.text, glyph.bold)
        previous = glyph
    flush_sup()
    return out


def _add_text(out: list[tuple[str, str]], text: str, bold: bool) -> None:
    kind = "b" if bold else "r"
    if out and out[-1][0] == kind:
        out[-1] = (kind, out[-1][1] + text)
    else:
        out.append((kind, text))


def _glyphs(chars: list[dict], inside: list[tuple]) -> tuple[list[_Glyph], list[list[_Glyph]], int, int]:
    """Upright glyphs outside the tables, those inside each table's box, and
    counts of all glyphs and of those with no Unicode meaning."""
    free: list[_Glyph] = []
    boxed: list[list[_Glyph]] = [[] for _ in inside]
    total = cid = 0
    previous: _Glyph | None = None
    for c in chars:
        text = c.get("text") or ""
        if not text or text.isspace() or not c.get("upright", True):
            continue
        total += 1
        if _CID.match(text):
            cid += 1
            continue
        if previous is not None and all(unicodedata.combining(ch) for ch in text):
            previous.text += text  # a mark set as a glyph of its own goes with its letter
            continue
        bold = bool(_BOLD_FACE.search(c.get("fontname") or ""))
        glyph = _Glyph(text, c["x0"], c["x1"], c["top"], c["bottom"], c["size"], bold)
        cx, cy = (glyph.x0 + glyph.x1) / 2, (glyph.top + glyph.bottom) / 2
        for i, (x0, top, x1, bottom) in enumerate(inside):
            if x0 <= cx <= x1 and top <= cy <= bottom:
                boxed[i].append(glyph)
                break
        else:
            free.append(glyph)
        previous = glyph
    return free, boxed, total, cid


def _lines(glyphs: list[_Glyph], page: int) -> list[_Line]:
    """Glyphs grouped into lines: a glyph joins the line its height overlaps
    by half (a superscript lies within its line's height)."""
    rows: list[list] = []  # [top, bottom, glyphs]
    for glyph in sorted(glyphs, key=lambda g: (g.top, g.x0)):
        height = glyph.bottom - glyph.top
        best, best_overlap = None, 0.0
        for row in reversed(rows):
            if row[1] < glyph.top:
                break
            overlap = min(row[1], glyph.bottom) - max(row[0], glyph.top)
            if overlap >= 0.5 * min(height, row[1] - row[0]) and overlap > best_overlap:
                best, best_overlap = row, overlap
        if best is None:
            rows.append([glyph.top, glyph.bottom, [glyph]])
            rows.sort(key=lambda r: r[1])
        else:
            best[0], best[1] = min(best[0], glyph.top), max(best[1], glyph.bottom)
            best[2].append(glyph)
            rows.sort(key=lambda r: r[1])
    lines = [_Line(page, row[2]) for row in rows]
    lines.sort(key=lambda line: (line.baseline, line.x0))
    return lines


def _split_columns(line: _Line) -> list[_Line]:
    """The line cut where a gap wider than COLUMN_GAP sizes parts it."""
    parts: list[list[_Glyph]] = [[line.glyphs[0]]]
    for previous, glyph in zip(line.glyphs, line.glyphs[1:]):
        if glyph.x0 - previous.x1 > COLUMN_GAP * line.size:
            parts.append([])
        parts[-1].append(glyph)
    if len(parts) == 1:
        return [line]
    return [_Line(line.page, part) for part in parts]


def _reading_order(lines: list[_Line]) -> list[_Line]:
    """Top to bottom; where rows of the page stand in two columns (two or
    more rows parted at one place), the left column first. A row parted
    alone (a justified line with one wide gap) is one line again."""
    rows = [_split_columns(line) for line in lines]
    out: list[_Line] = []
    i = 0
    while i < len(rows):
        zone: list[list[_Line]] = []
        if len(rows[i]) == 2:
            split = (rows[i][0].x1 + rows[i][1].x0) / 2
            for parts in rows[i:]:
                if len(parts) == 2 and parts[0].x1 < split < parts[1].x0:
                    zone.append(parts)
                elif len(parts) == 1 and (parts[0].x1 < split or parts[0].x0 > split):
                    zone.append(parts)  # a line of one column only
                else:
                    break
        if sum(len(parts) == 2 for parts in zone) < 2:
            out.append(lines[i])
            i += 1
            continue
        for side in ("left", "right"):
            for parts in zone:
                for part in parts:
                    if (part.x1 < split) == (side == "left"):
                        part.side, part.split = side, split
                        out.append(part)
        i += len(zone)
    return out


# ---------------------------------------------------------------- the document


@dataclass
class _Table:
    page: int
    top: float
    bottom: float
    edges: tuple[float, ...]  # the column boundaries
    rows: list[list[str]]
    first_row_height: float


@dataclass
class _Page:
    number: int
    height: float
    lines: list[_Line]
    tables: list[_Table]
    rules: list[tuple[float, float, float]]  # (top, x0, x1) of the horizontal lines outside tables
    images: int
    notes: list[_Line] = field(default_factory=list)
    notes_top: float | None = None


def pdf_text(path: Path, max_pages: int | None = None) -> PdfText:
    """The PDF's text in the parser's form and its page starts (see the
    module docstring). Raises BrokenPdf (also for a file of more than
    ``max_pages`` pages) or NoTextLayer."""
    pages = _read_pages(Path(path), max_pages)
    return _Document(pages).text()


def _read_pages(path: Path, max_pages: int | None = None) -> list[_Page]:
    import pdfplumber  # loads only when a PDF is read
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(str(path))
    except PdfminerException as error:
        cause = error.args[0] if error.args else error
        if isinstance(cause, PDFPasswordIncorrect):
            raise BrokenPdf(REASON_PASSWORD) from None
        raise BrokenPdf(f"{REASON_BROKEN} ({type(cause).__name__})") from None
    except OSError:
        raise
    except Exception as error:  # pdfminer raises many kinds on a damaged file
        raise BrokenPdf(f"{REASON_BROKEN} ({type(error).__name__})") from None
    pages: list[_Page] = []
    total = cid = 0
    with pdf:
        if max_pages is not None and len(pdf.pages) > max_pages:
            raise BrokenPdf(f"tệp PDF có {len(pdf.pages)} trang, quá {max_pages} trang")
        try:
            for number, page in enumerate(pdf.pages, 1):
                found = [t for t in page.find_tables() if _is_grid(t)]
                boxes = [t.bbox for t in found]
                free, boxed, n, c = _glyphs(page.chars, boxes)
                total, cid = total + n, cid + c
                tables = [_table(number, t, g) for t, g in zip(found, boxed)]
                rules = [
                    (edge["top"], edge["x0"], edge["x1"])
                    for edge in page.edges
                    if edge["orientation"] == "h" and not any(_within(edge, box) for box in boxes)
                ]
                lines = _reading_order(_lines(free, number)) if free else []
                pages.append(_Page(number, float(page.height), lines, tables, rules, len(page.images)))
                page.close()  # frees the page's parsed objects
        except (BrokenPdf, NoTextLayer):
            raise
        except Exception as error:
            raise BrokenPdf(f"{REASON_BROKEN} ({type(error).__name__})") from None
    if not pages:
        raise BrokenPdf(f"{REASON_BROKEN} (không có trang nào)")
    if total == 0:
        raise NoTextLayer(REASON_SCAN if any(page.images for page in pages) else REASON_NO_TEXT)
    if cid > total / 2:
        raise NoTextLayer(REASON_NO_UNICODE)
    return pages


def _within(edge: dict, box: tuple) -> bool:
    x0, top, x1, bottom = box
    return x0 - 1 <= edge["x0"] and edge["x1"] <= x1 + 1 and top - 1 <= edge["top"] <= bottom + 1


def _is_grid(table) -> bool:
    """A ruled table: some row with two cells or more (one framed box is text)."""
    return any(sum(cell is not None for cell in row.cells) >= 2 for row in table.rows)


def _table(page: int, table, glyphs: list[_Glyph]) -> _Table:
    rows: list[list[str]] = []
    edges: set[float] = set()
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append("")  # merged into the cell before it
                continue
            x0, top, x1, bottom = cell
            edges.update((round(x0), round(x1)))
            inside = [
                g for g in glyphs
                if x0 <= (g.x0 + g.x1) / 2 <= x1 and top <= (g.top + g.bottom) / 2 <= bottom
            ]
            text = ""
            if inside:
                pieces: list[tuple[str, str]] = []
                previous = None
                for line in _lines(inside, page):
                    if previous is not None:
                        pieces.append(_soft_join(previous, line))
                    pieces.extend(line.pieces)
                    previous = line
                text = _plain_text(pieces)  # bold left out: the parser reads a row's cells as plain text
            cells.append(" ".join(text.replace("\t", " ").split()))
        rows.append(cells)
    first = table.rows[0].bbox if table.rows else table.bbox
    return _Table(page, table.bbox[1], table.bbox[3], tuple(sorted(edges)), rows, first[3] - first[1])


def _soft_join(previous: _Line, line: _Line) -> tuple[str, str]:
    """The join of two lines of one paragraph: a space, or nothing after a
    hyphen ending a word (kept) or a soft hyphen (dropped)."""
    last = previous.pieces[-1] if previous.pieces else ("w", "")
    if last[0] in "rb" and last[1].endswith("\u00ad"):
        previous.pieces[-1] = (last[0], last[1][:-1])
        return ("w", "")
    if last[0] in "rb" and len(last[1]) > 1 and last[1].endswith("-") and last[1][-2].isalnum():
        first = line.plain[:1]
        if first.isalnum():
            return ("w", "")
    return ("w", " ")


def _terminated(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


@dataclass
class _Block:
    kind: str  # "para" or "table"
    pieces: list[tuple[str, str]] = field(default_factory=list)  # para: pieces and ("p", page) marks
    table_rows: list = field(default_factory=list)  # table: rows and ("p", page) marks

    def safe(self) -> bool:
        """Notes may follow it: the parser will not join the next paragraph
        to it across them."""
        if self.kind == "table":
            return True
        plain = "".join(t for k, t in self.pieces if k in "rbw")
        if _terminated(plain):
            return True
        kinds = {k for k, _ in self.pieces if k in "rb"}
        return kinds == {"b"} and len(plain.split()) <= 20


class _Document:
    def __init__(self, pages: list[_Page]):
        self.pages = pages
        body = [line for page in pages for line in page.lines]
        sizes = Counter()
        for line in body:
            sizes[round(line.size * 2) / 2] += sum(len(g.text) for g in line.glyphs)
        self.size = sizes.most_common(1)[0][0] if sizes else 12.0
        self._drop_running_lines()
        for page in pages:
            self._take_notes(page)
        body = [
            line for page in pages for line in page.lines
            if abs(line.size - self.size) <= 0.15 * self.size and not line.side
        ]
        self.left = _edge([line.x0 for line in body], min) if body else 0.0
        self.right = _edge([line.x1 for line in body], max) if body else 0.0
        for page in pages:
            starts: dict[float, float] = {}  # a right column's left edge, by where its zone parts
            for line in page.lines:
                if line.side == "right":
                    starts[line.split] = min(starts.get(line.split, line.x0), line.x0)
            for line in page.lines:
                if line.side == "left":
                    line.column = (self.left, line.split)
                elif line.side == "right":
                    line.column = (starts[line.split], self.right)
                else:
                    line.column = (self.left, self.right)
        steps = Counter()
        for page in pages:
            for a, b in zip(page.lines, page.lines[1:]):
                step = b.baseline - a.baseline
                if abs(a.size - b.size) < 0.5 and 0.8 * a.size < step < 2.5 * a.size:
                    steps[round(step * 2) / 2] += 1
        self.leading = steps.most_common(1)[0][0] if steps else 1.2 * self.size
        indents = Counter(
            round(line.x0 - self.left) for line in body if 0.5 * line.size < line.x0 - self.left < 6 * line.size
        )
        # The usual first-line indent: a line standing there is indented, not centred.
        self.indent = float(indents.most_common(1)[0][0]) if indents else None
        # The lowest body text or table of any page: where a full page ends.
        self.body_bottom = max(
            [line.bottom for page in pages for line in page.lines] + [t.bottom for page in pages for t in page.tables],
            default=0.0,
        )

    # ------------------------------------------------------------ headers, footers, notes

    def _drop_running_lines(self) -> None:
        """Running headers and footers and page numbers out of the pages' lines."""
        placed = [(page.number, page.height, line, line.plain) for page in self.pages for line in page.lines]
        dropped = running_lines(placed, len(self.pages))
        for page in self.pages:
            page.lines = [line for line in page.lines if id(line) not in dropped]

    def _take_notes(self, page: _Page) -> None:
        """The notes at the page's foot out of its lines, into page.notes."""
        if not page.lines:
            return
        width = max(line.x1 for line in page.lines) - min(line.x0 for line in page.lines)
        start = None
        # The lowest short rule with notes under it (one under a title stands higher).
        rules = sorted(
            (top for top, x0, x1 in page.rules if 20 <= x1 - x0 <= 0.6 * max(width, 1)),
            reverse=True,
        )
        for top in rules:
            below = [line for line in page.lines if line.top >= top]
            if below and (
                _note_start(below[0], None) is not None
                or all(line.size < 0.95 * self.size for line in below)
                # A note carried over from the page before stands first, with no number.
                or (top > 0.4 * page.height and any(_note_start(line, None) for line in below))
            ):
                start = top
                break
        if start is None:
            small: list[_Line] = []
            for line in reversed(page.lines):
                if line.size >= 0.9 * self.size:
                    break
                small.insert(0, line)
            if small and _starts_with_marker(small[0]):  # no rule: a raised number starts them
                start = small[0].top
        if start is None:
            return
        page.notes = [line for line in page.lines if line.top >= start - 0.5]
        page.lines = [line for line in page.lines if line.top < start - 0.5]
        page.notes_top = start

    # ------------------------------------------------------------ paragraphs

    def _fits(self, previous: _Line, line: _Line) -> bool:
        """Would the line's first word have fitted at the end of the previous
        line? Then the previous line ended by choice (a hard break)."""
        left, right = previous.column
        room = WORD_GAP_GUESS * previous.size + line.first_word_width()
        if self._centred(previous):
            return (previous.x1 - previous.x0) + room <= (right - left) - 1
        return previous.x1 + room <= right - 1

    def _centred(self, line: _Line) -> bool:
        left, right = line.column
        before, after = line.x0 - left, right - line.x1
        return (
            before > 0.5 * line.size
            and abs(before - after) <= max(3.0, 0.3 * line.size)
            and (self.indent is None or abs(before - self.indent) > 2)
        )

    def _indented(self, line: _Line) -> bool:
        left, _ = line.column
        return line.x0 > left + 0.5 * line.size and not self._centred(line)

    def _list_break(self, previous: _Line, line: _Line) -> bool:
        return bool(_LIST_START.match(line.plain)) and previous.plain.rstrip()[-1:] in ",;.:"

    def _relation(self, previous: _Line, line: _Line, same_page: bool) -> str:
        """How ``line`` follows ``previous``: "soft" (same paragraph, joined
        by a space), "hard" (a line break in the block) or "new" (a new block)."""
        if max(previous.size, line.size) > 1.15 * min(previous.size, line.size):
            return "new"
        if same_page:
            if previous.column != line.column:
                return "new"
            step = line.baseline - previous.baseline
            if step < 0.5 * line.size or step > self.leading + max(2.0, 0.25 * line.size):
                return "new"
            if self._list_break(previous, line):
                return "new"
            indented = self._indented(line) and line.x0 > previous.x0 + 0.5 * line.size
            if not self._fits(previous, line):
                # A full line goes on in the next, unless a sentence ended
                # there and the next line is set in as a first line (a
                # hanging indent's lines go on mid-sentence).
                return "new" if indented and _terminated(previous.plain) else "soft"
            if self._indented(line) or _NEW_ITEM.match(line.plain) or _PART_LABEL.match(previous.plain.strip()):
                return "new"
            return "hard"
        # Over a page break: one paragraph only when the page's last line is
        # full and the next page goes on as a continuation line would.
        if (
            not self._fits(previous, line)
            and not self._indented(line)
            and not self._list_break(previous, line)
            and not (line.bold_at(first=True) and not previous.bold_at(first=False))
        ):
            return "soft"
        return "new"

    def text(self) -> PdfText:
        """The blocks of every page in reading order, the notes of each page
        after the first block that they may follow (_Block.safe)."""
        flow = _Flow()
        last_line: _Line | None = None
        last_table: _Table | None = None
        last_note: list | None = None
        for page in self.pages:
            first_on_page = True
            for item in _page_items(page):
                if isinstance(item, _Table):
                    block = flow.blocks[-1] if flow.blocks else None
                    if (
                        first_on_page
                        and last_table is not None
                        and block is not None and block.kind == "table"
                        and self._continues(last_table, item, block.table_rows)
                    ):
                        _continue_table(block, item, page.number)
                    else:
                        flow.start(_Block("table", table_rows=[("p", page.number), *item.rows]))
                    last_line, last_table = None, item
                else:
                    self._add_line(flow, last_line, item, page.number, first_on_page)
                    last_line, last_table = item, None
                first_on_page = False
            notes = self._notes(page, last_note)
            if notes:
                last_note = notes[-1]
            flow.pending.extend(notes)
        return _assemble(flow.finish(), len(self.pages))

    def _add_line(self, flow: "_Flow", previous: _Line | None, line: _Line, page_number: int, first_on_page: bool):
        """``line`` starting a paragraph or going on with the last one
        (_relation); the page is marked where its text starts."""
        relation = "new"
        if previous is not None and flow.blocks and flow.blocks[-1].kind == "para":
            relation = self._relation(previous, line, same_page=previous.page == line.page)
        if relation == "new":
            flow.start(_Block("para"))
            flow.blocks[-1].pieces.append(("p", page_number))
        else:
            block = flow.blocks[-1]
            block.pieces.append(_soft_join(previous, line) if relation == "soft" else ("w", "\n"))
            if first_on_page:
                block.pieces.append(("p", page_number))
        flow.blocks[-1].pieces.extend(line.pieces)

    def _continues(self, previous: _Table, table: _Table, rows: list) -> bool:
        """A table at a page's top going on with the one cut at the previous
        page's end (``rows`` so far): the same columns, and its first row
        had no room there, or is the rest of a row cut there, or repeats
        the header row."""
        if len(previous.edges) != len(table.edges):
            return False
        # pdfplumber snaps edges closer than 3 pt together, so a column may move that much.
        if any(abs(a - b) > 4 for a, b in zip(previous.edges, table.edges)):
            return False
        page = self.pages[previous.page - 1]
        floor = page.notes_top if page.notes_top is not None else self.body_bottom
        first, last = (table.rows[0] if table.rows else None), _last_row(rows)
        return (
            previous.bottom + table.first_row_height > floor - 2
            or (first is not None and first == _first_row(rows))
            or (first is not None and last is not None and _rest_of_row(last, first))
        )

    def _notes(self, page: _Page, last_note: list | None) -> list[list]:
        """The page's notes as [number, text]; lines before its first marker
        go on with ``last_note``, the last note of an earlier page."""
        notes: list[list] = []
        current = last_note
        previous: _Line | None = None
        for line in page.notes:
            start = _note_start(line, int(current[0]) + 1 if current and current[0].isdigit() else None)
            if start is not None:
                current = list(start)
                notes.append(current)
            elif current is not None:
                join = _soft_join(previous, line)[1] if previous is not None else " "
                current[1] += join + _plain_text(line.pieces)
            else:
                continue  # no note to go on with: a stray small line
            previous = line
        return notes


def _edge(values: list[float], pick) -> float:
    """The outermost position (``pick``: min or max) that at least two lines
    share; else the outermost."""
    counts = Counter(round(v) for v in values)
    shared = [v for v, n in counts.items() if n >= 2]
    return float(pick(shared)) if shared else float(pick(values))


def _starts_with_marker(line: _Line) -> bool:
    if not line.pieces:
        return False
    kind, text = line.pieces[0]
    return kind == "s" or (kind in "rb" and text[:1] in SUPERSCRIPT_DIGITS)


def _note_start(line: _Line, expected: int | None) -> tuple[str, str] | None:
    """(number, text) when the line starts a note: with a raised number
    (``¹`` too), or, in the notes under a rule, with the next note's number
    set level (``2 Quy chế…``, as some writers set them). Else None."""
    if not line.pieces:
        return None
    kind, text = line.pieces[0]
    if kind == "s":
        return text, _plain_text(line.pieces[1:]).strip()
    if kind not in "rb":
        return None
    if text[:1] in SUPERSCRIPT_DIGITS:
        digits = ""
        while text and text[0] in SUPERSCRIPT_DIGITS:
            digits += str(SUPERSCRIPT_DIGITS.index(text[0]))
            text = text[1:]
        return digits, _plain_text([(kind, text), *line.pieces[1:]]).strip()
    if text.isdigit() and len(text) <= 3 and len(line.pieces) > 1 and line.pieces[1][0] == "w":
        if expected is None or int(text) == expected:
            return text, _plain_text(line.pieces[2:]).strip()
    return None


def _plain_text(pieces: list[tuple[str, str]]) -> str:
    """Pieces as text without bold (a note's or a cell's)."""
    return _render([(("r", t) if k == "b" else (k, t)) for k, t in pieces])[0]


def _first_row(rows: list) -> list[str] | None:
    return next((r for r in rows if isinstance(r, list)), None)


def _last_row(rows: list) -> list[str] | None:
    return next((r for r in reversed(rows) if isinstance(r, list)), None)


def _rest_of_row(last: list[str], row: list[str]) -> bool:
    """Is ``row``, at the top of a page, the rest of ``last``, cut by the
    page end? Some of its cells are empty (they ended on the page before)
    and the others go on in lower case."""
    filled = [cell for cell in row if cell]
    return (
        len(row) == len(last)
        and 0 < len(filled) < len(row)
        and all(cell[:1].islower() and last[i] for i, cell in enumerate(row) if cell)
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*")


def _render(pieces: list[tuple[str, str]]) -> tuple[str, dict[int, int]]:
    """Pieces as light markdown: bold runs in one pair of ``**`` (spaces and
    line breaks between bold pieces stay inside, at the ends outside), markers
    as ``<sup>n</sup>``. Returns the text and, for each ("p", n) mark, the
    offset where it stood."""
    groups: list[list] = []  # [bold or None, items]
    for kind, text in pieces:
        if kind in "rb":
            bold = kind == "b"
            if groups and (groups[-1][0] == bold or groups[-1][0] is None):
                groups[-1][0] = bold
                groups[-1][1].append((kind, text))
            else:
                groups.append([bold, [(kind, text)]])
        elif groups:
            groups[-1][1].append((kind, text))  # spaces, markers and page marks go with the run they follow
        else:
            groups.append([None, [(kind, text)]])
    out: list[str] = []
    length = 0
    marks: dict[int, int] = {}

    def write(items) -> None:
        nonlocal length
        for kind, text in items:
            if kind == "p":
                marks.setdefault(int(text), length)
                continue
            if kind == "s":
                value = f"<sup>{text}</sup>"
            elif kind == "w":
                value = text
            else:
                value = _escape(text)
                at_line_start = length == 0 or (out and out[-1].endswith("\n"))
                if at_line_start and value.startswith("#"):
                    value = "\\" + value
            out.append(value)
            length += len(value)

    for bold, items in groups:
        if not bold:
            write(items)
            continue
        # Spaces and page marks at either end stand outside the stars.
        lead = 0
        while lead < len(items) and items[lead][0] in "wp":
            lead += 1
        tail = len(items)
        while tail > lead and items[tail - 1][0] in "wp":
            tail -= 1
        write(items[:lead])
        out.append("**")
        length += 2
        write(items[lead:tail])
        out.append("**")
        length += 2
        write(items[tail:])
    return "".join(out), marks


class _Flow:
    """Blocks, and notes between them, in reading order: a page's notes
    wait until a block they may follow is complete."""

    def __init__(self):
        self.blocks: list[_Block] = []
        self.pending: list[list] = []  # notes, [number, text], waiting for a block they may follow
        self.out: list[_Block | list] = []

    def close_block(self) -> None:
        """The last block is complete: notes waiting may follow it."""
        if self.pending and self.blocks and self.blocks[-1].safe():
            self.out.extend(self.pending)
            self.pending.clear()

    def start(self, block: _Block) -> None:
        self.close_block()
        self.blocks.append(block)
        self.out.append(block)

    def finish(self) -> list:
        self.close_block()
        self.out.extend(self.pending)
        return self.out


def _page_items(page) -> list:
    """A page's lines in the reading order _reading_order gave, its tables
    put in by their top."""
    ordered: list = list(page.lines)
    for table in page.tables:
        below = (i for i, item in enumerate(ordered) if isinstance(item, _Line) and item.top > table.top)
        ordered.insert(next(below, len(ordered)), table)
    return ordered


def _continue_table(block, table, page_number: int) -> None:
    """The rows of ``table``, going on from the previous page, added to
    ``block``: a header row repeated on the new page dropped, the rest of a
    row the page end cut (Word lets rows break across pages) joined to it."""
    rows = table.rows
    last = _last_row(block.table_rows)
    if rows and rows[0] == _first_row(block.table_rows):
        rows = rows[1:]
    elif rows and last is not None and _rest_of_row(last, rows[0]):
        for i, cell in enumerate(rows[0]):
            if cell:
                joint = "" if re.search(r"\w-$", last[i]) and cell[0].isalnum() else " "
                last[i] = (last[i] + joint + cell).strip()
        rows = rows[1:]
    block.table_rows.append(("p", page_number))
    block.table_rows.extend(rows)


def _assemble(out: list, page_count: int) -> PdfText:
    """The blocks and notes as one text, blank-line separated, and the page
    starts."""
    parts: list[str] = []
    length = 0
    starts: dict[int, int] = {}
    for item in out:
        if parts:
            parts.append("\n\n")
            length += 2
        if isinstance(item, list):  # a note: [number, text]
            text = f"<sup>{item[0]}</sup> {item[1]}".rstrip()
            marks = {}
        elif item.kind == "table":
            lines, marks, position = [], {}, 0
            for row in item.table_rows:
                if isinstance(row, tuple):
                    marks.setdefault(row[1], position)
                    continue
                lines.append("\t".join(_escape(cell) for cell in row))
                position += len(lines[-1]) + 1
            text = "\n".join(lines)
        else:
            text, marks = _render(item.pieces)
        for page, offset in marks.items():
            starts.setdefault(page, length + min(offset, len(text)))
        parts.append(text)
        length += len(text)
    text = nfc("".join(parts).rstrip() + "\n")
    if not text.strip():
        raise NoTextLayer(REASON_SCAN)
    pages: list[tuple[int, int]] = []
    following = len(text)
    for number in range(page_count, 0, -1):
        following = starts.get(number, following)
        pages.append((following, number))
    pages.reverse()
    return PdfText(text, pages)
