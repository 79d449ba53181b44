"""The parsed structure of a document: what the parser produces, what the
metadata extractor reads and what the index stores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Metadata fields, in display order. A sidecar file may set any of them.
METADATA_FIELDS = (
    "doc_type",
    "number",
    "date",
    "year",
    "issuer",
    "province",
    "signer",
    "title",
    "recipients",
    "mark",
)


@dataclass
class Footnote:
    marker: str  # "1", "2"… as printed
    text: str  # clean text of the note


@dataclass
class Section:
    section_id: str  # stable within the document, safe as a URL anchor
    heading: str  # clean heading, numbering included ("2.1. Mục tiêu…")
    path: tuple[str, ...]  # headings of the ancestors, outermost first
    text: str  # clean body text; footnote markers kept as ¹ ² …
    position: int  # 0-based order in the document
    level: int  # 0 for the opening section, 1 for the outermost headings…
    footnotes: list[Footnote] = field(default_factory=list)

    @property
    def searchable_text(self) -> str:
        """Body plus the notes whose markers it holds: both are searched."""
        notes = "\n".join(f"{n.marker} {n.text}" for n in self.footnotes)
        return f"{self.text}\n{notes}" if notes else self.text


@dataclass
class ParsedDocument:
    doc_id: str  # the file stem
    source: Path
    text: str  # the whole decoded file, NFC, markup as in the file
    head_lines: list[str]  # clean lines above the body: header, number, date, type, title
    # sections[0] is the opening: the preamble paragraphs between the title
    # block and the first heading (may be empty). The parser leaves its heading
    # empty; the indexer fills it from the metadata title.
    sections: list[Section]
    recipients: list[str]  # the "Nơi nhận" list, one entry per line, without "- "
    signature_lines: list[str]  # clean lines of the signature block, top to bottom


SIDECAR = "sidecar"
_CITED_IN = "citation in "


def cited_in(doc_id: str) -> str:
    """The source of a value read from the document ``doc_id``, which cites this one."""
    return _CITED_IN + doc_id


def citing_document(source: str) -> str | None:
    """The document a value was read from, for a ``cited_in`` source; else None."""
    return source[len(_CITED_IN) :] if source.startswith(_CITED_IN) else None


def is_inferred(source: str) -> bool:
    """Whether the value was not read in the document itself (another
    document gave it, or it was guessed from the text)."""
    return source.startswith((_CITED_IN, "inferred"))


@dataclass
class Metadata:
    doc_type: str = ""  # "Kết luận", "Báo cáo", "Kế hoạch", "Thông báo"…
    number: str = ""  # own số ký hiệu as written, "69-KL/TU"
    date: str = ""  # ISO YYYY-MM-DD, only when the day is known
    year: int | None = None
    issuer: str = ""  # "Ban Thường vụ Tỉnh ủy Lai Châu"
    province: str = ""  # "" when the text does not say
    signer: str = ""
    title: str = ""  # trích yếu
    recipients: list[str] = field(default_factory=list)
    mark: str = ""  # circulation mark as printed on it: "Mật", "Lưu hành nội bộ"
    # field name -> where the value came from: "header", "place-date line",
    # "signature", "title", "text", SIDECAR, "inferred from …", cited_in(doc_id).
    # Written and read through the functions below only.
    sources: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value, source: str) -> None:
        setattr(self, name, value)
        self.sources[name] = source
