"""What the writer and the reader both know of Whoosh's on-disk format."""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield


def length_bytes(perdoc, fieldname: str, count: int) -> bytes:
    """A segment's quantised field lengths, a byte per document number (0
    where the field is empty), from the column in one read; Whoosh's
    ``doc_field_length`` reads them one at a time."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None or not column._count:
        return bytes(count)
    stored = column._dbfile.get(column._basepos, column._count)
    return stored + bytes(count - len(stored))
