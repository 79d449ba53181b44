"""The search engine's boundary: everything that knows Whoosh's private
format lives here, behind a query model (``engine.query``: what search
asks for, translated to Whoosh here only), a writer (``engine.writer``: a
build worker's segments, written straight in Whoosh's format) and a reader
(``engine.reader``: queries evaluated over posting blocks as numpy arrays,
with Whoosh's scores). ``engine.format`` holds what both read and write.

Search, the web app and the build use the names below, not Whoosh's
internals; outside the engine a searcher is an opaque handle, read through
``stored``, ``doc_frequency``, ``term_frequencies`` and the like; the byte- and score-equality tests (tests/test_segments.py,
tests/test_engine.py) are this backend's contract.
"""

from engine.reader import (
    Engine,
    Matches,
    doc_frequency,
    engine_for,
    live_count,
    numeric_column,
    searcher_of,
    stored,
    stored_where,
    term_frequencies,
    thread_searcher,
)
from engine.writer import BLOCK_POSTINGS, WorkerSegmentWriter, codec

__all__ = [
    "BLOCK_POSTINGS", "Engine", "Matches", "WorkerSegmentWriter", "codec", "doc_frequency", "engine_for",
    "live_count", "numeric_column", "searcher_of", "stored", "stored_where", "term_frequencies", "thread_searcher",
]  # fmt: skip
