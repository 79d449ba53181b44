"""What facets, filters and date sorting need of every section, as arrays by
Whoosh document number, made once per index generation instead of once per
query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from analyzers.datafiles import cached_data
from analyzers.normalize import fold
from engine import numeric_column, term_frequencies
from indexer.schema import slug
from indexer.store import OpenIndex
from indexer.topics import load_topics
from search_app.facets import FACETS


@cached_data
def topic_labels() -> dict[str, str]:
    """Sections store topic slugs; people read the labels."""
    return {slug(t.label): t.label for t in load_topics()}


@dataclass(frozen=True)
class FacetColumn:
    """One facet as arrays: each section's value as a code into ``values``
    (-1: none), or for a many-valued facet (topics) a section × value matrix."""

    values: list
    codes: np.ndarray | None = None  # int32[N]
    matrix: np.ndarray | None = None  # bool[N, len(values)]
    derived: dict = field(default_factory=dict, compare=False)  # mask_by's derived values

    def counts(self, selected: np.ndarray, limit: int = 0, keep=()) -> dict:
        """Value → sections among ``selected``, for the values present: with
        a ``limit``, the most frequent that many (ties at the cut kept) and
        the values whose slugs are in ``keep`` (those chosen)."""
        if self.matrix is not None:
            per_value = self.matrix[selected].sum(axis=0)
        else:
            codes = self.codes[selected]
            per_value = np.bincount(codes[codes >= 0], minlength=len(self.values))
        present = np.flatnonzero(per_value)
        if limit and len(present) > limit:
            counts = per_value[present]
            top = present[counts >= np.partition(counts, len(present) - limit)[len(present) - limit]]
            chosen = [self.code_of_slug[s] for s in keep if s in self.code_of_slug and per_value[self.code_of_slug[s]]]
            present = np.union1d(top, chosen).astype(np.int64) if chosen else top
        return {self.values[i]: int(per_value[i]) for i in present}

    @cached_property
    def code_of_slug(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.slugs)}

    @cached_property
    def slugs(self) -> list[str]:
        return [slug(str(v)) for v in self.values]

    @cached_property
    def sort_keys(self) -> dict:
        """Value → its key in an alphabetical list (without diacritics)."""
        return {v: fold(str(v)) for v in self.values}

    def mask(self, wanted) -> np.ndarray:
        """Sections bearing any of the values ``wanted`` (a predicate on values)."""
        return self._bearing([bool(wanted(v)) for v in self.values])

    def mask_by(self, name: str, derive, wanted) -> np.ndarray:
        """``mask`` with the predicate on ``derive(value)``, derived once per
        index generation under ``name`` (folded words, number keys)."""
        derived = self.derived.get(name)
        if derived is None:
            derived = self.derived[name] = [derive(str(v)) for v in self.values]
        return self._bearing([bool(wanted(d)) for d in derived])

    def slug_mask(self, key: str) -> np.ndarray:
        """Sections bearing the value whose slug is ``key`` (a filter's)."""
        return self._bearing([s == key for s in self.slugs])

    def _bearing(self, chosen_values: list[bool]) -> np.ndarray:
        chosen = np.array(chosen_values + [False])
        if self.matrix is not None:
            return self.matrix[:, chosen[:-1]].any(axis=1)
        return chosen[self.codes]  # code -1 picks the final False


@dataclass(frozen=True)
class Columns:
    """The section rows as arrays by Whoosh document number, for counting
    facets and sorting over every match at once."""

    live: np.ndarray  # bool[N]: not deleted
    document_of: np.ndarray  # int32[N]: the section's place in the catalog, -1 for none
    parent: np.ndarray  # int32[N]: the section's group (its parent heading's), 0…groups-1, for grouping results
    facets: dict[str, FacetColumn]
    years: np.ndarray  # int32[N], 0 when unknown
    days: np.ndarray  # int32[N]: the date as yyyymmdd, 0 when the day is unknown
    date_rank: np.ndarray  # int32[N]: order of date_key
    doc_rank: np.ndarray  # int32[N]: order of doc_id
    number_rank: np.ndarray  # int32[N]: order of the document's number (69-KL/TU after 8-KL/TU), none last
    position: np.ndarray  # int32[N]


def section_columns(index: OpenIndex, engine, searcher) -> Columns:
    """The columns of this open index, made on first use: a new generation
    is a new OpenIndex, so they never go stale."""
    return index.cached("columns", lambda: _columns(index, engine, searcher))


def _codes(keys: list) -> tuple[np.ndarray, list]:
    """Codes into the sorted distinct keys (None/"" → -1)."""
    values = sorted({k for k in keys if k not in (None, "")}, key=str)
    code_of = {v: i for i, v in enumerate(values)}
    codes = np.fromiter((code_of.get(k, -1) for k in keys), dtype=np.int32, count=len(keys))
    return codes, values


def _number_key(number) -> tuple:
    """Numbers in the order people count them: 8-KL/TU before 69-KL/TU,
    then by the rest (type, issuer, year); documents without one last."""
    text = str(number or "")
    found = re.match(r"\d+", text)
    return (not text, int(found.group()) if found else 0, fold(text))


def _day(value) -> int:
    """``2021-04-09`` → 20210409; anything else (a year alone, none) → 0."""
    text = str(value or "")
    return int(text.replace("-", "")) if len(text) == 10 and text[4] == "-" and text[7] == "-" else 0


def _by_section(per_document: np.ndarray, document_of: np.ndarray) -> np.ndarray:
    """A per-document array spread over sections (-1: no document)."""
    return np.append(per_document, -1).astype(np.int32)[document_of]


def _parents(levels: list[list[int]], document_of: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Each section's group: the heading it stands under (the clauses of one
    article, the items of one numbered section), or itself when it stands
    under none but the document. Keys are unique across documents."""
    width = max(map(len, levels), default=0) + 1
    groups = []
    for number, outline in enumerate(levels):
        ancestors: list[tuple[int, int]] = []  # (level, position)
        keys = []
        for place, level in enumerate(outline):
            while ancestors and ancestors[-1][0] >= level:
                ancestors.pop()
            keys.append(number * width + (ancestors[-1][1] if ancestors else place))
            if level > 0:
                ancestors.append((level, place))
        groups.append(keys)
    flat = np.array([k for keys in groups for k in keys] + [-1], dtype=np.int64)
    offsets = np.cumsum([0] + [len(keys) for keys in groups])[:-1] if groups else np.zeros(0, dtype=np.int64)
    known = (document_of >= 0) & (position >= 0)
    sizes = np.array([len(keys) for keys in groups] + [0], dtype=np.int64)
    inside = known & (position < sizes[document_of])
    at = np.where(inside, np.append(offsets, 0)[document_of] + position, len(flat) - 1)
    parent = flat[at]
    # A section the catalog does not outline is a group of its own.
    alone = ~inside
    parent[alone] = -2 - np.flatnonzero(alone)
    # Dense ids, so that a query counts its groups with one bincount.
    return np.unique(parent, return_inverse=True)[1].astype(np.int32).reshape(-1)


def _columns(index: OpenIndex, engine, searcher) -> Columns:
    """From the index's postings and the catalog, without reading each
    section's stored fields (seconds at 100k sections): the ``doc_id`` term
    of a document lists its sections, a ``topics`` term the sections on
    that topic."""
    documents = index.catalog.documents
    document_of = np.full(engine.size, -1, dtype=np.int32)
    number_of = {d["doc_id"]: i for i, d in enumerate(documents)}
    for doc_id, ids in engine.field_postings(searcher, "doc_id"):
        if doc_id in number_of:
            document_of[ids] = number_of[doc_id]
    facets = {}
    for facet in FACETS:
        if facet.catalog_key:
            codes, values = _codes([d.get(facet.catalog_key) for d in documents])
            facets[facet.name] = FacetColumn(values, codes=_by_section(codes, document_of))
    labels = topic_labels()
    slugs = sorted(term_frequencies(searcher, "topics"), key=lambda t: labels.get(t, t))
    matrix = np.zeros((engine.size, len(slugs)), dtype=bool)
    for column, topic in enumerate(slugs):
        ids, _ = engine.postings(searcher, "topics", topic)
        matrix[ids, column] = True
    facets["topic"] = FacetColumn([labels.get(t, t) for t in slugs], matrix=matrix)
    date_keys = [d.get("date") or (f"{d['year']:04d}" if d.get("year") else "") for d in documents]
    date_rank, _ = _codes(date_keys)
    doc_rank, _ = _codes([d["doc_id"] for d in documents])
    by_number = sorted(range(len(documents)), key=lambda i: _number_key(documents[i].get("number")))
    number_rank = np.zeros(len(documents), dtype=np.int32)
    number_rank[by_number] = np.arange(len(documents), dtype=np.int32)
    years = np.array([d.get("year") or 0 for d in documents] + [0], dtype=np.int32)[document_of]
    days = np.array([_day(d.get("date")) for d in documents] + [0], dtype=np.int32)[document_of]
    position = numeric_column(searcher, "position")
    return Columns(
        parent=_parents(index.catalog.levels, document_of, position),
        live=engine.live & (document_of >= 0),
        document_of=document_of,
        facets=facets,
        years=years,
        days=days,
        date_rank=_by_section(date_rank, document_of),
        doc_rank=_by_section(doc_rank, document_of),
        number_rank=_by_section(number_rank, document_of),
        position=position,
    )


# A passage is re-ranked by the text of the place it stands in: the widest
# heading above it (or itself) holding at most this many sections.
PLACE_SECTIONS = 40


def place_finder(index: OpenIndex, columns: Columns):
    """docnum → the docnums of its place (an article with its clauses, a
    numbered section with its items), in outline order; itself when it
    stands under no heading but the document or every heading is too wide."""
    ids, positions, bounds = index.cached("outline_docnums", lambda: _outline_docnums(columns))
    levels = index.catalog.levels

    def place(docnum: int) -> tuple[int, ...]:
        number, position = int(columns.document_of[docnum]), int(columns.position[docnum])
        if number < 0 or position < 0:
            return (docnum,)
        start, stop = _widest_place(levels[number], position)
        low, high = bounds[number], bounds[number + 1]
        at = low + np.searchsorted(positions[low:high], [start, stop])
        found = tuple(int(n) for n in ids[at[0] : at[1]])
        return found or (docnum,)

    return place


def _outline_docnums(columns: Columns):
    """Live catalogued sections' docnums sorted by (document, position), their
    positions, and each document's slice bounds."""
    ids = np.flatnonzero(columns.live & (columns.document_of >= 0) & (columns.position >= 0))
    ids = ids[np.lexsort((columns.position[ids], columns.document_of[ids]))]
    count = int(columns.document_of.max()) + 1 if len(columns.document_of) else 0
    bounds = np.searchsorted(columns.document_of[ids], np.arange(count + 1))
    return ids, columns.position[ids], bounds


def _widest_place(levels: list[int], position: int) -> tuple[int, int]:
    """Outline positions [start, stop) of the widest heading at or above
    ``position`` whose part holds at most PLACE_SECTIONS sections; looks no
    further than that many entries either way."""

    def part_end(start: int) -> int | None:
        level, end = levels[start], start + 1
        while end < len(levels) and levels[end] > level:
            end += 1
            if end - start > PLACE_SECTIONS:
                return None
        return end

    best = (position, position + 1)
    if position >= len(levels):
        return best
    own = part_end(position) if levels[position] > 0 else None
    if own is not None:
        best = (position, own)
    level = levels[position]
    for above in range(position - 1, max(-1, position - PLACE_SECTIONS - 1), -1):
        if 0 < levels[above] < level:
            end = part_end(above)
            if end is None:
                break
            best, level = (above, end), levels[above]
    return best
