"""A Whoosh segment writer for build workers, with the text fields' postings
kept per term in memory and written a block at a time.

Whoosh's ``SegmentWriter`` puts every posting in a pool of tuples, sorts the
pool, then hands the postings one by one to its codec, looking up the
section's field length for each (``FieldWriter.add_postings``): ~10 µs a
posting, and a section has ~900. Here the postings of frequency-format
fields (every analysed text field) go to per-term arrays as they are added,
already in section order; at the end each term's arrays are cut into
Whoosh's blocks and each block is written by Whoosh's own
``W3PostingsWriter._write_block``, with the statistics its ``add_posting``
would have kept. The other fields (identifiers, keywords, the issuer's
positions) take Whoosh's own path. The files are byte for byte the ones
Whoosh writes (tests/test_segments.py).

The writer also has a temporary folder of its own and takes no index lock,
so that several processes can each write a segment of one generation (see
indexer.workers).
"""

from __future__ import annotations

from array import array
from collections import Counter

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, _lenfield
from whoosh.formats import Frequency
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter


# Postings a block holds. Whoosh's default is 128; much of a block's cost
# to read is fixed (zlib, unpickling), and long lists of common words are
# what a query waits for. At 1M sections, with 1024 the most frequent terms'
# lists took 2.4x fewer bytes (3.3 -> 1.4 a posting) and unpickled 1.5x
# faster, 3.5x with engine._parse_block (BENCHMARKS.md, fourth round).
# Readers take any block size: a segment written with 128 stays readable.
BLOCK_POSTINGS = 1024


def codec() -> W3Codec:
    """The codec of every segment the build writes."""
    return W3Codec(blocklimit=BLOCK_POSTINGS)


def length_bytes(perdoc, fieldname: str, count: int) -> bytes:
    """A segment's quantised field lengths, a byte per document number (0
    where the field is empty), from the column in one read; Whoosh's
    ``doc_field_length`` reads them one at a time."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None or not column._count:
        return bytes(count)
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(count - len(stored))


class _Postings:
    """One term's postings in one field, in document order."""

    __slots__ = ("docnums", "weights", "values")

    def __init__(self):
        self.docnums = array("I")
        self.weights = array("d")  # as added: the block's maximum is taken before float32
        self.values = array("I")  # codes of the value bytes (TermPool.value_bytes)


class TermPool(PostingPool):
    """Whoosh's posting pool, with the postings of frequency-format fields
    held per term instead (no tuples, no sort, no temporary runs)."""

    def __init__(self, tempstore, segment, schema, limitmb: int):
        super().__init__(tempstore, segment, limitmb=limitmb)
        self.direct = {
            name
            for name, field in schema.items()
            if field.indexed
            and type(field.format) is Frequency
            and field.scorable
            and not field.stored
            and not field.column_type
            and not field.vector
            and not getattr(field, "spelling", False)
        }
        self.terms: dict[str, dict[str, _Postings]] = {name: {} for name in self.direct}
        self._fields = {name: schema[name] for name in self.direct}
        self._value_codes: dict[bytes, int] = {}
        self._frequency_codes: dict[int, int] = {}
        self.value_bytes: list[bytes] = []

    def add(self, item):
        fieldname, btext, docnum, weight, vbytes = item
        terms = self.terms.get(fieldname)
        if terms is None:
            return PostingPool.add(self, item)
        # Held by text: code point order is UTF-8's byte order, Whoosh's.
        text = btext.decode("utf-8")
        postings = terms.get(text)
        if postings is None:
            postings = terms[text] = _Postings()
        postings.docnums.append(docnum)
        postings.weights.append(weight)
        postings.values.append(self._code(vbytes))

    def add_tokens(self, fieldname: str, tokens: list[str], docnum: int, boost: float) -> int:
        """The postings Whoosh makes of a field given as a list of token
        texts (Frequency.word_values, SegmentWriter.add_document), counted
        at once; returns the field's length."""
        terms = self.terms[fieldname]
        field_boost = self._fields[fieldname].format.field_boost
        by_frequency = self._frequency_codes
        for text, freq in Counter(tokens).items():
            postings = terms.get(text)
            if postings is None:
                postings = terms[text] = _Postings()
            code = by_frequency.get(freq)
            if code is None:
                code = by_frequency[freq] = self._code(pack_uint(freq))
            postings.docnums.append(docnum)
            postings.weights.append(float(freq) * field_boost * boost)
            postings.values.append(code)
        return len(tokens)

    def _code(self, vbytes: bytes) -> int:
        code = self._value_codes.get(vbytes)
        if code is None:
            code = self._value_codes[vbytes] = len(self.value_bytes)
            self.value_bytes.append(vbytes)
        return code


class _FinishHook:
    """A per-document writer that runs ``before`` as each document finishes."""

    def __init__(self, inner, before):
        self.inner, self._before = inner, before

    def finish_doc(self):
        self._before(self.inner)
        self.inner.finish_doc()

    def __getattr__(self, name):
        return getattr(self.inner, name)


class WorkerSegmentWriter(SegmentWriter):
    """A segment writer for a build worker: no index lock (the main process
    holds the commit), a temporary folder of its own (Whoosh names every
    writer's after the index, and each destroys it when it finishes), and
    the text fields' postings written from a TermPool."""

    def __init__(self, ix, limitmb: int):
        super().__init__(ix, _lk=False, limitmb=limitmb, codec=codec())
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
            if name in self.pool.direct and isinstance(fields[name], list)
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
        # add_postings takes them, the pooled fields from the term arrays.
        self.perdocwriter.close()
        perdoc = self.per_document_reader()
        try:
            pooled: dict[str, list] = {}
            for item in self.pool.iter_postings():  # sorted by field, term, document
                pooled.setdefault(item[0], []).append(item)
            held = {name for name, terms in self.pool.terms.items() if terms}
            for fieldname in sorted(pooled.keys() | held):
                if fieldname in pooled:
                    self.fieldwriter.add_postings(self.schema, perdoc, pooled[fieldname])
                else:
                    codes = length_bytes(perdoc, fieldname, self.docnum)
                    lengths = [byte_to_length(b) if b else 0 for b in codes]  # doc_field_length's values
                    self._write_field(fieldname, self.pool.terms[fieldname], lengths)
            self.fieldwriter.close()
        finally:
            perdoc.close()

    def _write_field(self, fieldname: str, terms: dict[str, _Postings], lengths: list[int]) -> None:
        writer = self.fieldwriter
        writer.start_field(fieldname, self.schema[fieldname])
        postwriter = writer._postwriter
        limit = postwriter._blocklimit
        value_bytes = self.pool.value_bytes
        for text in sorted(terms):
            postings = terms.pop(text)  # memory goes back as the field is written
            writer.start_term(text.encode("utf-8"))
            count = len(postings.docnums)
            for start in range(0, count, limit):
                if start:
                    postwriter._write_block()
                end = min(start + limit, count)
                # What add_posting would have buffered for these postings.
                ids = postings.docnums[start:end]
                weights = postings.weights[start:end]
                postwriter._ids = ids
                postwriter._weights = array("f", weights)
                postwriter._values = [v for v in map(value_bytes.__getitem__, postings.values[start:end]) if v]
                postwriter._maxweight = max(0, max(weights))
                present = [length for length in map(lengths.__getitem__, ids) if length]
                postwriter._minlength = min(present) if present else None
                postwriter._maxlength = max(present) if present else 0
            writer.finish_term()  # writes the last block
        writer.finish_field()
