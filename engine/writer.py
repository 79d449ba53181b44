"""A Whoosh segment writer for build workers, with the postings kept in
flat arrays and written a block at a time.

Whoosh's ``SegmentWriter`` puts every posting in a pool of tuples, sorts the
pool, then hands the postings one by one to its codec, looking up the
section's field length for each (``FieldWriter.add_postings``): Python
calls per posting, hundreds of postings a section. Here the postings of frequency-format
fields (every analysed text field) are counted a section at a time and
appended to one field's arrays (term id, document, weight, value), in
section order; when the field is written, one stable sort groups them by
term and ``write_block`` writes each block as Whoosh's
``W3PostingsWriter`` would (its ``add_posting`` statistics, then
``_write_block``), with numpy instead of a Python step per posting, and
each term's record as ``OrderedHashWriter.add`` would, the two files'
offsets counted instead of asked for at every term. The
identifier, keyword and number fields' postings, which Whoosh's
``add_document`` makes, are held the same way; only the issuer's (with
positions) take Whoosh's own path. The files are byte for byte the ones
Whoosh writes (tests/test_segments.py).

The writer also has a temporary folder of its own and takes no index lock,
so that several processes can each write a segment of one generation (see
indexer.workers).
"""

from __future__ import annotations

import copy
import zlib
from array import array
from collections import Counter
from itertools import repeat
from operator import sub
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3TermInfo
from whoosh.filedb.filetables import _lengths as _RECORD_LENGTHS
from whoosh.fields import NUMERIC, Schema
from whoosh.formats import Existence, Frequency
from whoosh.system import _INT_SIZE, pack_int, pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from analyzers.memo import Memo
from engine.format import length_bytes


# Postings a block holds. Whoosh's default is 128; much of a block's cost
# to read is fixed (zlib, unpickling), and long lists of common words are
# what a query waits for: larger blocks are smaller and faster to read
# (docs/benchmark-journal.md, issue 6, fourth round).
# Readers take any block size: a segment written with 128 stays readable.
BLOCK_POSTINGS = 1024


def codec() -> W3Codec:
    """The codec of every segment the build writes."""
    return W3Codec(blocklimit=BLOCK_POSTINGS)


# doc_field_length's value of each length byte (0: the field is empty).
_LENGTHS = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int64)


class _FieldPostings:
    """One field's postings in the order they were added (document order):
    a term id, document number, weight and value code each, in flat arrays.
    Grouped by term only when the field is written, by one stable sort."""

    __slots__ = ("vocabulary", "terms", "docnums", "weights", "values")

    def __init__(self):
        self.vocabulary: dict[str | bytes, int] = {}  # term (text; bytes for numbers) -> term id
        self.terms = array("I")
        self.docnums = array("I")
        self.weights = array("d")  # as added: the block's maximum is taken before float32
        self.values = array("I")  # codes of the value bytes (TermPool.value_bytes)

    def term_ids(self, texts) -> list[int]:
        vocabulary = self.vocabulary
        ids = list(map(vocabulary.get, texts))
        if None in ids:
            for k, text in enumerate(texts):
                if ids[k] is None:
                    ids[k] = vocabulary.setdefault(text, len(vocabulary))
        return ids

    def grouped(self):
        """(term, start, end) of each term's postings in term order, and
        the postings' docnums, weights and value codes (arrays) sorted so."""
        terms = np.frombuffer(self.terms, dtype=np.uint32)
        order = np.argsort(terms, kind="stable")  # stable: document order within a term
        docnums = np.frombuffer(self.docnums, dtype=np.uint32)[order]
        weights = np.frombuffer(self.weights, dtype=np.float64)[order]
        values = np.frombuffer(self.values, dtype=np.uint32)[order]
        ends = np.cumsum(np.bincount(terms, minlength=len(self.vocabulary))).tolist()
        # Held by text: code point order is UTF-8's byte order, Whoosh's.
        spans = [(text, ends[tid - 1] if tid else 0, ends[tid]) for text, tid in sorted(self.vocabulary.items())]
        return spans, docnums, weights, values


class TermPool(PostingPool):
    """Whoosh's posting pool, with the postings of fields without positions
    held per field in arrays instead (no tuples, no sort, no temporary runs)."""

    def __init__(self, tempstore, segment, schema, limitmb: int):
        super().__init__(tempstore, segment, limitmb=limitmb)
        # Every inverted field without positions (the issuer's take Whoosh's
        # path: ours differed from Whoosh's files). The arrays hold the
        # weight and value bytes Whoosh gives (add) or would give
        # (add_tokens). Terms are held as text where they are text, else as
        # the bytes Whoosh gives (numbers); either sorts in Whoosh's order.
        self.direct = {
            name
            for name, field in schema.items()
            if field.indexed
            and type(field.format) in (Existence, Frequency)
            and not field.vector
            and not getattr(field, "spelling", False)
        }
        self._binary = {name for name in self.direct if isinstance(schema[name], NUMERIC)}
        # Fields a token list may be given for (add_tokens makes Frequency's postings).
        self.counted = {name for name in self.direct if type(schema[name].format) is Frequency}
        self.postings: dict[str, _FieldPostings] = {name: _FieldPostings() for name in self.direct}
        self._fields = {name: schema[name] for name in self.direct}
        self._value_codes: dict[bytes, int] = {}
        self._frequency_codes: dict[int, int] = {}
        self.value_bytes: list[bytes] = []

    def add(self, item):
        fieldname, btext, docnum, weight, vbytes = item
        postings = self.postings.get(fieldname)
        if postings is None:
            return PostingPool.add(self, item)
        postings.terms.extend(postings.term_ids([btext if fieldname in self._binary else btext.decode("utf-8")]))
        postings.docnums.append(docnum)
        postings.weights.append(weight)
        postings.values.append(self._code(vbytes))

    def add_tokens(self, fieldname: str, tokens: list[str], docnum: int, boost: float) -> int:
        """The postings Whoosh makes of a field given as a list of token
        texts (Frequency.word_values, SegmentWriter.add_document), counted
        at once; returns the field's length."""
        postings = self.postings[fieldname]
        field_boost = self._fields[fieldname].format.field_boost
        counts = Counter(tokens)
        texts = list(counts)
        frequencies = list(counts.values())
        postings.terms.extend(postings.term_ids(texts))
        postings.docnums.extend(repeat(docnum, len(texts)))
        if field_boost == 1.0 and boost == 1.0:
            postings.weights.extend(map(float, frequencies))
        else:
            postings.weights.extend([float(freq) * field_boost * boost for freq in frequencies])
        codes = list(map(self._frequency_codes.get, frequencies))
        if None in codes:
            for k, freq in enumerate(frequencies):
                if codes[k] is None:
                    codes[k] = self._frequency_codes[freq] = self._code(pack_uint(freq))
        postings.values.extend(codes)
        return len(tokens)

    def _code(self, vbytes: bytes) -> int:
        code = self._value_codes.get(vbytes)
        if code is None:
            code = self._value_codes[vbytes] = len(self.value_bytes)
            self.value_bytes.append(vbytes)
        return code


# From this many postings a block's statistics and encodings are made with
# numpy: its fixed cost per call is then below the list operations'.
_NUMPY_BLOCK = 48


def _block_lists(ids: np.ndarray, weights: np.ndarray, lengths: list[int]):
    """A block's ids (list), float32 weights (array "f"), its add_posting
    statistics and delta ids, with list and array operations."""
    ids_list = ids.tolist()
    weights_list = weights.tolist()
    weights32 = array("f", weights_list)
    present = [length for length in map(lengths.__getitem__, ids_list) if length]
    count = len(ids_list)
    if weights32.count(1.0) == count:
        mini_weights = None
    elif weights32.count(weights32[0]) == count:
        mini_weights = weights32[0]
    else:
        mini_weights = tuple(weights32)
    stats = (max(0, max(weights_list)), min(present) if present else None, max(present) if present else 0)
    return ids_list, weights32, stats, mini_weights, (ids_list[0], *map(sub, ids_list[1:], ids_list))


def _block_arrays(ids: np.ndarray, weights: np.ndarray, lengths: np.ndarray):
    """_block_lists with numpy, for long blocks: the same values."""
    weights32 = weights.astype(np.float32)
    as_array = array("f")
    as_array.frombytes(weights32.tobytes())
    present = lengths[ids]
    present = present[present > 0]
    if (weights32 == 1.0).all():
        mini_weights = None
    elif (weights32 == weights32[0]).all():
        mini_weights = as_array[0]
    else:
        mini_weights = tuple(as_array)
    stats = (
        max(0, float(weights.max())),
        int(present.min()) if present.size else None,
        int(present.max()) if present.size else 0,
    )
    deltas = tuple(np.diff(ids.astype(np.int64), prepend=0).tolist())
    return ids.tolist(), as_array, stats, mini_weights, deltas


def write_block(postwriter, ids: np.ndarray, weights: np.ndarray, values: list[bytes], lengths, last: bool) -> int:
    """W3PostingsWriter.add_posting for each posting, then _write_block:
    the same bytes and term statistics, with list, array and numpy
    operations instead of Whoosh's Python steps per posting. ``ids``: the
    block's document numbers; ``weights``: their weights as added (before
    float32); ``lengths``: the field length of each document number, as a
    list and as an array. Returns the number of bytes written."""
    if len(ids) < _NUMPY_BLOCK:
        ids_list, weights32, stats, mini_weights, deltas = _block_lists(ids, weights, lengths[0])
    else:
        ids_list, weights32, stats, mini_weights, deltas = _block_arrays(ids, weights, lengths[1])
    count = len(ids_list)
    postwriter._ids = ids_list
    postwriter._weights = weights32
    postwriter._values = values
    postwriter._maxweight, postwriter._minlength, postwriter._maxlength = stats
    written = 0
    if not postwriter._blockcount:
        postwriter._postfile.write(WHOOSH3_HEADER_MAGIC)
        written = len(WHOOSH3_HEADER_MAGIC)
    postwriter._terminfo.add_block(postwriter)
    # _mini_weights (above), _mini_values and _mini_ids (delta_encode)
    fixed = postwriter._format.fixed_value_size()
    if fixed is None or fixed < 0:
        mini_values = tuple(values)
    elif fixed == 0:
        mini_values = None
    else:
        mini_values = b"".join(values)
    databytes = dumps((deltas, mini_weights, mini_values), 2)
    comp = postwriter._compression
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps(
        (
            count,
            ids_list[-1],
            postwriter._maxweight,
            comp,
            length_to_byte(postwriter._minlength),
            length_to_byte(postwriter._maxlength),
        ),
        2,
    )
    blocklength = len(infobytes) + len(databytes)
    postwriter._postfile.write(pack_int(-blocklength if last else blocklength))
    postwriter._postfile.write(infobytes)
    postwriter._postfile.write(databytes)
    postwriter._blockcount += 1
    postwriter._new_block()
    return written + _INT_SIZE + blocklength


class _FinishHook:
    """A per-document writer that runs ``before`` as each document finishes."""

    def __init__(self, inner, before):
        self.inner, self._before = inner, before

    def finish_doc(self):
        self._before(self.inner)
        self.inner.finish_doc()

    def __getattr__(self, name):
        return getattr(self.inner, name)


# Distinct values whose postings a field remembers (each a short list).
_REMEMBERED = 16384


def _remembering(schema: Schema) -> Schema:
    """A copy of ``schema`` whose fields (those Whoosh's add_document
    analyses) work out the postings of each distinct value once. A
    document gives every section the same issuer, year, type and province
    and often the same numbers: adding 3,893 sections of the 100k corpus
    took 2.76 s instead of 3.50 s, the issuer's analysis being most of
    the difference. The unique key is left alone: no value of it comes
    twice."""
    fields = {}
    for name, field in schema.items():
        if field.indexed and not field.unique:
            field = copy.copy(field)  # the index's own schema stays as it was
            field.index = _RememberedIndex(field.index)
        fields[name] = field
    return Schema(**fields)


class _RememberedIndex(Memo):
    """A field's ``index`` (its (term bytes, frequency, weight, value bytes)
    items), once per distinct value."""

    def __init__(self, index):
        super().__init__(lambda key: list(index(key[1])), limit=_REMEMBERED)
        self._index = index

    def __call__(self, value, **kwargs):
        if kwargs or isinstance(value, (list, tuple)):
            return self._index(value, **kwargs)
        # Value bytes made anew, as analysing makes them: a block pickles
        # its values (positions), and pickle writes an object it has seen
        # before as a reference to it, which would change the file.
        items = self[type(value), value]  # typed: 1 and True are one dict key
        return [(text, freq, weight, bytes(bytearray(vbytes))) for text, freq, weight, vbytes in items]


class WorkerSegmentWriter(SegmentWriter):
    """A segment writer for a build worker: no index lock (the main process
    holds the commit), a temporary folder of its own (Whoosh names every
    writer's after the index, and each destroys it when it finishes), and
    the postings written from a TermPool."""

    def __init__(self, ix, limitmb: int):
        super().__init__(ix, _lk=False, limitmb=limitmb, codec=codec())
        self.schema = _remembering(self.schema)
        self._tempstorage = self.storage.temp_storage()
        self.pool = TermPool(self._tempstorage, self.newsegment, self.schema, limitmb)
        if not isinstance(self.fieldwriter, W3FieldWriter) or not self.codec.length_stats:
            raise TypeError("WorkerSegmentWriter writes Whoosh 3 segments only")

    def add_document(self, **fields):
        # Fields given as token lists go straight to the term pool; Whoosh's
        # add_document does the rest, and their lengths are written with
        # the section's other fields, when it finishes the section.
        tokens = {
            name: fields.pop(name)
            for name in list(fields)
            if name in self.pool.counted and isinstance(fields[name], list)
        }
        if tokens:
            boost = self._doc_boost(fields)
            self._pending = [(name, value, self._field_boost(fields, name, boost)) for name, value in sorted(tokens.items())]
            self.perdocwriter = _FinishHook(self.perdocwriter, self._add_pending)
        try:
            super().add_document(**fields)
        finally:
            if tokens:
                self.perdocwriter = self.perdocwriter.inner

    def _add_pending(self, perdocwriter) -> None:
        schema = self.schema
        for name, value, boost in self._pending:
            length = self.pool.add_tokens(name, value, self.docnum, boost)
            perdocwriter.add_field(name, schema[name], None, length)

    def finish(self):
        """Write the segment out and return it (None when nothing was added)."""
        try:
            if self._added:
                return self._finalize_segment()
            self._close_segment()
            return None
        finally:
            self._finish()

    def abandon(self):
        self._close_segment()
        self._finish()

    def _flush_segment(self):
        # SegmentWriter._flush_segment, field by field in name order as
        # add_postings takes them, the held fields from their arrays.
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        try:
            pooled: dict[str, list] = {}
            for item in self.pool.iter_postings():  # sorted by field, term, document
                pooled.setdefault(item[0], []).append(item)
            held = {name for name, postings in self.pool.postings.items() if postings.vocabulary}
            for fieldname in sorted(pooled.keys() | held):
                if fieldname in pooled:
                    self.fieldwriter.add_postings(self.schema, perdoc, pooled[fieldname])
                else:
                    codes = length_bytes(perdoc, fieldname, self.docnum)
                    lengths = _LENGTHS[np.frombuffer(codes, dtype=np.uint8)]
                    lengths = (lengths.tolist(), lengths)
                    self._write_field(fieldname, self.pool.postings.pop(fieldname), lengths)
            self.fieldwriter.close()
        finally:
            perdoc.close()

    def _write_field(self, fieldname: str, postings: _FieldPostings, lengths: tuple[list[int], np.ndarray]) -> None:
        """W3FieldWriter's start_term, blocks, finish_term for each term,
        with the two files' offsets counted here: Whoosh asks each file for
        it (a system call) twice a term."""
        writer = self.fieldwriter
        fieldobj = self.schema[fieldname]
        writer.start_field(fieldname, fieldobj)
        postwriter = writer._postwriter
        postfile, tindex = postwriter._postfile, writer._tindex
        postwriter._format = fieldobj.format  # W3PostingsWriter.start_postings
        limit = postwriter._blocklimit
        value_bytes = self.pool.value_bytes
        prefix = pack_ushort(writer._fieldid)
        post_at, term_at = postfile.tell(), tindex.dbfile.tell()
        spans, docnums, weights, codes = postings.grouped()
        for text, start, end in spans:
            terminfo = postwriter._terminfo = W3TermInfo()
            postwriter._blockcount = 0
            begun = post_at
            for first in range(start, end, limit):
                last = min(first + limit, end)
                # Lists a block at a time: a whole field's would take ~36 bytes a posting.
                values = [v for v in map(value_bytes.__getitem__, codes[first:last].tolist()) if v]
                post_at += write_block(postwriter, docnums[first:last], weights[first:last], values, lengths, last == end)
            terminfo.set_extent(begun, post_at - begun)
            postwriter._terminfo = None
            term_at = _add_term(tindex, prefix + (text if isinstance(text, bytes) else text.encode("utf-8")), terminfo.to_bytes(), term_at)
        writer.finish_field()
        if (post_at, term_at) != (postfile.tell(), tindex.dbfile.tell()):
            raise AssertionError(f"{fieldname}: file offsets counted wrong")


def _add_term(tindex, key: bytes, value: bytes, at: int) -> int:
    """OrderedHashWriter.add, given the file's offset ``at``; returns the
    offset after the record."""
    if key <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
    tindex.index.append(at)
    dbfile = tindex.dbfile
    dbfile.write(_RECORD_LENGTHS.pack(len(key), len(value)))
    dbfile.write(key)
    dbfile.write(value)
    h = tindex.hashfn(key)
    tindex.buckets[h & 255].append((h, at))
    tindex.lastkey = key
    return at + _RECORD_LENGTHS.size + len(key) + len(value)
