"""The sample documents as Word files, made from their text with python-docx:
``#`` headings as Word heading styles, ``**bold**`` as bold runs, footnotes as
real Word footnotes (``footnotes.xml``, referenced where the marker stands),
tab-separated rows as Word tables, line breaks inside a paragraph as breaks.
Page separators (``---``) are left out: a Word file has no such line, and a
paragraph the text file splits at a page (the halves apart, a separator or
the page's footnotes between them) is one paragraph in Word."""

from __future__ import annotations

import re
from pathlib import Path

import docx

from search_app.export import add_footnotes, footnote_reference

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NOTE_START = re.compile(rf"^(?:<sup>(\d+)</sup>|([{SUPERSCRIPTS}]+))\s*")
_MARK = re.compile(rf"<sup>(\d+)</sup>|(?<=\S)([{SUPERSCRIPTS}]+)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def _digits(sup: str) -> str:
    return "".join(str(SUPERSCRIPTS.index(c)) for c in sup)


def _blocks(text: str) -> list[list[str]]:
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


def write_docx(text: str, path: Path) -> Path:
    """``text`` (a sample document's) as a .docx file at ``path``."""
    document = docx.Document()
    notes: dict[str, str] = {}
    body_blocks = []
    page_broke = False  # a separator or footnotes since the last body block
    for block in _blocks(text):
        start = _NOTE_START.match(block[0]) if block else None
        if block is None or start:
            page_broke = True
            if start:
                number = start.group(1) or _digits(start.group(2))
                notes[number] = " ".join(line.strip() for line in [block[0][start.end():], *block[1:]])
            continue
        previous = body_blocks[-1] if body_blocks else None
        if (
            page_broke and previous and not _ends_sentence(previous)
            and not any("\t" in line or line.startswith("#") for line in previous + block[:1])
        ):
            previous[-1] = previous[-1].rstrip() + " " + block[0].lstrip()
            previous.extend(block[1:])
        else:
            body_blocks.append(block)
        page_broke = False
    ids: dict[str, int] = {}
    previous_table = False
    for block in body_blocks:
        if all("\t" in line for line in block):
            if previous_table:
                # Word keeps two tables apart only with a paragraph between
                # them; LibreOffice joins them otherwise.
                document.add_paragraph()
            previous_table = True
            rows = [line.split("\t") for line in block]
            table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
            for r, cells in enumerate(rows):
                for c, cell in enumerate(cells):
                    table.cell(r, c).text = cell
            continue
        previous_table = False
        first = block[0]
        level = len(first) - len(first.lstrip("#"))
        if level and first[level : level + 1] in (" ", "*"):
            paragraph = document.add_paragraph(style=f"Heading {min(level, 6)}")
            block = [first[level:].lstrip(), *block[1:]]
        else:
            paragraph = document.add_paragraph()
        _runs(paragraph, "\n".join(line.rstrip() for line in block), notes, ids)
    add_footnotes(document, {ids[n]: notes[n] for n in ids})
    document.save(str(path))
    return path


def _runs(paragraph, text: str, notes: dict, ids: dict) -> None:
    """Bold spans as bold runs, line breaks as breaks, markers of known
    notes as footnote references."""
    position = 0
    for match in list(_BOLD.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        _plain_runs(paragraph, text[position:end], False, notes, ids)
        if match:
            _plain_runs(paragraph, match.group(1), True, notes, ids)
            position = match.end()


def _plain_runs(paragraph, text: str, bold: bool, notes: dict, ids: dict) -> None:
    position = 0
    for match in list(_MARK.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        for i, line in enumerate(text[position:end].split("\n")):
            if i:
                paragraph.add_run().add_break()
            if line:
                paragraph.add_run(line).bold = bold or None
        if match is None:
            break
        number = match.group(1) or _digits(match.group(2))
        if number in notes:
            ids.setdefault(number, len(ids) + 1)
            footnote_reference(paragraph, ids[number])
        else:
            paragraph.add_run(match.group(0)).bold = bold or None
        position = match.end()
