"""Scanned PDFs → the text the parser reads, by OCR (Tesseract's Vietnamese
model), with where each page starts.

Each page is rendered at :data:`DPI` (pypdfium2, which pdfplumber already
brings) and read by the ``tesseract`` program in TSV form: words with their
boxes, grouped by Tesseract into blocks, paragraphs and lines in reading
order (columns apart). From that:

- a paragraph's lines are joined with a space, except after a line that
  ends well short of the page's right margin (the next line's first word
  would have fitted there): that is a hard line break, kept as ``\\n``, as
  titles and the signature block are written in the text files, or a new
  block when the next line starts a numbered part or an item; a gap of a
  blank line between two lines starts a new block too;
- specks and rules read as signs (``¬``, ``|``, ``~``) are dropped;
- a word broken after a hyphen at a line end is joined without a space, the
  hyphen kept (``69-`` / ``KL/TU``); a dash with a space before it and
  none after gets the one Tesseract lost, and a part's Roman numeral read
  as a bar is put right;
- running headers and footers (the same line, digits aside, in a page's
  outer band on at least two pages and two fifths of them) and lone page
  numbers there are left out, as indexer.pdf leaves them out;
- literal ``*`` are escaped, as indexer.pdf escapes them, so OCR'd text
  never reads as markup.

Bold type and raised footnote markers are not seen by Tesseract's model:
headings are found by their wording (the parser's numbering rules).

OCR is slow (seconds a page), so a build keeps what it read in a cache
folder keyed by the file's content hash (:class:`OcrCache`): a file read
once is never read again while its bytes stay the same. The ``tesseract``
program and its ``vie`` model are Debian packages; without them
:class:`OcrUnavailable` names what to install.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from analyzers.normalize import nfc
from indexer.pdf import _NEW_ITEM, CLOSERS, TERMINAL, PdfText, _escape, running_lines

TESSERACT = "tesseract"
LANGUAGE = "vie"
DPI = 300
# A page Tesseract has not read by then is given up on (a normal page takes seconds).
PAGE_TIMEOUT_S = 300
# Words Tesseract is less sure of than this (0–100) are noise: specks, stamps, lines.
MIN_CONFIDENCE = 20
# Bump when the text made of the same scan changes: older cache entries are then not used.
CACHE_VERSION = 1

_NOTE_MARKER = re.compile(r"^(?:\d{1,3}|[!?'’‘`|])\s*")
# A "word" of these alone is a speck or a rule read as a sign, never text.
_NOISE = re.compile(r"[¬~|©®°•_=^`´¨¦§<>{}\[\]]+")
_HALF_SPACED_DASH = re.compile(r"(?<=\w) ([-–])(?=\w)")
_ROMAN_MISREAD = re.compile(r"(?m)^((?=[IVX|l]*[|l])[IVX|l]{1,4})(\.\s+[A-ZĐÀ-Ỹ])")

INSTALL_HINT = "cài bằng: apt-get install tesseract-ocr tesseract-ocr-vie"
REASON_MISSING = f"cần chương trình Tesseract để nhận dạng chữ (OCR) bản quét ({INSTALL_HINT})"
REASON_NO_MODEL = f"Tesseract chưa có dữ liệu tiếng Việt (vie) để nhận dạng chữ ({INSTALL_HINT})"
REASON_NOTHING = "tệp PDF là bản quét nhưng nhận dạng chữ (OCR) không tìm thấy chữ nào"
REASON_FAILED = "nhận dạng chữ (OCR) thất bại"
REASON_RENDER = "không dựng được trang của tệp PDF quét để nhận dạng chữ"


class OcrUnavailable(ValueError):
    """Tesseract or its Vietnamese model is missing; the message says how to install it."""


class OcrFailed(ValueError):
    """The scan could not be read; the message is for the user."""


@dataclass
class OcrCache:
    """Where a build keeps OCR results (``folder``), and the file's content
    hash (``sha256``) they are kept under."""

    folder: Path
    sha256: str

    @property
    def path(self) -> Path:
        return self.folder / f"{self.sha256}.json"

    def load(self) -> PdfText | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing, or a write cut short: OCR again
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None
        return PdfText(data["text"], [tuple(p) for p in data["pages"]])

    def store(self, read: PdfText) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        data = {"version": CACHE_VERSION, "text": read.text, "pages": read.pages}
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.path)  # whole or not at all, whichever worker writes it


def prune_cache(folder: Path, keep: set[str]) -> None:
    """Remove cached results of files no longer in the corpus (by content hash)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name.split(".", 1)[0] not in keep:
            path.unlink(missing_ok=True)


def check_available() -> None:
    """Raise OcrUnavailable unless ``tesseract`` and its ``vie`` model are installed."""
    if shutil.which(TESSERACT) is None:
        raise OcrUnavailable(REASON_MISSING)
    try:
        listed = subprocess.run(
            [TESSERACT, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        raise OcrUnavailable(REASON_MISSING) from None
    if LANGUAGE not in listed.split():
        raise OcrUnavailable(REASON_NO_MODEL)


def ocr_pdf(path: Path, cache: OcrCache | None = None, notify=None) -> PdfText:
    """The text of a scanned PDF and its page starts. ``notify(message)`` is
    told which page is being read. Raises OcrUnavailable or OcrFailed."""
    if cache is not None:
        found = cache.load()
        if found is not None:
            return found
    check_available()
    pages = []
    for number, total, image in _page_images(Path(path)):
        if notify is not None:
            notify(f"OCR {Path(path).name}: trang {number}/{total}")
        pages.append(_Page(number, image.height, _words(_tesseract(image))))
    read = _assemble(pages)
    if cache is not None:
        cache.store(read)
    return read


def _page_images(path: Path):
    """(page number, page count, greyscale image) for each page, one at a time."""
    import pypdfium2  # comes with pdfplumber

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as error:
        raise OcrFailed(f"{REASON_RENDER} ({error})") from None
    try:
        total = len(pdf)
        for index in range(total):
            page = pdf[index]
            try:
                bitmap = page.render(scale=DPI / 72, grayscale=True)
                image = bitmap.to_pil()
            except pypdfium2.PdfiumError as error:
                raise OcrFailed(f"{REASON_RENDER} ({error})") from None
            finally:
                page.close()
            yield index + 1, total, image
    finally:
        pdf.close()


def _tesseract(image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    # One thread each: the build already runs one worker per core.
    environment = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run(
            [TESSERACT, "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(DPI), "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=PAGE_TIMEOUT_S,
            env=environment,
            check=False,
        )
    except FileNotFoundError:
        raise OcrUnavailable(REASON_MISSING) from None
    except subprocess.TimeoutExpired:
        raise OcrFailed(f"{REASON_FAILED} (quá {PAGE_TIMEOUT_S} giây một trang)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("vie" in line and ("load" in line.lower() or "data" in line.lower()) for line in message):
            raise OcrUnavailable(REASON_NO_MODEL)
        raise OcrFailed(f"{REASON_FAILED} ({message[-1] if message else done.returncode})")
    return done.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------- layout


@dataclass
class _Word:
    text: str
    left: int
    top: int
    right: int
    bottom: int


@dataclass
class _Line:
    words: list[_Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def left(self) -> int:
        return self.words[0].left

    @property
    def right(self) -> int:
        return self.words[-1].right

    @property
    def top(self) -> int:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> int:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass
class _Paragraph:
    lines: list[_Line]
    note: bool = False  # a footnote at the page's foot

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


@dataclass
class _Page:
    number: int
    height: int
    paragraphs: list[_Paragraph]

    @property
    def right(self) -> int:
        """The text's right margin: where most full lines end."""
        rights = sorted(line.right for p in self.paragraphs for line in p.lines)
        return rights[int(0.9 * (len(rights) - 1))] if rights else 0


def _words(tsv: str) -> list[list[_Line]]:
    """Tesseract's paragraphs (lists of lines) in its reading order."""
    paragraphs: dict[tuple, dict[tuple, list[_Word]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        try:
            confidence = float(row["conf"])
            left, top = int(row["left"]), int(row["top"])
            right, bottom = left + int(row["width"]), top + int(row["height"])
        except (KeyError, TypeError, ValueError):
            continue
        if not text or confidence < MIN_CONFIDENCE or _NOISE.fullmatch(text):
            continue
        paragraph = (int(row["block_num"]), int(row["par_num"]))
        line = (*paragraph, int(row["line_num"]))
        paragraphs.setdefault(paragraph, {}).setdefault(line, []).append(_Word(nfc(text), left, top, right, bottom))
    return [
        _Paragraph([_Line(sorted(words, key=lambda w: w.left)) for words in lines.values()])
        for lines in paragraphs.values()
    ]


def _drop_running(pages: list[_Page]) -> None:
    """Running headers and footers and lone page numbers out, as indexer.pdf does."""
    placed = [
        (page.number, page.height, line, line.text)
        for page in pages for paragraph in page.paragraphs for line in paragraph.lines
    ]
    dropped = running_lines(placed, len(pages))
    for page in pages:
        for paragraph in page.paragraphs:
            paragraph.lines = [line for line in paragraph.lines if id(line) not in dropped]
        page.paragraphs = [p for p in page.paragraphs if p.lines]


def _mark_notes(page: _Page) -> None:
    """Footnotes: the paragraphs after the last body paragraph in the lower
    half of the page set in smaller type than the body (Word sets notes at
    10 pt under 13–14 pt text)."""
    heights = sorted(line.height for p in page.paragraphs for line in p.lines)
    if len(heights) < 4:
        return
    body = heights[len(heights) // 2]
    for paragraph in reversed(page.paragraphs):
        small = sorted(line.height for line in paragraph.lines)[len(paragraph.lines) // 2] < 0.85 * body
        if not small or paragraph.lines[0].top < page.height / 2:
            break
        paragraph.note = True


def _note_text(text: str, number: int) -> str:
    """A note with its marker as the parser reads it. Tesseract reads a small
    raised digit as a digit or as a mark (``!``, ``?``, ``'``): a leading
    number is kept when it is the one expected, else the note gets that one."""
    match = _NOTE_MARKER.match(text)
    if match:
        text = text[match.end():]
    return f"<sup>{number}</sup> {text}"


def _paragraph_text(lines: list[_Line], right: int) -> str:
    out = lines[0].text
    for before, line in zip(lines, lines[1:]):
        first = line.words[0]
        # Room left on the line before for the next line's first word and a space.
        room = right - before.right
        needed = (first.right - first.left) + 0.3 * max(before.height, 1)
        if line.top - before.bottom > 0.8 * max(before.height, 1):
            out += "\n\n" + line.text  # a blank line's gap: another block (a stamp under the title)
        elif before.text.endswith("-") and len(before.text) > 1 and room < needed:
            out += line.text  # "69-" / "KL/TU": a word broken at its hyphen
        elif room >= needed and _NEW_ITEM.match(_roman(line.text)):
            out += "\n\n" + line.text  # a heading or an item ends the line before: a block of its own
        elif room >= needed:
            out += "\n" + line.text  # ended by choice: a hard line break
        else:
            out += " " + line.text
    return _spaced_dash(_roman(out))


def _spaced_dash(text: str) -> str:
    """``2013 -2015`` → ``2013 - 2015``: Tesseract often loses the space after
    a dash that has one before it (a range or an aside is spaced both sides)."""
    return _HALF_SPACED_DASH.sub(r" \1 ", text)


def _roman(text: str) -> str:
    """``|. KẾT QUẢ`` → ``I. KẾT QUẢ``: Tesseract reads the Roman numeral I
    of a part's heading as a bar or an l."""
    return _ROMAN_MISREAD.sub(lambda m: m.group(1).replace("|", "I").replace("l", "I") + m.group(2), text)


def _continues(before: str, after: str) -> bool:
    """A paragraph cut by a page break: no sentence end before, lower case after."""
    return bool(before) and before[-1] not in TERMINAL + CLOSERS.strip() and after[:1].islower()


def _assemble(pages: list[_Page]) -> PdfText:
    _drop_running(pages)
    parts: list[str] = []  # blocks, each followed by "\n\n"
    starts: list[tuple[int, int]] = []
    length = 0
    notes = 0
    held: list[str] = []  # notes of the page before, written once its cut paragraph ends
    for page in pages:
        _mark_notes(page)
        right = page.right
        for index, paragraph in enumerate(page.paragraphs):
            if paragraph.note:
                notes += 1
                held.append(_escape(_note_text(paragraph.text, notes)))
                continue
            text = _escape(_paragraph_text(paragraph.lines, right))
            if index == 0 and parts and _continues(parts[-1].rstrip(), text):
                parts[-1] = parts[-1].rstrip() + " "  # one paragraph across the page break
                length -= 1
                starts.append((length, page.number))
                parts.append(text + "\n\n")
                length += len(text) + 2
                continue
            if index == 0:
                starts.append((length, page.number))
            if held:
                for note in held:
                    parts.append(note + "\n\n")
                    length += len(note) + 2
                held = []
                if index == 0:
                    starts[-1] = (length, page.number)
            parts.append(text + "\n\n")
            length += len(text) + 2
        if not page.paragraphs or all(p.note for p in page.paragraphs):
            starts.append((length, page.number))
    for note in held:
        parts.append(note + "\n\n")
        length += len(note) + 2
    text = "".join(parts).rstrip() + "\n"
    if not text.strip():
        raise OcrFailed(REASON_NOTHING)
    last = len(text)
    return PdfText(text, [(min(offset, last), number) for offset, number in starts])
