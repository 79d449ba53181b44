"""Run a search: query + filters → ranked passages with highlights."""

from __future__ import annotations

import logging
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from operator import itemgetter

import numpy as np

from analyzers import syllable_analyzer, syllables
from analyzers.analysis import analyze
from analyzers.docnumber import find_numbers
from analyzers.filters import segmenter
from analyzers.normalize import fold
from indexer.access import PUBLIC
from indexer.schema import BODY_FIELDS, slug
from indexer.store import OpenIndex
from search_app.access import Viewer, readable_sections
from search_app.corrector import TWO_EDITS_FROM, corrector_for
from search_app.facets import COUNTED, FilterError, Filters, filter_masks
from search_app.query import (
    BuiltQuery, QueryError, build_query, cited_query, exclusion_query, number_anywhere, parse_query,
)  # fmt: skip
from engine import Engine, Matches, doc_frequency, engine_for, stored, term_frequencies, thread_searcher
from search_app.rerank import RERANK_DEPTH, rerank
from search_app.sections import Columns, place_finder, section_columns, topic_labels

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 200
SNIPPET_CHARS = 280
# Longer queries are questions, not keyword lists: requiring every word
# matched 5 of 530 ALQAC questions (and ranked worse), so rank by how many
# words match from the start.
LONG_QUERY_SYLLABLES = 15
MAX_SUGGEST_SYLLABLES = 6
# From this many words asked for, a section lacking one of them still
# matches, after every section holding them all (Lucene's minimum_should_match).
SOFT_AND_WORDS = 4
SOFT_AND_BELOW = 20  # strict matches
# BM25 length normalisation: 0.9 (Whoosh's default is 0.75) ranks long
# sections that mention many query words in passing lower (docs/benchmark-journal.md).
BM25_B, BM25_K1 = 0.9, 1.2
SORTS = ("relevance", "date", "oldest", "number")  # date: newest first; number: by số ký hiệu
# Results one per parent heading (an article's clauses, a section's items),
# one per document, or every passage.
GROUPINGS = ("parent", "document", "none")
MAX_MORE_SHOWN = 20  # other passages of a group listed under its best one
# Grouped, the best RERANK_DEPTH places are re-ranked, read from at most
# this many times as many sections.
PLACES_READ = 4
# Values a facet lists (the most frequent): a choice among thousands of
# signers is made by typing the name (advanced search), not by scrolling.
MAX_FACET_VALUES = 50
DOCUMENT_FIELDS = (
    "doc_id", "title", "doc_type", "number", "date", "year", "issuer", "issuer_level", "province", "signer",
    "mark",
)  # fmt: skip


@dataclass
class Passage:
    doc_id: str
    section_id: str
    heading: str
    heading_highlights: list[tuple[int, int]]
    path: list[str]
    text: str
    score: float
    footnotes: list[dict]  # marker, text, highlights (spans in text), matched
    highlights: list[tuple[int, int]]  # spans in text
    snippet: str
    snippet_highlights: list[tuple[int, int]]
    document: dict
    topics: list[str]  # the section's own topics, labels
    matched_in: list[str] = field(default_factory=list)  # "heading", "text", "footnotes": where the query shows
    missing: list[str] = field(default_factory=list)  # words asked for that the passage lacks (partial matches)
    more: list[dict] = field(default_factory=list)  # other passages of its group: doc_id, section_id, heading
    more_count: int = 0


@dataclass
class Page:
    query: str
    total: int  # passages matching the query within the filters
    unfiltered: int  # … whatever the filters
    without: dict[str, int]  # filter name → total if that filter were dropped
    page: int
    per_page: int
    sort: str
    passages: list[Passage]
    facets: dict[str, list[tuple[object, int]]]  # facet → (value, count), best first
    notes: list[str]
    suggestion: str  # a corrected query that finds something, when nothing was found
    built: BuiltQuery | None  # what to highlight elsewhere (the document page)
    grouped: str = "none"  # GROUPINGS: how the passages were grouped
    groups: int = 0  # how many groups the matches make (the total, ungrouped)

    @property
    def pages(self) -> int:
        return max(1, -(-(self.groups if self.grouped != "none" else self.total) // self.per_page))


@dataclass
class SearchResult:
    query: str
    total: int
    passages: list[Passage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_SYLLABLES = syllable_analyzer()


# Marks per text: the page shows a snippet, and a document page is read a
# screen at a time; marking every one of a word's occurrences in a huge
# section would hold a server thread for nothing.
MAX_HIGHLIGHTS = 2000
_HASH_MOD = (1 << 61) - 1  # a prime: rolling hashes of token windows
_HASH_BASE = 1_000_003


class _SequenceIndex:
    """A query's sequences for matching in one pass: token ids, the lengths
    of the sequences starting with each id (longest first), and a rolling
    hash of each sequence, so a window of any length is checked in O(1)."""

    def __init__(self, sequences):
        self.ids: dict[str, int] = {}
        for sequence in sequences:
            for token in sequence:
                self.ids.setdefault(token, len(self.ids) + 1)  # 0: not in the query
        self.known = {tuple(self.ids[t] for t in sequence) for sequence in sequences if sequence}
        lengths: dict[int, set[int]] = {}
        for sequence in self.known:
            lengths.setdefault(sequence[0], set()).add(len(sequence))
        self.lengths = {first: sorted(sizes, reverse=True) for first, sizes in lengths.items()}
        self.powers = {n: pow(_HASH_BASE, n, _HASH_MOD) for sizes in self.lengths.values() for n in sizes}
        self.hashes = {(len(sequence), _hash_of(sequence)) for sequence in self.known}
        self.longest = max(map(len, self.known), default=0)


def _hash_of(ids) -> int:
    value = 0
    for x in ids:
        value = (value * _HASH_BASE + x) % _HASH_MOD
    return value


def _sequence_index(built: BuiltQuery) -> _SequenceIndex:
    """Built once per query: a document page marks every section with it."""
    index = built.__dict__.get("_sequence_index")
    if index is None:
        index = built.__dict__["_sequence_index"] = _SequenceIndex(built.sequences)
    return index


def highlight_spans(text: str, built: BuiltQuery | None) -> list[tuple[int, int]]:
    """Character spans of the query's words and phrases, and of its numbers.

    Whole units are marked ("dân vận", not every "dân" of "dân tộc"); the
    longest sequence starting at a token wins. At most MAX_HIGHLIGHTS, from
    the start of the text.
    """
    return find_highlights(text, built)[0]


def find_highlights(
    text: str, built: BuiltQuery | None, limit: int = MAX_HIGHLIGHTS
) -> tuple[list[tuple[int, int]], bool]:
    """``highlight_spans``, and whether marks were left out at ``limit``.

    One pass over the tokens: each looks up only the lengths of the
    sequences starting with it, and a window is compared by its rolling hash
    (then verified), so the work is linear in the text whatever the query.
    Tokens are read only as far as the marks kept reach."""
    if built is None:
        return [], False
    index = _sequence_index(built)
    stream = _SYLLABLES(text, chars=True)
    ahead = index.longest + 256  # tokens read past the current one, a chunk at a time
    offsets: list[tuple[int, int]] = []
    ids: list[int] = []
    prefix = [0]
    value = 0
    exhausted = False
    words: list[tuple[int, int]] = []
    i = 0
    while len(words) < limit:
        if not exhausted and len(ids) < i + index.longest:
            for token in stream:
                known = index.ids.get(token.text if built.accented else fold(token.text), 0)
                value = (value * _HASH_BASE + known) % _HASH_MOD
                ids.append(known)
                offsets.append((token.startchar, token.endchar))
                prefix.append(value)
                if len(ids) >= i + ahead:
                    break
            else:
                exhausted = True
        if i >= len(ids):
            break
        for n in index.lengths.get(ids[i], ()):
            if (
                i + n <= len(ids)
                and (n, (prefix[i + n] - prefix[i] * index.powers[n]) % _HASH_MOD) in index.hashes
                and tuple(ids[i : i + n]) in index.known
            ):
                words.append((offsets[i][0], offsets[i + n - 1][1]))
                i += n
                break
        else:
            i += 1
    # Numbers only where the words were looked for.
    scanned = text if len(words) < limit else text[: words[-1][1]]
    numbers: list[tuple[int, int]] = []
    for match in find_numbers(scanned):
        if len(numbers) >= limit:
            break
        if built.marks_number(match.key):
            numbers.append((match.start, match.end))
    # Past the first list cut short, the other's marks are not all there.
    cuts = [found[-1][1] for found in (words, numbers) if len(found) >= limit]
    spans = _merge(sorted(words + numbers), text)
    if cuts:
        spans = [span for span in spans if span[1] <= min(cuts)]
    return spans[:limit], bool(cuts) or len(spans) > limit


def _merge(spans, text):
    """Join spans separated only by spaces, so a phrase is marked as one.

    ``spans`` sorted; each gap is looked at once, so linear in the text."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, spans, width: int = SNIPPET_CHARS):
    """The window of ``text`` holding the most highlights, cut at spaces.

    ``spans`` sorted and not overlapping (as highlight_spans gives them).
    Each candidate window starts a little before a span; as the candidates
    move right, the first span inside and the first span past the end only
    move right too, so two pointers count every window in one pass."""
    if len(text) <= width:
        return text, list(spans)
    spans = sorted(spans)
    size = len(spans)
    best_start, best_count = 0, -1
    first = past = 0  # spans[first:past]: those inside the window
    for start, _ in spans or [(0, 0)]:
        begin = max(0, start - width // 4)
        while first < size and spans[first][0] < begin:
            first += 1
        while past < size and spans[past][1] <= begin + width:
            past += 1
        count = max(0, past - first)
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
    low = bisect_left(spans, begin, key=itemgetter(0))
    high = bisect_right(spans, end, key=itemgetter(1))
    inside = [(s + shift, e + shift) for s, e in spans[low:high]]
    return prefix + text[begin:end] + suffix, inside


def _coverage(text: str, spans) -> tuple[int, int]:
    """How much of the query a part shows: distinct syllables marked (a
    phrase is one mark of several), then marks."""
    return len({fold(s) for a, b in spans for s in syllables(text[a:b])}), len(spans)


def _passage(stored: dict, score: float, built: BuiltQuery | None, documents: dict) -> Passage:
    text = stored["text"]
    spans = highlight_spans(text, built)
    notes = []
    for note in stored.get("footnotes") or []:
        note_spans = highlight_spans(note["text"], built)
        notes.append({"marker": note["marker"], "text": note["text"], "highlights": note_spans, "matched": bool(note_spans)})
    snippet_source, snippet_spans = text, spans
    if not text.strip():
        # An opening without preamble stands for its document: show the title.
        snippet_source = stored["heading"]
        snippet_spans = highlight_spans(snippet_source, built)
    else:
        # The snippet comes from the part showing most of the query: the body,
        # or a footnote (with its marker) when the note holds what was asked.
        best = _coverage(text, spans)
        for note in notes:
            if note["matched"] and _coverage(note["text"], note["highlights"]) > best:
                prefix = f"[{note['marker']}] "
                snippet_source = prefix + note["text"]
                snippet_spans = [(a + len(prefix), b + len(prefix)) for a, b in note["highlights"]]
                best = _coverage(note["text"], note["highlights"])
    snippet, snippet_highlights = make_snippet(snippet_source, snippet_spans)
    meta = documents.get(stored["doc_id"], {})
    labels = topic_labels()
    heading_highlights = highlight_spans(stored["heading"], built)
    matched_in = [
        part for part, found in (("heading", heading_highlights), ("text", spans), ("footnotes", any(n["matched"] for n in notes)))
        if found
    ]
    return Passage(
        doc_id=stored["doc_id"],
        section_id=stored["section_id"],
        heading=stored["heading"],
        heading_highlights=heading_highlights,
        path=list(stored["path"]),
        text=text,
        score=round(score, 4),
        footnotes=notes,
        highlights=spans,
        snippet=snippet,
        snippet_highlights=snippet_highlights,
        # The citation, and the sources that say which of its values were inferred.
        document={name: meta.get(name) for name in DOCUMENT_FIELDS}
        | {"citation": meta.get("citation", ""), "sources": meta.get("sources") or {}},
        topics=[labels.get(t, t) for t in (stored.get("topics") or "").split()],
        matched_in=matched_in,
    )


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


def _all_but(masks: dict, size: int, left_out: str = "") -> np.ndarray:
    """Sections every filter allows, ``left_out``'s aside."""
    allowed = np.ones(size, dtype=bool)
    for name, mask in masks.items():
        if name != left_out:
            allowed &= mask
    return allowed


def _spelling_found(parsed, passage: Passage) -> str:
    """The query as the best passage spells it, when its diacritics matched
    nothing and the search went on without them: "bảo vê rừng" → "bảo vệ rừng"."""
    spelled = {}
    for text, spans in ((passage.heading, passage.heading_highlights), (passage.text, passage.highlights)):
        for start, end in spans:
            for syllable in syllables(text[start:end]):
                spelled.setdefault(fold(syllable), syllable)
    if not parsed.chunks or parsed.phrases or parsed.numbers or parsed.loose:
        return ""
    typed = " ".join(" ".join(run) for run in parsed.chunks)
    text = " ".join(spelled.get(fold(s), s) for run in parsed.chunks for s in run)
    return text if text != typed else ""


def _accented_forms(index: OpenIndex, searcher) -> dict[str, str]:
    """Folded syllable → its most frequent accented spelling in the index.
    Vietnamese has a few thousand syllables, so this stays small; cached per
    index generation."""
    forms = index.cache.get("accented_forms")
    if forms is None:
        best: dict[str, tuple[int, str]] = {}
        # In term order, as before: of two spellings as frequent, the first stays.
        for term, count in sorted(term_frequencies(searcher, BODY_FIELDS["syllable"]).items()):
            key = fold(term)
            if count > best.get(key, (0, ""))[0]:
                best[key] = (count, term)
        forms = index.cache["accented_forms"] = {key: term for key, (_, term) in best.items()}
    return forms


def _accented(typed: str, key: str, accented: dict[str, str], searcher) -> str:
    """A folded suggestion with diacritics: a split of the typed word keeps
    the typed spelling of each piece the index has ("giảmnghèo" → "giảm
    nghèo"), any other piece takes the spelling the documents use most."""
    pieces = key.split()
    if len(pieces) > 1 and fold(typed) == "".join(pieces):
        typed_pieces, start = [], 0
        for piece in pieces:
            typed_pieces.append(typed[start : start + len(piece)])
            start += len(piece)
        if all(fold(t) == p for t, p in zip(typed_pieces, pieces)):
            return " ".join(
                t if doc_frequency(searcher, BODY_FIELDS["syllable"], t) else accented.get(p, p)
                for t, p in zip(typed_pieces, pieces)
            )
    return " ".join(accented.get(piece, piece) for piece in pieces)


def _suggestion(index: OpenIndex, engine: Engine, searcher, parsed, within: np.ndarray) -> str:
    """The query with each word the index lacks replaced by the nearest one it
    has, when every word then exists and the whole query, all words required,
    finds something; "" otherwise.

    Words are corrected without diacritics (the folded syllables are few),
    then given back the spelling the documents use most: "giảm nghéo" →
    "giảm nghèo"; a run-together word may come back split ("giamngheo" →
    "giam ngheo"). Short queries only: a sentence is not a typo."""
    if len(parsed.all_syllables) > MAX_SUGGEST_SYLLABLES or parsed.either or parsed.excluded:
        return ""  # a sentence is not a typo; OR and exclusions are not respelt
    folded_field = BODY_FIELDS["folded"]
    corrector = corrector_for(index, searcher)
    accented = _accented_forms(index, searcher) if parsed.accented else {}
    changed = False
    chunks = []
    for run in parsed.chunks:
        words = []
        for syllable in run:
            word = syllable
            known = doc_frequency(searcher, BODY_FIELDS["syllable"], syllable) if parsed.accented else 0
            key = fold(syllable)
            if not syllable.isdigit() and not known:
                if doc_frequency(searcher, folded_field, key) == 0:
                    # One edit first: a second one only when nothing is one
                    # away, and only for longer words ("abcde" is not "bcd").
                    for distance in (1, 2) if len(key) >= TWO_EDITS_FROM else (1,):
                        found = corrector.suggest(key, distance)
                        if found:
                            key = found
                            break
                    else:
                        return ""  # no near neighbour: no honest suggestion
                word = _accented(syllable, key, accented, searcher) if parsed.accented else key
                changed = changed or word != syllable
            words.append(word)
        chunks.append(" ".join(words))
    if not changed:
        return ""
    if parsed.loose:
        return ""  # a loose number's spelling is not the problem
    text = " ".join([*parsed.numbers, *('"' + " ".join(p) + '"' for p in parsed.phrases), *chunks])
    corrected = parse_query(text)
    built = build_query(corrected, corrected.accented, match_all=True)
    return text if (engine.evaluate(searcher, built.query).matched & within).any() else ""


def _soft_and(engine: Engine, searcher, parsed, attempt, strict: Matches, allowed):
    """``strict`` and the sections lacking only one of the query's words,
    scored below every strict one; and the mask of the latter (None when
    there are none). Six words of a query need not all be in the passage
    that answers it: the conclusion of a conference need not say "tổ chức"."""
    loose = build_query(parsed, attempt.accented, match_all=False)
    counts = np.zeros(engine.size, dtype=np.int32)
    for clause in loose.clauses:
        counts += engine.evaluate(searcher, clause).matched
    near = (counts >= len(loose.clauses) - 1) & allowed & ~strict.matched
    if not near.any():
        return strict, None
    partial = engine.evaluate(searcher, loose.query)
    scores = strict.scores.copy()
    scores[near] = partial.scores[near]
    return Matches(strict.matched | near, scores), near


MAX_MISSING_CHECKED = 20  # words looked for one by one in each shown passage


def _missing(passage: Passage, built: BuiltQuery) -> list[str]:
    """The words of the query a passage shown for a partial match lacks: in
    its heading, text, notes and context (title, headings above it). Each
    part is read once, into the runs of up to the longest word's length."""
    units = built.units[:MAX_MISSING_CHECKED]
    longest = max((len(seq) for _, sequences in units for seq in sequences), default=0)
    # The marks already found say what heading, text and notes hold; only the
    # short context is read whole.
    marked = [(passage.heading, passage.heading_highlights), (passage.text, passage.highlights)]
    marked += [(n["text"], n["highlights"]) for n in passage.footnotes]
    parts = [text[a:b] for text, spans in marked for a, b in spans]
    parts += [*passage.path, passage.document.get("title") or ""]
    present: set[tuple[str, ...]] = set()
    for part in parts:
        analysis = analyze(part)
        tokens = analysis.syllables if built.accented else analysis.folded
        for n in range(1, longest + 1):
            present.update(zip(*(tokens[i:] for i in range(n))))
    return [shown for shown, sequences in units if not sequences & present]


def _ordered(kept, near, scores, columns: Columns, sort: str, depth: int, searcher, parsed, built, place=None):
    """The first ``depth`` kept sections in order, and their scores: by
    relevance the best re-ranked by how much of the query they hold, and
    those lacking a word (soft AND) after every one holding them all; or by date.
    ``place``: re-rank by the coverage of each section's place (grouped by parent)."""
    if sort != "relevance" or built is None:
        return _page_order(kept, scores, columns, sort, depth), scores
    parts: list[np.ndarray] = []
    for part in (kept & ~near, kept & near) if near is not None else (kept,):
        room = depth - sum(map(len, parts))
        if room > 0 and part.any():
            read = PLACES_READ * RERANK_DEPTH if place else RERANK_DEPTH
            ordered = _page_order(part, scores, columns, sort, max(room, read))
            reranked = _places_depth(ordered, place) if place else RERANK_DEPTH
            candidates = [(float(scores[n]), int(n)) for n in ordered[:reranked]]
            head = rerank(searcher, parsed, built.accented, candidates, place, depth=reranked)
            if head:
                scores = scores.copy()
                for score, n in head:
                    scores[n] = score
                ordered = np.concatenate([np.array([n for _, n in head], dtype=np.int64), ordered[reranked:]])
            parts.append(ordered)
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)), scores


def _places_depth(ordered: np.ndarray, place) -> int:
    """How many of the best sections make the first RERANK_DEPTH places
    (at most PLACES_READ × RERANK_DEPTH sections)."""
    seen: set = set()
    for count, n in enumerate(ordered[: PLACES_READ * RERANK_DEPTH]):
        seen.add(place(int(n)))
        if len(seen) > RERANK_DEPTH:
            return count
    return min(len(ordered), PLACES_READ * RERANK_DEPTH)


def _grouped(ordered: np.ndarray, keys: np.ndarray, start: int, stop: int):
    """``ordered`` document numbers, one per group key: the groups' best
    sections ``start:stop``, and each one's other members among ``ordered``."""
    mine = keys[ordered]
    _, first = np.unique(mine, return_index=True)
    chosen = np.sort(first)[start:stop]
    others = [[int(n) for n in ordered[mine == mine[i]][1:]] for i in chosen]
    return ordered[chosen], others


def _outline_entries(columns: Columns, index: OpenIndex, docnums: list[int]) -> dict[int, dict]:
    """Sections as a group's list names them, from the catalog's outline."""
    numbers = [int(columns.document_of[n]) for n in docnums]
    places = [(number, int(columns.position[n])) for number, n in zip(numbers, docnums)]
    entries = index.catalog.outline_entries(places)
    return {
        n: {"doc_id": index.catalog.documents[number]["doc_id"], "section_id": e["section_id"], "heading": e["heading"]}
        for n, number, e in zip(docnums, numbers, entries)
    }


def _page_order(kept: np.ndarray, scores: np.ndarray, columns: Columns, sort: str, stop: int):
    """Document numbers of the first ``stop`` kept sections in order: by
    score (ties by document number, as Whoosh orders them), or newest first
    and, within a document, in reading order (oldest first for "oldest"), or
    by the documents' numbers."""
    found = np.flatnonzero(kept)
    if sort in ("date", "oldest"):
        sign = -1 if sort == "date" else 1
        order = np.lexsort((columns.position[found], columns.doc_rank[found], sign * columns.date_rank[found]))
        return found[order][:stop]
    if sort == "number":
        order = np.lexsort((columns.position[found], columns.doc_rank[found], columns.number_rank[found]))
        return found[order][:stop]
    if len(found) > stop:
        # Only the best ``stop`` need sorting; ties at the cut are kept.
        cut = -np.partition(-scores[found], stop - 1)[stop - 1]
        found = found[scores[found] >= cut]
    return found[np.lexsort((found, -scores[found]))][:stop]


def _facet_list(facet: str, counts: dict, sort_keys: dict, chosen=()) -> list[tuple[object, int]]:
    """Years newest first; other values most frequent first, the first
    MAX_FACET_VALUES and any chosen one."""
    if facet == "year":
        return sorted(counts.items(), key=lambda item: -item[0])
    ordered = sorted(counts.items(), key=lambda item: (-item[1], sort_keys[item[0]]))
    return [item for n, item in enumerate(ordered) if n < MAX_FACET_VALUES or slug(str(item[0])) in chosen]



# A warm-up replays recent searches for at most this long: until it ends,
# what the rebuild added is not found; longer kept most probes on the old
# index in the load run (docs/benchmark-journal.md, issue 6, fourth round).
WARM_UP_SEARCHES_S = 10.0


def warm_up(index: OpenIndex, searches: Iterable[tuple[str, Filters]] = (), default: str = PUBLIC) -> None:
    """What the first queries on a new server or index would otherwise wait
    for: pyvi's model (1–4 s to import), the section columns of the index,
    its spelling corrector, and the terms of ``searches`` (text, filters),
    most wanted first. They are run as nobody signed in reads where
    ``default`` is the level of documents that say nothing (the server's
    setting): what they find is never shown, the terms read are the same
    whoever asks, and that reader's mask is ready for the first anonymous
    search."""
    segmenter()  # pyvi loads with it
    searcher = thread_searcher(index, BM25_B, BM25_K1)
    section_columns(index, engine_for(index, BM25_B, BM25_K1), searcher)
    corrector_for(index, searcher)
    deadline = time.monotonic() + WARM_UP_SEARCHES_S
    for text, filters in searches:
        if time.monotonic() > deadline:
            break
        try:
            search_page(index, text, filters, viewer=Viewer(default=default))
        except QueryError:
            continue
        except Exception:  # noqa: BLE001 - one search must not keep the index from switching
            log.exception("Warm-up search %r failed", text)


def search_page(
    index: OpenIndex,
    text: str,
    filters: Filters | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = DEFAULT_LIMIT,
    viewer: Viewer | None = None,
    group: str = "none",
) -> Page:
    """One page of passages, with facet counts over every match, made of the
    sections ``viewer`` may read only (all of them when None: the owner).

    An empty ``text`` lists the sections the filters allow, newest first.
    Raises QueryError for a query or filter that cannot be searched."""
    page, per_page, filters = _checked(sort, group, page, per_page, filters)
    engine = engine_for(index, BM25_B, BM25_K1)
    searcher = thread_searcher(index, BM25_B, BM25_K1)
    columns = section_columns(index, engine, searcher)
    notes: list[str] = []
    base = readable_sections(index, columns, viewer)
    masks = filter_masks(filters, columns, lambda keys: engine.evaluate(searcher, cited_query(keys)).matched, base)
    if not text.strip():
        parsed, built, near, partial = None, None, None, False
        matches = Matches(base.copy(), np.zeros(engine.size))
        sort = "date" if sort == "relevance" else sort  # a listing has no relevance: newest first
    else:
        parsed, matches, built, near, partial = _searched(text, engine, searcher, base, notes)
    matched = matches.matched
    kept = matched & _all_but(masks, engine.size)
    total = int(np.count_nonzero(kept))
    without, facets = _counts(matched, kept, masks, columns, engine.size, filters)
    keys, sizes, groups = _groups(columns, group, kept, total)
    shown, others = _page_sections(
        kept, total, near, matches, columns, sort, keys, groups, (page - 1) * per_page, page * per_page, searcher,
        parsed, built, _place(index, columns, group, parsed),
    )
    passages = _passages(index, searcher, columns, shown, others, keys, sizes, built, partial)
    within = base & _all_but(masks, engine.size)
    suggestion = _suggested(index, engine, searcher, parsed, notes, passages, total, within) if parsed else ""
    return Page(
        query=parsed.raw if parsed else "",
        total=total,
        unfiltered=matches.count(),
        without=without,
        page=page,
        per_page=per_page,
        sort=sort,
        passages=passages,
        facets=facets,
        notes=notes,
        suggestion=suggestion,
        built=built,
        grouped=group if keys is not None else "none",
        groups=groups,
    )


def _checked(sort: str, group: str, page: int, per_page: int, filters: Filters | None):
    """The page's arguments in bounds; QueryError for a choice or filter that cannot be used."""
    _check_choice(sort, SORTS, "Cách sắp xếp")
    _check_choice(group, GROUPINGS, "Cách gộp")
    filters = filters or Filters()
    try:
        filters.check()
    except FilterError as error:
        raise QueryError(str(error)) from None
    return max(1, int(page)), max(1, min(int(per_page), MAX_LIMIT)), filters


def _counts(matched, kept, masks: dict, columns: Columns, size: int, filters: Filters):
    """The total were each filter dropped, and each facet's counts: those
    leave out the facet's own filter, so a chosen year still shows the others.
    A facet lists its MAX_FACET_VALUES most frequent values, and those chosen."""
    without = {name: int(np.count_nonzero(matched & _all_but(masks, size, name))) for name in masks}
    facets = {}
    for facet in COUNTED:
        selected = matched & _all_but(masks, size, facet) if facet in masks else kept
        chosen = {slug(str(v)) for v in getattr(filters, facet)}
        counts = columns.facets[facet].counts(selected, MAX_FACET_VALUES, chosen)
        facets[facet] = _facet_list(facet, counts, columns.facets[facet].sort_keys, chosen)
    return without, facets


def _groups(columns: Columns, group: str, kept, total: int):
    """The group key of every section (None: no grouping), each group's count
    among ``kept``, and how many groups they make."""
    keys = {"parent": columns.parent, "document": columns.document_of}.get(group)
    if keys is None:
        return None, None, total
    sizes = np.bincount(keys[kept], minlength=1)
    return keys, sizes, int(np.count_nonzero(sizes))


def _check_choice(value: str, choices: tuple, name: str) -> None:
    if value not in choices:
        raise QueryError(f"{name} không hợp lệ: “{value}” (dùng: {', '.join(choices)}).")


def _passages(index: OpenIndex, searcher, columns: Columns, shown, others, keys, sizes, built, partial):
    """The page's passages, each with its group's other members (``sizes``:
    each group's count) and, for a partial match, the words it lacks."""
    passages = [_passage(stored(searcher, n), score, built, index.documents) for score, n in shown]
    named = _outline_entries(columns, index, [n for rest in others for n in rest[:MAX_MORE_SHOWN]])
    for passage, rest, (_, docnum) in zip(passages, others, shown):
        passage.more_count = int(sizes[keys[docnum]]) - 1 if sizes is not None else 0
        passage.more = [named[n] for n in rest[:MAX_MORE_SHOWN]]
        passage.missing = _missing(passage, built) if partial else []
    return passages


def _place(index: OpenIndex, columns: Columns, group: str, parsed):
    """Grouped by parent, a question's clause is ranked with its article's
    words around it: a question's words spread over the article."""
    asks = parsed is not None and len(parsed.all_syllables) > LONG_QUERY_SYLLABLES
    return place_finder(index, columns) if group == "parent" and asks else None


def _suggested(index: OpenIndex, engine: Engine, searcher, parsed, notes, passages, total: int, within) -> str:
    """The spelling the documents use, when only the looser spelling found
    them; else "did you mean" when the query found nothing or was loosened."""
    if FOLDED_NOTE in notes and passages:
        return _spelling_found(parsed, passages[0])
    if not total or notes:
        return _suggestion(index, engine, searcher, parsed, within)
    return ""


def _searched(text: str, engine: Engine, searcher, base, notes: list[str]):
    """The query read (_resolve), then matched by the strictest plan that finds something (_match)."""
    parsed, allowed = _resolve(text, engine, searcher, base, notes)
    return (parsed, *_match(parsed, engine, searcher, allowed, notes))


def _resolve(text: str, engine: Engine, searcher, base, notes: list[str]):
    """The query as it will be searched, and the sections it may find (the
    readable ones, less what it excludes); what was changed goes to ``notes``."""
    parsed = parse_query(text)
    if parsed.loose and not (engine.evaluate(searcher, build_query(parsed).query).matched & base).any():
        # "tt 5" meant no document: read it as words.
        parsed = parse_query(text, loose=False)
    unknown = [
        key for key in parsed.numbers if not (engine.evaluate(searcher, number_anywhere(key)).matched & base).any()
    ]
    if unknown and (parsed.chunks or parsed.phrases or parsed.either):
        # A number no document bears or cites must not take the query over: the words do the work.
        parsed = replace(parsed, numbers=[key for key in parsed.numbers if key not in unknown])
        notes.append(f"Không có văn bản nào có số ký hiệu hoặc dẫn chiếu đến số {', '.join(unknown)}; đã tìm theo từ khóa.")
    allowed = base
    if parsed.excluded:
        allowed = base & ~engine.evaluate(searcher, exclusion_query(parsed)).matched
    if parsed.ignored:
        notes.append(f"Đã bỏ qua cú pháp không hỗ trợ: {', '.join(dict.fromkeys(parsed.ignored))}")
    return parsed, allowed


def _match(parsed, engine: Engine, searcher, allowed, notes: list[str]):
    """The matches of the strictest plan that finds something among
    ``allowed``, its built query, the soft AND's extra sections (or None),
    and whether shown passages may lack words.

    Loosen only when the stricter plan finds nothing anywhere: when it finds
    sections outside the filters, the honest answer is "none within the
    filters", with the counts for dropping each."""
    near = None
    for attempt in _attempts(parsed):
        built = build_query(parsed, attempt.accented, attempt.match_all)
        found = engine.evaluate(searcher, built.query)
        # What the viewer may not read is not there, even to loosen on;
        # nor is what the query excludes.
        matches = Matches(found.matched & allowed, found.scores)
        # Soft AND beside a strict match only: with none, the looser
        # attempts (without diacritics, then most words, said) come first.
        # And only while the strict matches are few: past two pages of
        # them, the passages lacking a word would not be read, and
        # counting each word apart costs a query's time again.
        if (
            attempt.match_all
            and len(built.clauses) >= SOFT_AND_WORDS
            and 0 < np.count_nonzero(matches.matched) < SOFT_AND_BELOW
        ):
            matches, near = _soft_and(engine, searcher, parsed, attempt, matches, allowed)
        if matches.matched.any():
            if attempt.note:
                notes.append(attempt.note)
            break
    return matches, built, near, not attempt.match_all or near is not None


def _page_sections(kept, total, near, matches, columns, sort, keys, groups, start, stop, searcher, parsed, built,
                   place=None):
    """The page's sections (score, docnum) in order and, grouped by
    ``keys`` into ``groups`` groups, each one's other members; every passage
    when ``keys`` is None."""
    # Grouped, the best sections are read until they make the page's groups
    # (or every group there is).
    depth = stop if keys is None else max(RERANK_DEPTH, 4 * stop)
    while True:
        ordered, scores = _ordered(kept, near, matches.scores, columns, sort, depth, searcher, parsed, built, place)
        if keys is None or len(ordered) >= total or len(np.unique(keys[ordered])) >= min(stop, groups):
            break
        depth *= 4
    if keys is not None and len(ordered):
        ordered, others = _grouped(ordered, keys, start, stop)
    else:
        ordered, others = ordered[start:stop], [[] for _ in ordered[start:stop]]
    return [(float(scores[n]), int(n)) for n in ordered], others


def search(
    index: OpenIndex,
    text: str,
    filters: Filters | None = None,
    limit: int = DEFAULT_LIMIT,
    viewer: Viewer | None = None,
    group: str = "none",
) -> SearchResult:
    """The ``limit`` best passages (or groups). Raises QueryError for a query that cannot be searched."""
    parse_query(text)  # an empty query is an error here, not a listing
    page = search_page(
        index, text, filters, per_page=max(1, min(int(limit), MAX_LIMIT)), viewer=viewer, group=group
    )
    return SearchResult(query=page.query, total=page.total, passages=page.passages, notes=page.notes)
