"""A whole document out of the index: its metadata from the catalog, its
sections' text from the stored fields."""

from __future__ import annotations

import mimetypes
import stat
from dataclasses import dataclass, field
from pathlib import Path

from engine import searcher_of, stored_where
from indexer.store import OpenIndex
from search_app.access import Viewer, may_read


@dataclass
class DocSection:
    section_id: str
    heading: str
    path: list[str]
    level: int
    text: str = ""
    footnotes: list[dict] = field(default_factory=list)
    indexed: bool = False  # a passage of its own (headings without text are not)
    pages: list[int] | None = None  # [first, last] page in a paged original


def find_document(index: OpenIndex, doc_id: str) -> dict | None:
    """A document by id (its file stem, any letters). The id is only ever a
    key of the catalog, never a path."""
    return index.documents.get(doc_id)


# The document formats' types, whatever the system's mime.types holds.
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".pdf": "application/pdf",
}


def original_file(index: OpenIndex, meta: dict) -> tuple[Path, str] | None:
    """The document's file in the corpus folder the index was built from,
    with its media type; None when it is gone or would lie outside that
    folder (a file name is only ever one the catalog holds, and a link
    out of the folder is never followed)."""
    folder = index.catalog.fact("corpus_dir")
    name = meta.get("file") or ""
    if not folder or not name or Path(name).name != name:
        return None
    root = Path(folder).resolve()
    try:
        path = (root / name).resolve(strict=True)
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return None
    if path.parent != root or not regular:
        return None
    media_type = MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return path, media_type


def document_sections(index: OpenIndex, meta: dict) -> list[DocSection]:
    """Every section in reading order, headings without text included."""
    with searcher_of(index) as searcher:
        stored = {f["section_id"]: f for f in stored_where(searcher, "doc_id", meta["doc_id"])}
    sections = []
    for entry, above in outline(index.catalog.outline(meta["doc_id"])):
        found = stored.get(entry["section_id"])
        sections.append(
            DocSection(
                section_id=entry["section_id"],
                heading=found["heading"] if found else entry["heading"],
                path=list(found["path"]) if found else above,
                level=entry["level"],
                text=found["text"] if found else "",
                footnotes=found.get("footnotes") or [] if found else [],
                indexed=found is not None,
                pages=entry.get("pages"),
            )
        )
    return sections


def outline(entries: list[dict]):
    """Each outline entry (indexer.catalog) with the headings above it."""
    ancestors: list[tuple[int, str]] = []  # (level, heading)
    for entry in entries:
        while ancestors and ancestors[-1][0] >= entry["level"]:
            ancestors.pop()
        yield entry, [heading for _, heading in ancestors]
        if entry["level"] > 0:
            ancestors.append((entry["level"], entry["heading"]))


# What a citing text says of a document it cites, kept when the reader may
# not open that document: not even that the archive holds it.
_SAID_BY_THE_CITER = ("key", "number", "doc_type", "section_id")


def readable_cites(index: OpenIndex, meta: dict, reader: Viewer | None) -> list[dict]:
    """What ``meta`` cites, as the catalog holds it, except that a cited
    document ``reader`` may not open keeps only its number and type as the
    citing text writes them, and where it is cited (no ``doc_id``)."""
    cites = []
    for c in index.catalog.cites(meta["doc_id"]):
        target = index.documents.get(c["doc_id"]) if c.get("doc_id") else None
        if target is not None and not may_read(reader, target):
            c = {name: value if name in _SAID_BY_THE_CITER else None for name, value in c.items()}
        cites.append(c)
    return cites


def readable_cited_by(index: OpenIndex, meta: dict, reader: Viewer | None) -> list[dict]:
    """The citations of ``meta`` by documents ``reader`` may open."""
    return [c for c in index.catalog.cited_by(meta["doc_id"]) if may_read(reader, index.documents.get(c["doc_id"]))]
