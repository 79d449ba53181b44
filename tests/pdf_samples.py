"""The sample documents as PDF files with a text layer, laid out as a word
processor exports them: A4; a running header line and a page number on every
page; bold headings; body paragraphs justified, with a first-line indent,
wrapped over several lines; footnote markers as small raised digits, and the
notes in a smaller font under a short rule at the foot of the page holding
the marker; tables as ruled grids, cut between rows at a page end. Made with
reportlab in DejaVu Sans (Debian: fonts-dejavu-core), which has every
Vietnamese letter.

The text is read as tests/word_samples.py reads it: blank-line separated
blocks, ``#`` headings, ``**bold**``, ``<sup>n</sup>`` or ``¹`` markers and
``<sup>n</sup> text`` notes, tab-separated rows. Page separators (``---``)
are left out and a paragraph the text file splits at a page is one paragraph
again: this file makes its own pages. Italics (``*…*``) are set upright: the
parser drops them anyway.

A word that does not fit breaks after a hyphen inside it when its head
fits (``69-`` / ``KL/TU``), as Word breaks it. ``write_pdf`` can also set
titles centred, lines ragged and the page number at the top (``- 2 -``, as
Nghị định 30/2020 places it), and says what it put on each page
(:class:`Layout`), so tests can check the reader's page starts against it.
``write_lines`` places lines by hand, for the reader's edge cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 85.0, 57.0, 57.0, 57.0  # 30 mm left, 20 mm elsewhere (Nghị định 30)
COLUMN = PAGE_W - LEFT - RIGHT
BODY_H = PAGE_H - TOP - BOTTOM
SIZE, LEADING = 11.0, 14.0
NOTE_SIZE, NOTE_LEADING = 9.0, 11.0
CELL_SIZE, CELL_LEADING, CELL_PAD = 9.5, 12.0, 3.0
SUP_SCALE, SUP_RISE = 0.6, 0.38  # of the text size, as word processors set superscripts
INDENT = 28.0
SPACE_AFTER = 6.0
RULE_GAP = 8.0  # above the footnote rule and between it and the first note
HEADER_SIZE, FOOTER_SIZE = 8.0, 9.0
KEEP_TOGETHER = 8  # a block of hard lines up to this many lines is not cut by a page

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NOTE_START = re.compile(rf"^(?:<sup>(\d+)</sup>|([{SUPERSCRIPTS}]+))\s*")
_INLINE = re.compile(
    r"\\(?P<esc>[\\`*_{}\[\]()#+\-.!|<>~])"
    r"|<sup>\s*(?P<sup>[^<]*?)\s*</sup>"
    rf"|(?P<marks>(?<=\S)[{SUPERSCRIPTS}]+)"
    r"|(?P<b></?b>)"
    r"|(?P<br><br\s*/?>)"
    r"|(?P<tag></?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>)"
    r"|(?P<stars>\*+)",
    re.IGNORECASE,
)


def header_text(stem: str) -> str:
    """The running header line of a sample's pages."""
    return f"Tài liệu {stem} – bản PDF"


def register_fonts() -> None:
    for name, file in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf")):
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        path = FONT_DIR / file
        if not path.is_file():
            raise RuntimeError(f"{path} is missing: apt-get install -y fonts-dejavu-core")
        pdfmetrics.registerFont(TTFont(name, str(path)))


# ------------------------------------------------------------ the text's blocks


def _digits(sup: str) -> str:
    return "".join(str(SUPERSCRIPTS.index(c)) for c in sup)


def _blocks(text: str) -> list[list[str] | None]:
    """Blank-line separated blocks; ``None`` where a page separator stood."""
    blocks, current = [], []
    for line in text.split("\n"):
        separator = re.fullmatch(r"\s*-{3,}\s*", line)
        if not line.strip() or separator:
            if current:
                blocks.append(current)
            current = []
            if separator:
                blocks.append(None)
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _ends_sentence(block: list[str]) -> bool:
    return bool(re.search(r"[.:;!?…”\")]\**$", block[-1].strip()))


def document_blocks(text: str) -> tuple[list[list[str]], dict[str, str]]:
    """The body blocks (page-split paragraphs whole again) and the notes by
    number, as tests/word_samples.py reads a sample."""
    notes: dict[str, str] = {}
    body: list[list[str]] = []
    page_broke = False
    for block in _blocks(text):
        start = _NOTE_START.match(block[0]) if block else None
        if block is None or start:
            page_broke = True
            if start:
                number = start.group(1) or _digits(start.group(2))
                notes[number] = " ".join(line.strip() for line in [block[0][start.end():], *block[1:]])
            continue
        previous = body[-1] if body else None
        if (
            page_broke and previous and not _ends_sentence(previous)
            and not any("\t" in line or line.startswith("#") for line in previous + block[:1])
        ):
            previous[-1] = previous[-1].rstrip() + " " + block[0].lstrip()
            previous.extend(block[1:])
        else:
            body.append(block)
        page_broke = False
    return body, notes


# ------------------------------------------------------------ inline text


@dataclass
class Piece:
    text: str
    bold: bool = False
    sup: bool = False

    def font(self) -> str:
        return BOLD if self.bold else REGULAR

    def width(self, size: float) -> float:
        return pdfmetrics.stringWidth(self.text, self.font(), size * SUP_SCALE if self.sup else size)


Word = list[Piece]


def pieces(line: str, bold: bool = False) -> list[Piece]:
    """One line of light markdown as styled pieces (``bold`` sets the whole line bold)."""
    out: list[Piece] = []
    strong = False
    position = 0

    def text(value: str) -> None:
        if value:
            out.append(Piece(value, bold or strong))

    for match in _INLINE.finditer(line):
        text(line[position : match.start()])
        position = match.end()
        if match.group("esc") is not None:
            text(match.group("esc"))
        elif match.group("sup") is not None:
            inner = match.group("sup")
            if inner.isdigit():
                out.append(Piece(inner, bold or strong, sup=True))
            else:
                text(f" {inner} ")
        elif match.group("marks"):
            out.append(Piece(_digits(match.group("marks")), bold or strong, sup=True))
        elif match.group("b"):
            strong = not match.group("b").startswith("</")
        elif match.group("br"):
            text(" ")
        elif match.group("stars"):
            if len(match.group("stars")) >= 2:
                strong = not strong  # "**" and "***" (bold italic); a single "*" is italic
    text(line[position:])
    return out


def hard_lines(block: list[Piece]) -> list[list[Piece]]:
    """A block's pieces cut at its line breaks (a bold span may cross them)."""
    lines: list[list[Piece]] = [[]]
    for piece in block:
        parts = piece.text.split("\n") if not piece.sup else [piece.text]
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append(Piece(part, piece.bold, piece.sup))
    return lines


def words(line_pieces: list[Piece]) -> list[Word]:
    """Pieces cut into words at spaces; a marker stays with the word it follows."""
    out: list[Word] = []
    current: Word = []
    for piece in line_pieces:
        if piece.sup:
            current.append(piece)
            continue
        parts = re.split(r"(\s+)", piece.text)
        for part in parts:
            if not part:
                continue
            if part.isspace():
                if current:
                    out.append(current)
                current = []
            else:
                current.append(Piece(part, piece.bold))
    if current:
        out.append(current)
    return out


def word_width(word: Word, size: float) -> float:
    return sum(p.width(size) for p in word)


def space_width(size: float) -> float:
    return pdfmetrics.stringWidth(" ", REGULAR, size)


@dataclass
class Line:
    words: list[Word]
    x: float  # left edge, from the page's left
    width: float  # room from x to the column's right edge
    justify: bool  # spread to the full width (a soft-wrapped line)
    size: float = SIZE

    hyphen_break: bool = False  # the line ends inside a word, after its hyphen

    def plain(self) -> str:
        """The line's text without its markers."""
        words = ("".join(p.text for p in w if not p.sup) for w in self.words)
        return " ".join(w for w in words if w)


def wrap(hard_lines: list[list[Piece]], x: float, width: float, size: float, indent: float = 0.0) -> list[Line]:
    """Greedy wrapping of each hard line; the first line of the block indented."""
    lines: list[Line] = []
    space = space_width(size)
    first = True
    for hard in hard_lines:
        line_words = words(hard)
        current: list[Word] = []
        used = 0.0
        room = width - (indent if first else 0.0)
        pending = list(line_words)
        while pending:
            word = pending.pop(0)
            w = word_width(word, size)
            if current and used + space + w > room:
                # As Word does, a word that does not fit breaks after a hyphen
                # inside it ("69-" / "KL/TU") when its head fits.
                head, tail = _hyphen_split(word, room - used - space, size)
                if head:
                    current.append(head)
                    pending.insert(0, tail)
                    lines.append(Line(current, x + (width - room), room, True, size, hyphen_break=True))
                    current, used = [], 0.0
                    first = False
                    room = width
                    continue
                lines.append(Line(current, x + (width - room), room, True, size))
                current, used = [], 0.0
                first = False
                room = width
            used += (space if current else 0.0) + w
            current.append(word)
        if current:
            lines.append(Line(current, x + (width - room), room, False, size))
            first = False
    return lines


def _hyphen_split(word: Word, room: float, size: float) -> tuple[Word | None, Word | None]:
    """The word cut after its last inner hyphen whose head fits in ``room``."""
    if len(word) != 1 or word[0].sup:
        return None, None
    piece = word[0]
    for match in reversed(list(re.finditer(r"(?<=\w)-(?=\w)", piece.text))):
        head = Piece(piece.text[: match.end()], piece.bold)
        if head.width(size) <= room:
            return [head], [Piece(piece.text[match.end() :], piece.bold)]
    return None, None


# ------------------------------------------------------------ layout


@dataclass
class Layout:
    """What was drawn, markers left out of the text."""

    first_lines: list[str] = field(default_factory=list)  # per page, its first body or table line
    continued: list[bool] = field(default_factory=list)  # per page, that line goes on wrapping a line of the page before
    notes: list[list[str]] = field(default_factory=list)  # per page, the note numbers at its foot
    lines: list[tuple[int, str]] = field(default_factory=list)  # every body and table line: (page, text)
    hyphen_breaks: int = 0  # lines ended after the hyphen inside a word


class _Pages:
    def __init__(self, path: Path, header: str | None, page_numbers: str, justify: bool = True, **canvas_options):
        register_fonts()
        self.canvas = Canvas(str(path), pagesize=A4, **canvas_options)
        self.header = header
        self.page_numbers = page_numbers
        self.justify = justify
        self.layout = Layout()
        self.placed: set[str] = set()  # note numbers already at some page's foot
        self.number = 0
        self._new()

    def _new(self) -> None:
        self.number += 1
        self.y = 0.0  # used height of the body area
        self.notes: list[tuple[str, list[Line]]] = []
        self.notes_h = 0.0
        self.layout.first_lines.append("")
        self.layout.continued.append(False)
        self.layout.notes.append([])

    def _finish(self) -> None:
        c = self.canvas
        if self.header:
            c.setFont(REGULAR, HEADER_SIZE)
            c.drawCentredString(PAGE_W / 2, PAGE_H - 35, self.header)
        if self.page_numbers == "bottom":
            c.setFont(REGULAR, FOOTER_SIZE)
            c.drawCentredString(PAGE_W / 2, 30, str(self.number))
        elif self.page_numbers == "top" and self.number > 1:
            # Nghị định 30/2020: centred at the top, from the second page.
            c.setFont(REGULAR, FOOTER_SIZE)
            c.drawCentredString(PAGE_W / 2, PAGE_H - 35, f"- {self.number} -")
        if self.notes:
            top = TOP + BODY_H - self.notes_h + RULE_GAP
            c.setLineWidth(0.5)
            c.line(LEFT, PAGE_H - top, LEFT + 144, PAGE_H - top)
            y = top + RULE_GAP
            for _, lines in self.notes:
                for line in lines:
                    y += NOTE_LEADING
                    self._draw(line, PAGE_H - y + NOTE_LEADING - NOTE_SIZE)
        c.showPage()

    def page_break(self) -> None:
        self._finish()
        self._new()

    def close(self) -> Layout:
        self._finish()
        self.canvas.save()
        return self.layout

    def room(self) -> float:
        return BODY_H - self.y - self.notes_h

    def note_height(self, lines: list[Line]) -> float:
        return len(lines) * NOTE_LEADING + (0.0 if self.notes else 2 * RULE_GAP)

    def _draw(self, line: Line, baseline: float) -> None:
        draw_line(self.canvas, line, baseline, self.justify)

    def record(self, line: Line, continued: bool = False) -> None:
        if not self.layout.first_lines[-1]:
            self.layout.first_lines[-1] = line.plain()
            self.layout.continued[-1] = continued
        self.layout.lines.append((self.number, line.plain()))
        self.layout.hyphen_breaks += line.hyphen_break

    def body_line(self, line: Line, leading: float, notes: dict[str, list[Line]], continued: bool) -> None:
        """A body line, with the notes its markers call at this page's foot;
        ``continued``: the line before was wrapped into it."""
        new = [n for n in _markers(line) if n in notes and n not in self.placed]
        extra = 0.0
        for number in new:
            extra += self.note_height(notes[number]) if not extra else len(notes[number]) * NOTE_LEADING
        if self.y > 0 and leading + extra > self.room():
            self.page_break()
        self.y += leading
        self._draw(line, PAGE_H - TOP - self.y + leading - line.size)
        self.record(line, continued)
        for number in new:
            self.notes_h += self.note_height(notes[number])
            self.notes.append((number, notes[number]))
            self.placed.add(number)
            self.layout.notes[-1].append(number)

    def gap(self, height: float) -> None:
        if self.y > 0:
            self.y += height


def draw_line(c: Canvas, line: Line, baseline: float, justify: bool = True) -> None:
    """One line at ``baseline`` (from the page's bottom); a soft-wrapped
    line's words spread over its whole width when ``justify``."""
    gap = space_width(line.size)
    if justify and line.justify and len(line.words) > 1:
        natural = sum(word_width(w, line.size) for w in line.words)
        gap = (line.width - natural) / (len(line.words) - 1)
    x = line.x
    for word in line.words:
        for piece in word:
            size = line.size * SUP_SCALE if piece.sup else line.size
            rise = line.size * SUP_RISE if piece.sup else 0.0
            c.setFont(piece.font(), size)
            c.drawString(x, baseline + rise, piece.text)
            x += piece.width(line.size)
        x += gap


def _markers(line: Line) -> list[str]:
    return [p.text for w in line.words for p in w if p.sup]


def _table(canvas: _Pages, rows: list[list[str]]) -> None:
    """A ruled grid; cut between rows when a page is full."""
    columns = max(len(r) for r in rows)
    rows = [r + [""] * (columns - len(r)) for r in rows]
    cells = [[words(pieces(cell)) for cell in row] for row in rows]
    inner = CELL_PAD * 2
    # A column gets its longest word at least, the rest of the width by its text's length.
    least = [max((word_width(w, CELL_SIZE) for row in cells for w in row[c]), default=0.0) + inner for c in range(columns)]
    natural = [max(sum(word_width(w, CELL_SIZE) for w in row[c]) for row in cells) + inner for c in range(columns)]
    spare = COLUMN - sum(least)
    extra = [max(n - m, 0.0) for n, m in zip(natural, least)]
    widths = [m + (spare * e / sum(extra) if sum(extra) else spare / columns) for m, e in zip(least, extra)]
    xs = [LEFT]
    for w in widths:
        xs.append(xs[-1] + w)
    c = canvas.canvas
    c.setLineWidth(0.6)
    for row in rows:
        wrapped = [
            wrap([pieces(cell)], x + CELL_PAD, w - inner, CELL_SIZE) for cell, x, w in zip(row, xs, widths)
        ]
        height = max(1, max(len(lines) for lines in wrapped)) * CELL_LEADING + inner
        if canvas.y > 0 and height > canvas.room():
            canvas.page_break()
        top = PAGE_H - TOP - canvas.y
        for lines in wrapped:
            for i, line in enumerate(lines):
                canvas._draw(line, top - CELL_PAD - (i + 1) * CELL_LEADING + (CELL_LEADING - CELL_SIZE))
                canvas.record(line)
        bottom = top - height
        c.line(xs[0], top, xs[-1], top)
        c.line(xs[0], bottom, xs[-1], bottom)
        for x in xs:
            c.line(x, top, x, bottom)
        canvas.y += height


def write_pdf(
    text: str,
    path: Path,
    header: str | None = None,
    page_numbers: str = "bottom",
    justify: bool = True,
    centre: bool = False,
    **canvas_options,
) -> Layout:
    """``text`` (a sample document's) as a PDF at ``path``. ``header``: the
    running header line; ``page_numbers``: "bottom" (``3``), "top"
    (``- 3 -`` from page 2) or ""; ``justify``: body lines spread to the
    full width (else ragged); ``centre``: title-like blocks (short, no
    sentence end, not numbered) centred. ``canvas_options`` go to
    reportlab's Canvas (``encrypt=`` for a protected file)."""
    blocks, notes_text = document_blocks(text)
    pages = _Pages(path, header, page_numbers, justify, **canvas_options)
    notes = {
        number: wrap([[Piece(number, sup=True), *pieces(" " + body)]], LEFT, COLUMN, NOTE_SIZE)
        for number, body in notes_text.items()
    }
    for block in blocks:
        if all("\t" in line for line in block):
            pages.gap(SPACE_AFTER)
            _table(pages, [line.split("\t") for line in block])
            continue
        first = block[0]
        level = len(first) - len(first.lstrip("#"))
        heading = bool(level) and first[level : level + 1] in (" ", "*")
        if heading:
            block = [first[level:].lstrip(), *block[1:]]
        hard = hard_lines(pieces("\n".join(line.strip() for line in block), bold=heading))
        centred = centre and _title_like(block)
        lines = wrap(hard, LEFT, COLUMN, SIZE, indent=0.0 if heading or centred else INDENT)
        if centred:
            for line in lines:
                natural = sum(word_width(w, SIZE) for w in line.words) + space_width(SIZE) * (len(line.words) - 1)
                line.x, line.justify = LEFT + (COLUMN - natural) / 2, False
        pages.gap(SPACE_AFTER)
        # Word's "keep lines together" for short blocks of hard lines (titles,
        # signatures): a page never falls inside one.
        if 1 < len(block) and len(lines) <= KEEP_TOGETHER and pages.y > 0 and len(lines) * LEADING > pages.room():
            pages.page_break()
        for i, line in enumerate(lines):
            pages.body_line(line, LEADING, notes, continued=i > 0 and lines[i - 1].justify)
    return pages.close()


def _title_like(block: list[str]) -> bool:
    text = re.sub(r"[*#\\]|<[^>]+>", "", " ".join(block)).strip()
    return (
        not re.match(r"^(?:[-+•]|\(?\d|[IVX]+[.\-]|[a-zđ]\))", text)
        and not _ends_sentence([text])
        and len(text.split()) <= 40
    )


@dataclass
class Placed:
    """A hand-placed line: light-markdown text at ``x`` from the page's left,
    its baseline ``top`` from the page's top."""

    text: str
    x: float
    top: float
    bold: bool = False
    size: float = SIZE


def write_lines(path: Path, pages: list[list[Placed | tuple[float, float, float]]], **canvas_options) -> None:
    """A PDF of hand-placed lines, for the reader's edge cases; a tuple
    (x0, x1, top) on a page draws a horizontal rule there."""
    register_fonts()
    c = Canvas(str(path), pagesize=A4, **canvas_options)
    for page in pages:
        for item in page:
            if isinstance(item, tuple):
                x0, x1, top = item
                c.setLineWidth(0.5)
                c.line(x0, PAGE_H - top, x1, PAGE_H - top)
                continue
            line = Line(words(pieces(item.text, bold=item.bold)), item.x, COLUMN, False, item.size)
            draw_line(c, line, PAGE_H - item.top)
        c.showPage()
    c.save()
