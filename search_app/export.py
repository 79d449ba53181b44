"""A citation basket written out for a draft: Word (each quote a paragraph
with a real Word footnote holding its citation), plain text and Markdown
(numbered notes), each ending with the "Căn cứ" lines.

python-docx writes the document; it has no footnote API, so the footnotes
part (``word/footnotes.xml``) is added through its packaging layer, as
Word itself lays it out (separator notes -1 and 0, then one per quote).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn

TITLE = "Tập trích dẫn"
BASIS_TITLE = "Căn cứ"
NOTES_TITLE = "Chú thích"


@dataclass(frozen=True)
class Quote:
    text: str  # as quoted: no footnote marks, a table row a line
    note: str  # its citation: document, section, link
    mark: str = ""  # the document's circulation mark


@dataclass(frozen=True)
class Export:
    quotes: list[Quote]
    basis: list[str]  # "Căn cứ …;" lines, in order
    made: str  # "05/12/2026": when, as the heading says it

    @property
    def marks(self) -> list[str]:
        return list(dict.fromkeys(q.mark for q in self.quotes if q.mark))


def footnote_reference(paragraph, note_id: int) -> None:
    """A footnote's mark in ``paragraph``, superscript as Word draws it."""
    run = paragraph.add_run()
    properties = OxmlElement("w:rPr")
    align = OxmlElement("w:vertAlign")
    align.set(qn("w:val"), "superscript")
    properties.append(align)
    run._r.append(properties)
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), str(note_id))
    run._r.append(reference)


def add_footnotes(document, notes: dict[int, str]) -> None:
    """The footnotes part, ids as referenced (footnote_reference)."""
    if not notes:
        return
    superscript = '<w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
    parts = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for note_id, text in sorted(notes.items()):
        parts.append(
            f'<w:footnote w:id="{note_id}"><w:p><w:r>{superscript}<w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {nsdecls("w")}>{"".join(parts)}</w:footnotes>'
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _lines(paragraph, text: str) -> None:
    for i, line in enumerate(text.split("\n")):
        if i:
            paragraph.add_run().add_break()
        paragraph.add_run(line)


def to_docx(export: Export) -> bytes:
    document = docx.Document()
    if export.marks:
        stamp = document.add_paragraph()
        stamp.add_run(", ".join(export.marks).upper()).bold = True
    document.add_heading(TITLE, level=1)
    document.add_paragraph(f"Lập ngày {export.made} bằng Tra cứu.")
    notes = {}
    for number, item in enumerate(export.quotes, start=1):
        paragraph = document.add_paragraph()
        _lines(paragraph, f"“{item.text}”")
        footnote_reference(paragraph, number)
        notes[number] = item.note
    if export.basis:
        document.add_heading(BASIS_TITLE, level=2)
        for line in export.basis:
            document.add_paragraph(line)
    add_footnotes(document, notes)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_text(export: Export) -> str:
    lines = [", ".join(export.marks).upper()] if export.marks else []
    lines += [f"{TITLE.upper()} (lập ngày {export.made})", ""]
    for number, item in enumerate(export.quotes, start=1):
        lines += [f"“{item.text}” [{number}]", ""]
    if export.quotes:
        lines += [NOTES_TITLE.upper()] + [f"[{n}] {q.note}" for n, q in enumerate(export.quotes, start=1)] + [""]
    if export.basis:
        lines += [BASIS_TITLE.upper(), *export.basis, ""]
    return "\n".join(lines)


def to_markdown(export: Export) -> str:
    lines = [f"**{', '.join(export.marks).upper()}**", ""] if export.marks else []
    lines += [f"# {TITLE}", "", f"Lập ngày {export.made} bằng Tra cứu.", ""]
    for number, item in enumerate(export.quotes, start=1):
        quoted = f"“{item.text}”[^{number}]".split("\n")
        lines += [f"> {line}" + ("  " if i < len(quoted) - 1 else "") for i, line in enumerate(quoted)] + [""]
    if export.basis:
        lines += [f"## {BASIS_TITLE}", "", *(f"{line}  " for line in export.basis), ""]
    lines += [f"[^{n}]: {q.note}" for n, q in enumerate(export.quotes, start=1)]
    return "\n".join(lines).rstrip() + "\n"
