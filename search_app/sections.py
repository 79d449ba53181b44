"""What facets and date sorting need of every section, read once per index
generation instead of once per query."""

from __future__ import annotations

from dataclasses import dataclass

from analyzers.datafiles import cached_data
from indexer.schema import slug
from indexer.store import OpenIndex
from indexer.topics import load_topics


@dataclass(frozen=True)
class SectionRow:
    doc_id: str
    position: int
    year: int | None
    issuer: str
    level: str
    province: str
    doc_type: str
    topics: tuple[str, ...]  # labels
    date_key: str  # "2023-07-21", or "2023" when only the year is known

    def facet_values(self, facet: str) -> tuple:
        if facet == "topic":
            return self.topics
        value = getattr(self, facet)
        return (value,) if value not in (None, "") else ()


@cached_data
def topic_labels() -> dict[str, str]:
    """Sections store topic slugs; people read the labels."""
    return {slug(t.label): t.label for t in load_topics()}


def section_rows(index: OpenIndex) -> list[SectionRow | None]:
    """Rows by Whoosh document number (None for a deleted one), cached on the
    open index: a new generation is a new OpenIndex, so the cache never goes stale."""
    rows = index.cache.get("rows")
    if rows is None:
        rows = index.cache["rows"] = _read_rows(index)
    return rows


def _read_rows(index: OpenIndex) -> list[SectionRow | None]:
    documents = index.documents
    labels = topic_labels()
    rows: list[SectionRow | None] = []
    with index.index.reader() as reader:
        for docnum in range(reader.doc_count_all()):
            if reader.is_deleted(docnum):
                rows.append(None)
                continue
            stored = reader.stored_fields(docnum)
            meta = documents.get(stored["doc_id"], {})
            year = meta.get("year")
            rows.append(
                SectionRow(
                    doc_id=stored["doc_id"],
                    position=stored.get("position", 0),
                    year=year,
                    issuer=meta.get("issuer") or "",
                    level=meta.get("issuer_level") or "",
                    province=meta.get("province") or "",
                    doc_type=meta.get("doc_type") or "",
                    topics=tuple(labels.get(t, t) for t in (stored.get("topics") or "").split()),
                    date_key=meta.get("date") or (f"{year:04d}" if year else ""),
                )
            )
    return rows
