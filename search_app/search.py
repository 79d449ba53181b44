"""Run a search: query + filters → ranked passages with highlights."""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import collectors
from whoosh import query as wq
from whoosh.scoring import BM25F

from analyzers import folded_analyzer, syllable_analyzer
from analyzers.docnumber import find_numbers
from analyzers.normalize import fold
from indexer.citations import DOC_TYPES, type_for_code
from indexer.schema import slug
from indexer.store import OpenIndex
from indexer.topics import load_topics
from search_app.query import BuiltQuery, QueryError, build_query, parse_query

DEFAULT_LIMIT = 10
MAX_LIMIT = 200
SNIPPET_CHARS = 280
# Longer queries are questions, not keyword lists: requiring every word
# matched 5 of 530 ALQAC questions (and ranked worse), so rank by how many
# words match from the start.
LONG_QUERY_SYLLABLES = 15
# BM25 length normalisation: 0.9 (Whoosh's default is 0.75) ranks long
# sections that mention many query words in passing lower. BENCHMARKS.md.
BM25_B, BM25_K1 = 0.9, 1.2
DOCUMENT_FIELDS = ("doc_id", "title", "doc_type", "number", "date", "year", "issuer", "province", "signer")


@dataclass
class Filters:
    year: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    issuer: str = ""
    province: str = ""
    doc_type: str = ""
    topic: str = ""

    def query(self) -> wq.Query | None:
        """Whoosh filter query: filters restrict, they never add query text."""
        parts: list[wq.Query] = []
        if self.year is not None:
            parts.append(wq.NumericRange("year", self.year, self.year))
        elif self.year_from is not None or self.year_to is not None:
            if None not in (self.year_from, self.year_to) and self.year_from > self.year_to:
                raise QueryError(f"Khoảng năm không hợp lệ: {self.year_from}–{self.year_to}.")
            parts.append(wq.NumericRange("year", self.year_from, self.year_to))
        if self.issuer.strip():
            terms = [t.text for t in folded_analyzer()(self.issuer)]
            if not terms:
                raise QueryError(f"Cơ quan ban hành không hợp lệ: {self.issuer!r}.")
            parts.append(wq.Phrase("issuer", terms) if len(terms) > 1 else wq.Term("issuer", terms[0]))
        # A type may be given by its code in numbers: "KL" for Kết luận.
        doc_type = type_for_code(self.doc_type.strip()) or self.doc_type
        for value, fieldname in ((self.province, "province"), (doc_type, "doc_type"), (self.topic, "topics")):
            if value.strip():
                key = slug(value)
                if not key:
                    raise QueryError(f"Giá trị lọc không hợp lệ: {value!r}.")
                parts.append(wq.Term(fieldname, key))
        for value, labels, what in (
            (doc_type, [label for label, _ in DOC_TYPES], "loại văn bản"),
            (self.topic, [t.label for t in load_topics()], "chủ đề"),
        ):
            # Closed lists: a typo gets the list, not an empty result.
            if value.strip() and slug(value) not in {slug(label) for label in labels}:
                raise QueryError(f"Không có {what} “{value}”. Các giá trị: {'; '.join(labels)}.")
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)


@dataclass
class Passage:
    doc_id: str
    section_id: str
    heading: str
    heading_highlights: list[tuple[int, int]]
    path: list[str]
    text: str
    score: float
    footnotes: list[dict]
    highlights: list[tuple[int, int]]  # spans in text
    snippet: str
    snippet_highlights: list[tuple[int, int]]
    document: dict


@dataclass
class SearchResult:
    query: str
    total: int
    passages: list[Passage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_SYLLABLES = syllable_analyzer()


def highlight_spans(text: str, built: BuiltQuery) -> list[tuple[int, int]]:
    """Character spans of the query's words and phrases, and of its numbers.

    Whole units are marked ("dân vận", not every "dân" of "dân tộc").
    """
    tokens = [
        (t.text if built.accented else fold(t.text), t.startchar, t.endchar)
        for t in _SYLLABLES(text, chars=True)
    ]
    longest_first = sorted(built.sequences, key=len, reverse=True)
    spans = []
    i = 0
    while i < len(tokens):
        for sequence in longest_first:
            n = len(sequence)
            if tuple(t[0] for t in tokens[i : i + n]) == sequence:
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
                i += n
                break
        else:
            i += 1
    spans += [(m.start, m.end) for m in find_numbers(text) if m.key in built.numbers]
    return _merge(sorted(spans), text)


def _merge(spans, text):
    """Join spans separated only by spaces, so a phrase is marked as one."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, spans, width: int = SNIPPET_CHARS):
    """The window of ``text`` holding the most highlights, cut at spaces."""
    if len(text) <= width:
        return text, list(spans)
    best_start, best_count = 0, -1
    for start, _ in spans or [(0, 0)]:
        begin = max(0, start - width // 4)
        count = sum(1 for s, e in spans if s >= begin and e <= begin + width)
        if count > best_count:
            best_start, best_count = begin, count
    begin = best_start
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin + width // 2 else end
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    inside = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return prefix + text[begin:end] + suffix, inside


def _passage(hit, built: BuiltQuery, documents: dict) -> Passage:
    text = hit["text"]
    notes = hit.get("footnotes") or []
    spans = highlight_spans(text, built)
    snippet_source, snippet_spans = text, spans
    if not text.strip():
        # An opening without preamble stands for its document: show the title.
        snippet_source = hit["heading"]
        snippet_spans = highlight_spans(snippet_source, built)
    elif not spans:
        # The match may be in a footnote: show that note.
        for note in notes:
            note_text = f"[{note['marker']}] {note['text']}"
            note_spans = highlight_spans(note_text, built)
            if note_spans:
                snippet_source, snippet_spans = note_text, note_spans
                break
    snippet, snippet_highlights = make_snippet(snippet_source, snippet_spans)
    meta = documents.get(hit["doc_id"], {})
    return Passage(
        doc_id=hit["doc_id"],
        section_id=hit["section_id"],
        heading=hit["heading"],
        heading_highlights=highlight_spans(hit["heading"], built),
        path=list(hit["path"]),
        text=text,
        score=round(hit.score, 4),
        footnotes=notes,
        highlights=spans,
        snippet=snippet,
        snippet_highlights=snippet_highlights,
        document={name: meta.get(name) for name in DOCUMENT_FIELDS} | {"citation": meta.get("citation", "")},
    )


def top_hits(searcher, query: wq.Query, filter_query: wq.Query | None, limit: int):
    """The ``limit`` best-scoring sections, exactly.

    Whoosh's default collector prunes with the matchers' ``max_quality()``
    bounds (``replace()`` every 10 matches, even with optimize=False, plus
    block-quality skipping). For our phrase and AndMaybe trees the bounds are
    too low: AndMaybe turned into an intersection and "công tác dân vận" lost a
    section scoring 49.96 from its top 5. Without pruning, every match is
    scored; the count is exact too.
    """
    collector = collectors.TopCollector(limit, usequality=False, replace=0)
    if filter_query is not None:
        collector = collectors.FilterCollector(collector, allow=filter_query)
    searcher.search_with_collector(query, collector)
    return collector.results()


@dataclass(frozen=True)
class _Attempt:
    accented: bool
    match_all: bool
    note: str = ""


FOLDED_NOTE = "Không có kết quả khớp đúng dấu; hiển thị kết quả không phân biệt dấu."
PARTIAL_NOTE = "Không có đoạn nào chứa đủ các từ; hiển thị các đoạn chứa nhiều từ nhất."


def _attempts(parsed):
    """Strictest first, each loosening said to the user: every word with exact
    diacritics, every word without them, then the sections with most words.
    Long queries start at "most words": that is their plan, not a fallback."""
    size = len(parsed.all_syllables)
    if size > LONG_QUERY_SYLLABLES:
        plans = [(False, "")]
    else:
        plans = [(True, "")] + ([(False, PARTIAL_NOTE)] if size > 1 else [])
    for match_all, note in plans:
        yield _Attempt(parsed.accented, match_all, note)
        if parsed.accented:
            yield _Attempt(False, match_all, note or FOLDED_NOTE)


def search(
    index: OpenIndex, text: str, filters: Filters | None = None, limit: int = DEFAULT_LIMIT
) -> SearchResult:
    """Raises QueryError for a query that cannot be searched."""
    parsed = parse_query(text)
    filter_query = (filters or Filters()).query()
    limit = max(1, min(int(limit), MAX_LIMIT))
    documents = index.documents
    notes: list[str] = []
    with index.index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
        for attempt in _attempts(parsed):
            built = build_query(parsed, attempt.accented, attempt.match_all)
            hits = top_hits(searcher, built.query, filter_query, limit)
            if not hits.is_empty():
                if attempt.note:
                    notes.append(attempt.note)
                break
        total = len(hits)
        passages = [_passage(hit, built, documents) for hit in hits]
    return SearchResult(query=parsed.raw, total=total, passages=passages, notes=notes)
