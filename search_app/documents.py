"""A whole document out of the index: its metadata from the catalog, its
sections' text from the stored fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.store import OpenIndex


@dataclass
class DocSection:
    section_id: str
    heading: str
    path: list[str]
    level: int
    text: str = ""
    footnotes: list[dict] = field(default_factory=list)
    indexed: bool = False  # a passage of its own (headings without text are not)


def find_document(index: OpenIndex, doc_id: str) -> dict | None:
    """A document by id (its file stem, any letters). The id is only ever a
    key of the catalog, never a path."""
    return index.documents.get(doc_id)


def document_sections(index: OpenIndex, meta: dict) -> list[DocSection]:
    """Every section in reading order, headings without text included."""
    with index.index.searcher() as searcher:
        stored = {f["section_id"]: f for f in searcher.documents(doc_id=meta["doc_id"])}
    sections, ancestors = [], []  # ancestors: (level, heading)
    for entry in meta["sections"]:
        level, heading = entry["level"], entry["heading"]
        while ancestors and ancestors[-1][0] >= level:
            ancestors.pop()
        found = stored.get(entry["section_id"])
        sections.append(
            DocSection(
                section_id=entry["section_id"],
                heading=found["heading"] if found else heading,
                path=list(found["path"]) if found else [h for _, h in ancestors],
                level=level,
                text=found["text"] if found else "",
                footnotes=found.get("footnotes") or [] if found else [],
                indexed=found is not None,
            )
        )
        if level > 0:
            ancestors.append((level, heading))
    return sections
