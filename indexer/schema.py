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

# The analysed text fields, declared once: each text of a section (its
# heading, its body, its context: the document's title and the headings
# above it, outermost first) in each view of analyzers.views. A field is
# named text + suffix ("head_pairs_fold"). The query side names views by
# ``view``, the index side by ``attribute`` (a TextViews attribute).
VIEWS = (
    # view, TextViews attribute, field name suffix, analyzer
    ("syllable", "syllables", "", syllable_analyzer),
    ("folded", "folded", "_fold", folded_analyzer),
    ("word", "words", "_words", word_analyzer),
    ("pair", "pairs", "_pairs", pair_analyzer),
    ("folded_pair", "folded_pairs", "_pairs_fold", folded_pair_analyzer),
)
TEXTS = {"head": HEADING_BOOST, "body": 1.0, "context": 1.0}  # text → its field boost


def _view_fields(text: str) -> dict[str, str]:
    return {view: text + suffix for view, _, suffix, _ in VIEWS}


BODY_FIELDS, HEAD_FIELDS, CONTEXT_FIELDS = _view_fields("body"), _view_fields("head"), _view_fields("context")
# For indexing: text → TextViews attribute → field.
INDEXED_VIEWS = {text: {attribute: text + suffix for _, attribute, suffix, _ in VIEWS} for text in TEXTS}


def slug(text: str) -> str:
    """ASCII key for exact-match fields and facets: 'An ninh, quốc phòng' → 'an-ninh-quoc-phong'."""
    return re.sub(r"[^a-z0-9]+", "-", fold_key(text)).strip("-")


def _text_fields(analyzers: dict) -> dict:
    """Every analysed text field (``analyzers``: suffix → analyzer). No
    positions: a run of syllables is found by its pair terms
    (search_app.query._sequence), and positions cost time to write and to
    read back with every posting (the index is 44% smaller)."""
    return {
        text + suffix: TEXT(analyzer=analyzers[suffix], phrase=False, **({"field_boost": boost} if boost != 1.0 else {}))
        for text, boost in TEXTS.items()
        for _, _, suffix, _ in VIEWS
    }


def build_schema() -> Schema:
    analyzers = {suffix: make() for _, _, suffix, make in VIEWS}
    folded = analyzers["_fold"]
    return Schema(
        **_text_fields(analyzers),
        key=ID(unique=True, stored=True),  # "<doc_id>#<section_id>"
        doc_id=ID(stored=True),
        section_id=STORED,
        position=NUMERIC(stored=True, sortable=True),
        heading=STORED,
        path=STORED,
        text=STORED,
        footnotes=STORED,
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
