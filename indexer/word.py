"""Word (.docx) files → the text the parser reads.

The parser (indexer.parser) reads the light markdown the sample documents
are kept in: paragraphs separated by a blank line, ``#`` headings, ``**bold**``
runs, ``<sup>n</sup>`` footnote markers and ``<sup>n</sup> text`` footnote
paragraphs, tables as tab-separated rows. A .docx file is written out in that
form, so every rule of the parser (sections, pseudo-headings, footnote
attachment, signature and ``Nơi nhận``) applies to it unchanged:

- Word's heading styles (``Heading 1``…, ``Title``) give ``#`` headings;
  bold runs (direct formatting or a bold character style) give ``**…**``;
- real Word footnotes (``footnotes.xml``) are numbered in the order of their
  references, as Word shows them, and written after the body: the parser
  attaches each to the section holding its marker;
- tables give one line per row, cells separated by tabs; a merged cell
  gives its text once and leaves the other columns or rows it covers empty,
  so every value stays under its header;
- headers and footers are left out (they are other parts of the package);
- tracked changes are read as accepted: insertions kept, deletions dropped.

python-docx reads the package; the XML walk here is what it has no API for
(footnotes, tracked changes, runs inside hyperlinks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from analyzers.legacy import convert_run

REASON_BROKEN = "tệp Word (.docx) hỏng hoặc không phải tệp .docx"
# A .doc file LibreOffice has not converted by then is given up on.
CONVERT_TIMEOUT_S = 120
SOFFICE = "soffice"

_P, _R, _T, _TBL, _TR, _TC = (qn(t) for t in ("w:p", "w:r", "w:t", "w:tbl", "w:tr", "w:tc"))
_SKIPPED = {qn(t) for t in ("w:del", "w:moveFrom", "w:pPr", "w:rPr", "w:fldSimple_instr")}
_BOOLEAN_OFF = {"0", "false", "off"}


class BrokenDocx(ValueError):
    """A file that is not a readable .docx; the message is for the user."""


def docx_text(path: Path) -> str:
    """The document's text in the parser's form (see the module docstring).
    Raises BrokenDocx for a file python-docx cannot open."""
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError) as error:
        raise BrokenDocx(f"{REASON_BROKEN} ({type(error).__name__})") from None
    writer = _Writer(_bold_styles(document), _heading_levels(document), _Fonts(document))
    body = document.element.body
    for block in body.iterchildren():
        if block.tag == _P:
            writer.paragraph(block)
        elif block.tag == _TBL:
            writer.table(block)
    notes = _footnotes(document)
    for note_id, number in writer.note_numbers.items():
        element = notes.get(note_id)
        if element is None:
            continue
        text = " ".join(filter(None, (writer.inline(p, notes=False) for p in element.iter(_P))))
        writer.blocks.append(f"<sup>{number}</sup> {text.strip()}")
    return "\n\n".join(b for b in writer.blocks if b.strip()) + "\n"


def doc_text(path: Path) -> str:
    """A Word 97–2003 (.doc) file's text: LibreOffice (headless) converts it
    to .docx, read as any .docx. Raises BrokenDocx with the reason, naming
    the Debian package when LibreOffice is not installed."""
    soffice = shutil.which(SOFFICE)
    if soffice is None:
        raise BrokenDocx(
            "cần LibreOffice để đọc tệp .doc (Word 97–2003): "
            "apt-get install libreoffice-writer-nogui"
        )
    with tempfile.TemporaryDirectory(prefix="tracuu-doc-") as work:
        # A profile of its own: two workers converting at once would
        # otherwise fight over the user's LibreOffice profile.
        profile = Path(work, "profile").as_uri()
        command = [
            soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, str(Path(path).resolve()),
        ]
        try:
            subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=CONVERT_TIMEOUT_S, check=False, env={**os.environ, "HOME": work},
            )
        except subprocess.TimeoutExpired:
            raise BrokenDocx(f"LibreOffice không chuyển được tệp .doc trong {CONVERT_TIMEOUT_S} giây") from None
        converted = Path(work, Path(path).stem + ".docx")
        if not converted.is_file():
            raise BrokenDocx("tệp .doc hỏng hoặc LibreOffice không đọc được")
        return docx_text(converted)


def _on(element, name: str) -> bool | None:
    """A w:b-like toggle: True, False, or None when absent."""
    found = element.find(qn(name)) if element is not None else None
    if found is None:
        return None
    return found.get(qn("w:val"), "true").lower() not in _BOOLEAN_OFF


def _bold_styles(document) -> set[str]:
    """Ids of the styles that make text bold (character or paragraph)."""
    bold = set()
    styles = document.styles.element
    for style in styles.iter(qn("w:style")):
        if _on(style.find(qn("w:rPr")), "w:b"):
            bold.add(style.get(qn("w:styleId")))
    return bold


def _heading_levels(document) -> dict[str, int]:
    """Paragraph style id → heading level, from the style's name (``Heading 2``,
    ``Title``) or its outline level."""
    levels = {}
    for style in document.styles.element.iter(qn("w:style")):
        style_id = style.get(qn("w:styleId"))
        name_el = style.find(qn("w:name"))
        name = (name_el.get(qn("w:val")) if name_el is not None else "").lower()
        if name == "title":
            levels[style_id] = 1
        elif name.startswith("heading ") and name[8:].isdigit():
            levels[style_id] = min(int(name[8:]), 6)
        else:
            outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
            if outline is not None and outline.get(qn("w:val"), "").isdigit():
                levels[style_id] = min(int(outline.get(qn("w:val"))) + 1, 6)
    return levels


def _footnotes(document) -> dict[str, object]:
    """Footnote id → its ``w:footnote`` element (separators left out)."""
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            root = etree.fromstring(rel.target_part.blob)
            return {
                note.get(qn("w:id")): note
                for note in root.iter(qn("w:footnote"))
                if note.get(qn("w:type")) in (None, "normal")
            }
    return {}


class _Fonts:
    """The font a run is set in, as Word resolves it: the run's own
    ``w:rFonts``, else its character style's, else its paragraph style's
    (the default paragraph style when it names none), else the document
    default; styles inherit through ``w:basedOn``. Only the name matters: a
    legacy 8-bit font (.VnTime, VNI-Times) says how to read the run's text."""

    def __init__(self, document):
        styles = document.styles.element
        own, parent = {}, {}
        self.default_paragraph_style = None
        for style in styles.iter(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            font = _font_of(style.find(qn("w:rPr")))
            if font is not None:
                own[style_id] = font
            based = style.find(qn("w:basedOn"))
            if based is not None:
                parent[style_id] = based.get(qn("w:val"))
            if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default"), "").lower() in ("1", "true", "on"):
                self.default_paragraph_style = style_id
        self.styles: dict[str, str] = {}
        for style_id in set(own) | set(parent):
            seen, current = set(), style_id
            while current is not None and current not in seen:  # a basedOn loop ends here
                if current in own:
                    self.styles[style_id] = own[current]
                    break
                seen.add(current)
                current = parent.get(current)
        defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        self.default = _font_of(defaults) or ""

    def of(self, run, p) -> str:
        properties = run.find(qn("w:rPr"))
        font = _font_of(properties)
        if font is None and properties is not None:
            style = properties.find(qn("w:rStyle"))
            if style is not None:
                font = self.styles.get(style.get(qn("w:val")))
        if font is None:
            style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            font = self.styles.get(style.get(qn("w:val")) if style is not None else self.default_paragraph_style)
        return self.default if font is None else font


def _font_of(properties) -> str | None:
    """The font a ``w:rPr`` sets, None when it sets none. ``w:hAnsi`` first:
    it is the font Word draws characters 0x80–0xFF with, where the legacy
    encodings put their letters."""
    fonts = properties.find(qn("w:rFonts")) if properties is not None else None
    if fonts is None:
        return None
    if fonts.get(qn("w:hAnsiTheme")) or fonts.get(qn("w:asciiTheme")):
        return ""  # a theme font (the theme's Latin font), never a legacy one
    return fonts.get(qn("w:hAnsi")) or fonts.get(qn("w:ascii"))


class _Writer:
    def __init__(self, bold_styles: set[str], heading_levels: dict[str, int], fonts: _Fonts | None = None):
        self.bold_styles = bold_styles
        self.heading_levels = heading_levels
        self.fonts = fonts
        self.blocks: list[str] = []
        self.note_numbers: dict[str, int] = {}  # footnote id → its number, in reference order

    def paragraph(self, p) -> None:
        text = self.inline(p)
        if not text.strip():
            return
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        level = self.heading_levels.get(style.get(qn("w:val"))) if style is not None else None
        self.blocks.append(f"{'#' * level} {text.strip()}" if level else text.strip())

    def table(self, tbl) -> None:
        rows = []
        for tr in tbl.iter(_TR):
            if tr.getparent() is not tbl:
                continue  # a nested table's rows are read as its cell's text
            cells = []
            for tc in tr.iterchildren(_TC):
                merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                continued = merge is not None and merge.get(qn("w:val"), "continue") == "continue"
                text = "" if continued else " ".join(
                    t for t in (self.inline(p) for p in tc.iter(_P)) if t.strip()
                )
                # A tab inside a cell would read as a new cell.
                cells.append(_plain(text).replace("\t", " "))
                span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
                if span is not None and span.get(qn("w:val"), "1").isdigit():
                    # A cell merged across columns: the columns it covers stay
                    # empty, so the next values stay under their headers.
                    cells.extend([""] * (int(span.get(qn("w:val"))) - 1))
            if any(c.strip() for c in cells):
                rows.append("\t".join(cells))
        if rows:
            self.blocks.append("\n".join(rows))

    def inline(self, p, notes: bool = True) -> str:
        """A paragraph's runs, bold runs as ``**…**``, footnote references as
        ``<sup>n</sup>``."""
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        paragraph_bold = style is not None and style.get(qn("w:val")) in self.bold_styles
        pieces: list[tuple[bool, str]] = []  # (bold, text)
        for run in _runs(p):
            bold = self._bold(run, paragraph_bold)
            # Text in a TCVN3 or VNI font is its bytes as Windows-1252 characters.
            font = self.fonts.of(run, p) if self.fonts is not None else ""
            for child in run.iterchildren():
                if child.tag == _T:
                    pieces.append((bold, convert_run(child.text or "", font)))
                elif child.tag in (qn("w:tab"), qn("w:ptab")):
                    pieces.append((bold, " "))
                elif child.tag in (qn("w:br"), qn("w:cr")):
                    pieces.append((bold, "\n"))
                elif child.tag == qn("w:noBreakHyphen"):
                    pieces.append((bold, "-"))
                elif child.tag == qn("w:footnoteReference") and notes:
                    number = self.note_numbers.setdefault(child.get(qn("w:id")), len(self.note_numbers) + 1)
                    pieces.append((False, f"<sup>{number}</sup>"))
        return _join(pieces)

    def _bold(self, run, paragraph_bold: bool) -> bool:
        properties = run.find(qn("w:rPr"))
        direct = _on(properties, "w:b")
        if direct is not None:
            return direct
        style = properties.find(qn("w:rStyle")) if properties is not None else None
        if style is not None and style.get(qn("w:val")) in self.bold_styles:
            return True
        return paragraph_bold


def _runs(element):
    """The runs of a paragraph in reading order, those inside insertions and
    hyperlinks included, deleted ones left out."""
    for child in element.iterchildren():
        if child.tag == _R:
            yield child
        elif child.tag not in _SKIPPED and child.tag != _P:
            yield from _runs(child)


def _plain(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def _join(pieces: list[tuple[bool, str]]) -> str:
    """Consecutive runs of the same weight as one, bold ones in ``**``
    (spaces kept outside the markers, as markdown wants)."""
    groups: list[list] = []
    for bold, text in pieces:
        if not text:
            continue
        if groups and (groups[-1][0] == bold or not text.strip()):
            groups[-1][1] += text
        else:
            groups.append([bold, text])
    out = []
    for bold, text in groups:
        if bold and text.strip():
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            tail = text[len(text.rstrip()) :]
            # One pair across line breaks, as a bold title spread over lines
            # is written in the sample files.
            out.append(f"{lead}**{core}**{tail}")
        else:
            out.append(text)
    return "".join(out)
