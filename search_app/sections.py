"""What facets and date sorting need of every section, read once per index
generation instead of once per query."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from analyzers.datafiles import cached_data
from analyzers.normalize import fold
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


@dataclass(frozen=True)
class Facet:
    """One facet as arrays: each section's value as a code into ``values``
    (-1: none), or for a many-valued facet (topics) a section × value matrix."""

    values: list
    codes: np.ndarray | None = None  # int32[N]
    matrix: np.ndarray | None = None  # bool[N, len(values)]

    def counts(self, selected: np.ndarray) -> dict:
        if self.matrix is not None:
            per_value = self.matrix[selected].sum(axis=0)
        else:
            codes = self.codes[selected]
            per_value = np.bincount(codes[codes >= 0], minlength=len(self.values))
        return {self.values[i]: int(per_value[i]) for i in np.flatnonzero(per_value)}

    @cached_property
    def slugs(self) -> list[str]:
        return [slug(str(v)) for v in self.values]

    @cached_property
    def sort_keys(self) -> dict:
        """Value → its key in an alphabetical list (without diacritics)."""
        return {v: fold(str(v)) for v in self.values}

    def mask(self, wanted) -> np.ndarray:
        """Sections bearing any of the values ``wanted`` (a predicate on values)."""
        chosen = np.array([bool(wanted(v)) for v in self.values] + [False])
        if self.matrix is not None:
            return self.matrix[:, chosen[:-1]].any(axis=1)
        return chosen[self.codes]  # code -1 picks the final False


@dataclass(frozen=True)
class Columns:
    """The section rows as arrays by Whoosh document number, for counting
    facets and sorting over every match at once."""

    live: np.ndarray  # bool[N]: not deleted
    facets: dict[str, Facet]
    years: np.ndarray  # int32[N], 0 when unknown
    date_rank: np.ndarray  # int32[N]: order of date_key
    doc_rank: np.ndarray  # int32[N]: order of doc_id
    position: np.ndarray  # int32[N]


def section_columns(index: OpenIndex) -> Columns:
    columns = index.cache.get("columns")
    if columns is None:
        columns = index.cache["columns"] = _columns(section_rows(index))
    return columns


def _codes(keys: list) -> tuple[np.ndarray, list]:
    """Codes into the sorted distinct keys (None/"" → -1)."""
    values = sorted({k for k in keys if k not in (None, "")}, key=str)
    code_of = {v: i for i, v in enumerate(values)}
    codes = np.fromiter((code_of.get(k, -1) for k in keys), dtype=np.int32, count=len(keys))
    return codes, values


def _columns(rows: list[SectionRow | None]) -> Columns:
    live = np.array([row is not None for row in rows], dtype=bool)
    facets = {}
    for name in ("year", "issuer", "level", "province", "doc_type"):
        codes, values = _codes([getattr(row, name) if row else None for row in rows])
        facets[name] = Facet(values, codes=codes)
    topics = sorted({t for row in rows if row for t in row.topics})
    matrix = np.zeros((len(rows), len(topics)), dtype=bool)
    column_of = {t: i for i, t in enumerate(topics)}
    for n, row in enumerate(rows):
        for t in row.topics if row else ():
            matrix[n, column_of[t]] = True
    facets["topic"] = Facet(topics, matrix=matrix)
    date_rank, _ = _codes([row.date_key if row else "" for row in rows])
    doc_rank, _ = _codes([row.doc_id if row else "" for row in rows])
    return Columns(
        live=live,
        facets=facets,
        years=np.array([(row.year or 0) if row else 0 for row in rows], dtype=np.int32),
        date_rank=date_rank,
        doc_rank=doc_rank,
        position=np.array([row.position if row else 0 for row in rows], dtype=np.int32),
    )
