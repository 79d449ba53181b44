"""Queries (engine.query nodes, as Whoosh trees) evaluated over whole
posting lists with numpy.

Whoosh scores a query one matching section at a time, in Python, and
prunes only with bounds too low for our AndMaybe trees (see ``top_hits``
in bench/ranking_quality.py), so ranking every match of a common word
took seconds. Here the same trees are evaluated a posting list at a
time: each term's postings are read from Whoosh's own files, all its blocks
decoded in one pass (``decode_blocks``), scored with Whoosh's BM25F formula
(its idf, its average and quantised field lengths) into one array, and
cached per index generation; compound queries
are array operations. The scores equal Whoosh's (tests/test_engine.py
compares them on every query of the own query set), so the ranking is
unchanged and only its cost is.

The node types the project builds (Term, And, Or, AndMaybe, Require,
AndNot, ConstantScoreQuery, Prefix, Wildcard) are vectorised; any other
(a Phrase on the issuer, NumericRange…) falls back to
Whoosh's own matcher, posting by posting.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from math import log
from pickle import dumps, loads

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from engine.format import length_bytes
from engine.query import to_whoosh
from indexer.store import OpenIndex

# Per index generation, scored postings stay in memory (12 bytes each), the
# least recently used dropped first, up to a quarter of the machine's memory
# and at least 40M postings; TRACUU_CACHE_MB sets another budget. Reading a
# term from Whoosh's files means zlib and unpickling a block at a time, and
# staff queries touch a large share of the postings, so a small cache keeps
# evicting what the next query needs (docs/benchmark-journal.md, issue 6).
POSTING_BYTES = 12


def cache_postings() -> int:
    budget_mb = os.environ.get("TRACUU_CACHE_MB", "").strip()
    if budget_mb.isdigit():
        return int(budget_mb) * 2**20 // POSTING_BYTES
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(40_000_000, memory // 4 // POSTING_BYTES)


_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_LENGTH_OF_BYTE[0] = 0.0


@dataclass
class Matches:
    """Which sections match (by Whoosh document number) and their scores
    (0 where they don't match)."""

    matched: np.ndarray  # bool[N]
    scores: np.ndarray  # float64[N]

    def count(self) -> int:
        return int(np.count_nonzero(self.matched))


class Engine:
    """Scored postings and field lengths of one open index generation,
    shared by the requests on it (the arrays never change)."""

    def __init__(self, index: OpenIndex, B: float, K1: float):
        self.B, self.K1 = B, K1
        self._lock = threading.Lock()
        self._terms: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_postings = 0
        self.cache_limit = cache_postings()
        self._lengths: dict[str, np.ndarray] = {}
        with index.index.reader() as reader:
            self.size = reader.doc_count_all()
            live = np.ones(self.size, dtype=bool)
            if reader.has_deletions():
                live[:] = False
                live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
            self.live = live  # not deleted

    # Postings -------------------------------------------------------------

    def _field_lengths(self, searcher, fieldname: str) -> np.ndarray:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = np.zeros(self.size, dtype=np.float32)  # whole numbers: exact
            for reader, offset in searcher.reader().leaf_readers():
                count = reader.doc_count_all()
                lengths[offset : offset + count] = _length_column(reader, fieldname, count)
            self._lengths[fieldname] = lengths
        return lengths

    def term(self, searcher, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, unboosted scores) of one term, as Whoosh's BM25F
        would score them; deleted sections left out."""
        key = (fieldname, text)
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
                return found
        found = self._read_term(searcher, fieldname, text)
        with self._lock:
            if key not in self._terms:
                self._terms[key] = found
                self._cached_postings += _weight(found)
                while self._cached_postings > self.cache_limit and len(self._terms) > 1:
                    _, dropped = self._terms.popitem(last=False)
                    self._cached_postings -= _weight(dropped)
        return found

    def is_cached(self, fieldname: str, text) -> bool:
        with self._lock:
            return (fieldname, text) in self._terms

    def postings(self, searcher, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of one term over every segment,
        deleted sections left out; not cached."""
        schema = searcher.schema
        if fieldname not in schema:
            return _EMPTY
        field = schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return _EMPTY
        id_parts, weight_parts = [], []
        for reader, offset in searcher.reader().leaf_readers():
            if (fieldname, btext) not in reader:
                continue
            try:
                info = reader._terms.term_info(fieldname, btext)
            except TermNotFound:
                continue
            ids, weights = _segment_postings(reader._terms._postfile, info)
            id_parts.append(ids + offset)
            weight_parts.append(weights)
        if not id_parts:
            return _EMPTY
        ids = np.concatenate(id_parts).astype(np.int32)
        weights = np.concatenate(weight_parts)
        keep = self.live[ids]
        if not keep.all():
            ids, weights = ids[keep], weights[keep]
        return ids, weights

    def field_postings(self, searcher, fieldname: str):
        """(term, document numbers) of every term of a field, segment by
        segment (a term of several segments comes once from each), deleted
        sections left out: a walk over the term index instead of a lookup
        per term (slow for the tens of thousands of document ids of a large archive)."""
        field = searcher.schema[fieldname]
        for reader, offset in searcher.reader().leaf_readers():
            terms = reader._terms
            for (name, btext), info in terms.items_from(fieldname, b""):
                if name != fieldname:
                    break
                ids, _ = _segment_postings(terms._postfile, info)
                ids += offset
                yield field.from_bytes(btext), ids[self.live[ids]]

    def _read_term(self, searcher, fieldname, text):
        ids, weights = self.postings(searcher, fieldname, text)
        if not len(ids):  # no such term (or field)
            return ids, weights
        field = searcher.schema[fieldname]
        btext = field.to_bytes(text)
        if not field.scorable:
            return ids, weights  # Whoosh's WeightScorer: the weight itself
        parent = searcher.get_parent()
        count = parent.doc_count_all()
        idf = log(count / (parent.doc_frequency(fieldname, btext) + 1)) + 1
        average = parent.avg_field_length(fieldname) or 1
        lengths = self._field_lengths(searcher, fieldname)[ids].astype(np.float64)
        K1, B = self.K1, self.B
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average)))
        return ids, scores

    # Evaluation -----------------------------------------------------------

    def evaluate(self, searcher, query) -> Matches:
        """Every section ``query`` (an engine.query node) matches, with its score."""
        return _Evaluation(self, searcher).run(to_whoosh(query))


_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64))


def _weight(term: tuple[np.ndarray, np.ndarray]) -> int:
    """A cached term's share of the budget: its postings, and at least one
    so that terms found nowhere cannot pile up without bound."""
    return max(1, len(term[0]))


def _length_column(reader, fieldname: str, count: int) -> np.ndarray:
    """A segment's quantised field lengths, as Whoosh's scorer reads them
    (``doc_field_length``)."""
    codes = length_bytes(reader._perdoc, fieldname, count)
    return _LENGTH_OF_BYTE[np.frombuffer(codes, dtype=np.uint8)]


def _segment_postings(postfile, info) -> tuple[np.ndarray, np.ndarray]:
    """Every (document number, weight) of one term in one segment."""
    if info.is_inlined():  # a single posting, kept in the term's entry
        ids, weights, _ = info.inlined_postings()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    return decode_blocks(postfile.get(*posting_extent(info)))


def posting_extent(info) -> tuple[int, int]:
    """(offset, length) of a term's posting list in its segment's file."""
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh's W3TermInfo.from_bytes leaves a 1-tuple
        length = length[0]
    return offset, length


def decode_blocks(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's posting blocks in Whoosh's W3 format, decoded at once.

    A block is an int (its size; negative for the last), a pickled info
    tuple, then the zlib'd pickle of (id deltas, weights, values). Reading
    them through ``W3LeafMatcher`` costs seeks, a pickled header read from a
    file object and a numpy conversion per block; here the
    blocks are sliced from one read, large ones parsed with numpy
    (``_parse_block``), and their numbers joined once.
    """
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a Whoosh W3 posting list")
    view = memoryview(raw)
    id_runs, weight_runs, counts = [], [], []
    position, last = 4, False
    while not last:
        size = int.from_bytes(view[position : position + 4], "big", signed=True)
        last = size < 0
        start = position + 4
        position = start + abs(size)
        info = loads(view[start:position])  # stops at the info's end
        count, compression = info[0], info[3]
        # The writer pickled the info with protocol 2; pickling it again
        # gives its length, where the block's data starts.
        data = view[start + len(dumps(info, 2)) : position]
        data = zlib.decompress(data, 15, 4096) if compression else bytes(data)
        parsed = _parse_block(data, count) if count >= _PARSED_FROM else None
        if parsed is None:
            deltas, weights, _ = loads(data)
            parsed = np.array(deltas, dtype=np.int64), 1.0 if weights is None else weights
        id_runs.append(parsed[0])
        weight_runs.append(parsed[1])
        counts.append(count)
    counts = np.array(counts)
    ends = np.cumsum(counts)
    # Ids are deltas within each block (Whoosh's delta_encode): a running
    # sum over all blocks, less the sum carried in from earlier blocks.
    running = np.cumsum(np.concatenate(id_runs))
    carried = np.concatenate(([0], running[ends[:-1] - 1]))
    ids = running - np.repeat(carried, counts)
    weights = np.empty(len(ids))
    for block_weights, end, count in zip(weight_runs, ends.tolist(), counts.tolist()):
        weights[end - count : end] = block_weights  # one value, or one a posting
    return ids, weights


# Blocks of fewer postings go through pickle: the few numpy calls a block
# costs are not worth it there, and the 128-posting blocks of indexes built
# before are read as they were.
_PARSED_FROM = 256
_PROTO_2, _MARK, _TUPLE, _BINPUT, _BININT1, _BININT2, _BININT, _FLOAT, _NONE = b"\x80(tqKMJGN"
_DOUBLE = np.dtype(">f8")


def _parse_block(data: bytes, count: int) -> tuple[np.ndarray, object] | None:
    """(id deltas, weights) of one block's data pickle, read in place by
    numpy; None when the block is not in the usual shape (a gap of 256 or
    more after its first id, fewer than 4 postings…), for pickle to read.

    The usual shape, as ``dumps((ids, weights, None), 2)`` writes it: PROTO 2,
    MARK, the first id as BININT1/2/BININT, every later gap as BININT1 (2
    bytes each), TUPLE, BINPUT; then the weights: None (all 1), one FLOAT
    (all equal), or MARK and a FLOAT (9 bytes) a posting.
    """
    if data[0] != _PROTO_2 or data[2] != _MARK:
        return None
    width = {_BININT1: 1, _BININT2: 2, _BININT: 4}.get(data[3])
    if width is None:
        return None
    at = 4 + width
    first = int.from_bytes(data[4:at], "little", signed=width == 4)
    end = at + 2 * (count - 1)
    if len(data) < end + 12 or data[end] != _TUPLE or data[end + 1] != _BINPUT:
        return None
    gaps = np.frombuffer(data, dtype=np.uint8, count=2 * (count - 1), offset=at).reshape(-1, 2)
    if (gaps[:, 0] != _BININT1).any():
        return None
    deltas = np.empty(count, dtype=np.int64)
    deltas[0] = first
    deltas[1:] = gaps[:, 1]
    at = end + 3
    kind = data[at]
    if kind == _NONE:
        return deltas, 1.0
    if kind == _FLOAT:
        return deltas, float(np.frombuffer(data, dtype=_DOUBLE, count=1, offset=at + 1)[0])
    if kind != _MARK or len(data) < at + 1 + 9 * count:
        return None
    items = np.frombuffer(data, dtype=np.uint8, count=9 * count, offset=at + 1).reshape(-1, 9)
    if (items[:, 0] != _FLOAT).any():
        return None
    return deltas, items[:, 1:].copy().view(_DOUBLE).ravel()


class _Evaluation:
    def __init__(self, engine: Engine, searcher):
        self.engine = engine
        self.searcher = searcher
        self.size = engine.size

    def _none(self) -> Matches:
        return Matches(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def _sparse(self, ids, scores, boost: float = 1.0) -> Matches:
        result = self._none()
        result.matched[ids] = True
        result.scores[ids] = scores * boost if boost != 1.0 else scores
        return result

    def run(self, q: wq.Query) -> Matches:
        boost = getattr(q, "boost", 1.0)
        if isinstance(q, wq.Term):
            ids, scores = self.engine.term(self.searcher, q.fieldname, q.text)
            return self._sparse(ids, scores, boost)
        if isinstance(q, wq.ConstantScoreQuery):
            child = self.run(q.child)
            return Matches(child.matched, child.matched * float(q.score))
        # Exactly And and Or (subclasses such as DisjunctionMax score
        # otherwise); an Or with minmatch or scale falls back.
        if type(q) in (wq.And, wq.Or) and not (getattr(q, "minmatch", 0) or getattr(q, "scale", None)):
            parts = [self.run(sub) for sub in q.subqueries]
            if not parts:
                return self._none()
            matched = parts[0].matched.copy()
            scores = parts[0].scores.copy()
            combine = np.logical_and if isinstance(q, wq.And) else np.logical_or
            for part in parts[1:]:
                combine(matched, part.matched, out=matched)
                scores += part.scores
            if isinstance(q, wq.And):
                scores *= matched
            if boost != 1.0:
                scores *= boost
            return Matches(matched, scores)
        if isinstance(q, wq.AndMaybe):
            a, b = self.run(q.a), self.run(q.b)
            return Matches(a.matched, a.scores + b.scores * a.matched)
        if isinstance(q, wq.Require):
            a, b = self.run(q.a), self.run(q.b)
            matched = a.matched & b.matched
            return Matches(matched, a.scores * matched)
        if isinstance(q, wq.AndNot):
            a, b = self.run(q.a), self.run(q.b)
            matched = a.matched & ~b.matched
            return Matches(matched, a.scores * matched)
        if isinstance(q, (wq.Prefix, wq.Wildcard)):
            # Whoosh ORs the expanded terms, with no weighting when constant.
            reader = self.searcher.reader()
            texts = list(q._btexts(reader))
            if len(texts) == 1:
                return self.run(wq.Term(q.fieldname, texts[0], boost=q.boost))
            if q.constantscore:
                result = self._none()
                for text in texts:
                    ids, _ = self.engine.term(self.searcher, q.fieldname, text)
                    result.matched[ids] = True
                result.scores[result.matched] = q.boost  # ListMatcher weights
                return result
            return self.run(wq.Or([wq.Term(q.fieldname, t) for t in texts], boost=q.boost))
        if isinstance(q, wq.Every) and not q.fieldname:
            return Matches(self.engine.live.copy(), self.engine.live * float(boost))
        if q is wq.NullQuery:
            return self._none()
        return self._fallback(q)

    def _fallback(self, q: wq.Query) -> Matches:
        """Whoosh's own matcher, one posting at a time (phrases, ranges)."""
        matcher = q.matcher(self.searcher)
        ids, scores = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
        return self._sparse(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))


def thread_searcher(index: OpenIndex, B: float, K1: float):
    """This thread's searcher on the open index, kept for its next request:
    opening one reads the term index files, and a
    Whoosh reader must not be shared between threads (it seeks and reads)."""
    local = index.cached(("searchers", B, K1), threading.local)
    searcher = getattr(local, "searcher", None)
    if searcher is None:
        searcher = local.searcher = index.index.searcher(weighting=BM25F(B=B, K1=K1))
    return searcher


def engine_for(index: OpenIndex, B: float, K1: float) -> Engine:
    """The engine of this open index (created on first use)."""
    return index.cached(("engine", B, K1), lambda: Engine(index, B, K1))


# What search reads besides postings, through these functions only: a
# searcher is an opaque handle outside the engine.


@contextmanager
def searcher_of(index: OpenIndex):
    """A searcher for one request that needs no scores (a document page, a
    check of judged keys), closed after the block."""
    with index.index.searcher() as searcher:
        yield searcher


def stored(searcher, docnum: int) -> dict:
    """A section's stored fields (text, heading, path, footnotes, ids…)."""
    return searcher.stored_fields(docnum)


def stored_where(searcher, fieldname: str, value: str) -> list[dict]:
    """The stored fields of every live section whose ``fieldname`` is ``value``."""
    return list(searcher.documents(**{fieldname: value}))


def doc_frequency(searcher, fieldname: str, text: str) -> int:
    """How many sections hold the term (deleted ones included until a merge)."""
    return searcher.reader().doc_frequency(fieldname, text)


def live_count(searcher) -> int:
    """How many sections the index holds, deleted ones left out."""
    return searcher.reader().doc_count()


def term_frequencies(searcher, fieldname: str) -> dict[str, int]:
    """Every term of a field with its document frequency."""
    # Segment by segment: a reader over several merges their term lists in
    # Python, several times slower than reading each and adding up.
    frequencies: dict[bytes, int] = {}
    for leaf, _ in searcher.reader().leaf_readers():
        for text, info in leaf.iter_field(fieldname):
            frequencies[text] = frequencies.get(text, 0) + info.doc_frequency()
    field = searcher.schema[fieldname]
    return {field.from_bytes(text): count for text, count in frequencies.items()}


def numeric_column(searcher, fieldname: str) -> np.ndarray:
    """A numeric column field's value for every section number, as int32."""
    return np.array(list(searcher.reader().column_reader(fieldname)), dtype=np.int32)
