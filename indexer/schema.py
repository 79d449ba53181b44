"""The Whoosh schema: one Whoosh document per section.

Each section carries its document's metadata so filters and facets work on
sections. Text is indexed three ways (syllables, folded syllables, pyvi
words), for the heading and the body; headings weigh more in BM25F. Adjacent
syllable pairs (accented and folded) are indexed too, as single terms, so
proximity ranking is a term lookup. A section's context (its document's title
and the headings above it) is a field of its own, weighted low in queries.
"""

from __future__ import annotations

import re

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from analyzers import (
    folded_analyzer,
    folded_pair_analyzer,
    pair_analyzer,
    syllable_analyzer,
    word_analyzer,
)
from analyzers.normalize import fold_key

HEADING_BOOST = 2.5
# Bump when fields, analysis or what a reader makes of a file change: an
# index of another format is rebuilt in full by `tracuu index` and by
# `tracuu serve` (see indexer.build.stale_reason).
INDEX_FORMAT = 7

# Field names, by view.
BODY_FIELDS = {
    "syllable": "body", "folded": "body_fold", "word": "body_words",
    "pair": "body_pairs", "folded_pair": "body_pairs_fold",
}  # fmt: skip
HEAD_FIELDS = {
    "syllable": "head", "folded": "head_fold", "word": "head_words",
    "pair": "head_pairs", "folded_pair": "head_pairs_fold",
}  # fmt: skip
# Title of the document and ancestor headings, outermost first.
CONTEXT_FIELDS = {
    "syllable": "context", "folded": "context_fold", "word": "context_words",
    "pair": "context_pairs", "folded_pair": "context_pairs_fold",
}  # fmt: skip


def slug(text: str) -> str:
    """ASCII key for exact-match fields and facets: 'An ninh, quốc phòng' → 'an-ninh-quoc-phong'."""
    return re.sub(r"[^a-z0-9]+", "-", fold_key(text)).strip("-")


def build_schema() -> Schema:
    syllable, folded, word = syllable_analyzer(), folded_analyzer(), word_analyzer()
    pair, folded_pair = pair_analyzer(), folded_pair_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),  # "<doc_id>#<section_id>"
        doc_id=ID(stored=True),
        section_id=STORED,
        position=NUMERIC(stored=True, sortable=True),
        heading=STORED,
        path=STORED,
        text=STORED,
        footnotes=STORED,
        # No positions in text fields: a run of syllables is found by its pair
        # terms (search_app.query._sequence), and positions cost time to write
        # and to read back with every posting (the index is 44% smaller).
        head=TEXT(analyzer=syllable, phrase=False, field_boost=HEADING_BOOST),
        head_fold=TEXT(analyzer=folded, phrase=False, field_boost=HEADING_BOOST),
        head_words=TEXT(analyzer=word, phrase=False, field_boost=HEADING_BOOST),
        body=TEXT(analyzer=syllable, phrase=False),
        body_fold=TEXT(analyzer=folded, phrase=False),
        body_words=TEXT(analyzer=word, phrase=False),
        head_pairs=TEXT(analyzer=pair, phrase=False, field_boost=HEADING_BOOST),
        head_pairs_fold=TEXT(analyzer=folded_pair, phrase=False, field_boost=HEADING_BOOST),
        body_pairs=TEXT(analyzer=pair, phrase=False),
        body_pairs_fold=TEXT(analyzer=folded_pair, phrase=False),
        context=TEXT(analyzer=syllable, phrase=False),
        context_fold=TEXT(analyzer=folded, phrase=False),
        context_words=TEXT(analyzer=word, phrase=False),
        context_pairs=TEXT(analyzer=pair, phrase=False),
        context_pairs_fold=TEXT(analyzer=folded_pair, phrase=False),
        # The document's own number, on its opening section only, so a number
        # query finds the document once; numbers a section cites go in `cites`.
        number=KEYWORD(),
        head_cites=KEYWORD(),  # numbers in the heading (the title, for an opening)
        cites=KEYWORD(),  # numbers in heading, text and footnotes
        path_cites=KEYWORD(),  # numbers in the ancestors' headings: "1.2. Về thực hiện Kết luận 69" covers its subsections
        # Filters and facets (slugs, see slug()).
        year=NUMERIC(stored=True, signed=False, bits=16),
        doc_type=ID(),
        issuer=TEXT(analyzer=folded, phrase=True),
        issuer_key=ID(),
        issuer_level=ID(),  # Trung ương / Tỉnh / Huyện / Cơ sở
        province=ID(),
        topics=KEYWORD(stored=True),
    )
