"""Search results and documents as the page and the API show them: one place
for what a passage says about itself (citation, links, safe snippet)."""

from __future__ import annotations

from flask import current_app, request, url_for

from indexer.metadata import display_date
from indexer.parser import OPENING_ID
from search_app.citing import Style, passage_citation
from search_app.render import marked, quote_from, section_label
from search_app.search import DOCUMENT_FIELDS, Passage


def permalink(doc_id: str, section_id: str = "") -> str:
    """The address a citation carries: PUBLIC_URL (the address staff use,
    behind a proxy) if configured, else the one this request came to."""
    path = url_for("views.document", doc_id=doc_id, _anchor=section_id or None)
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def document_fields(meta: dict) -> dict:
    return {name: meta.get(name) for name in DOCUMENT_FIELDS}


def passage_item(passage: Passage, state: dict | None = None, style: Style | None = None) -> dict:
    """A result, as the API returns it, plus what the page needs to draw it.

    ``state``: the search's URL parameters, carried to the document page so
    its way back returns to the same results."""
    if passage.section_id == OPENING_ID and not passage.text.strip():
        # An opening without preamble stands for the whole document: cite it
        # as such, with no quote (its "text" is the title) and no anchor.
        label, section, quoted = "", "", ""
    else:
        label = section_label(passage.heading, passage.path) if passage.section_id != OPENING_ID else ""
        section, quoted = passage.section_id, quote_from(passage.text, passage.highlights)
    link = permalink(passage.doc_id, section)
    citation = passage_citation(passage.document, label, quoted, link, style or Style())
    snippet = marked(passage.snippet, passage.snippet_highlights)
    return {
        "doc_id": passage.doc_id,
        "section_id": passage.section_id,
        "heading": passage.heading,
        "path": passage.path,
        "text": passage.text,
        "snippet_html": str(snippet),
        "score": passage.score,
        "url": link,
        "citation": citation,
        "topics": passage.topics,
        "footnotes": [{"marker": n["marker"], "text": n["text"], "matched": n["matched"]} for n in passage.footnotes],
        "matched_in": passage.matched_in,
        "missing": passage.missing,
        "more_count": passage.more_count,
        "more": [m | {"url": permalink(m["doc_id"], m["section_id"])} for m in passage.more],
        "document": {name: passage.document.get(name) for name in DOCUMENT_FIELDS},
        # Under the passage on the page: the notes that hold what was asked.
        "_notes": [
            {"marker": n["marker"], "html": marked(n["text"], n["highlights"])} for n in passage.footnotes if n["matched"]
        ],
        # For the page only.
        "_heading_html": marked(passage.heading, passage.heading_highlights),
        "_snippet": snippet,
        "_snippet_text": passage.snippet,
        "_label": label,
        "_open_url": url_for(
            "views.document", doc_id=passage.doc_id, _anchor=section or None, **(state or {})
        ),
        "_date": display_date(passage.document.get("date")),
        "_document_citation": passage.document.get("citation") or "",
    }


def api_item(item: dict) -> dict:
    return {name: value for name, value in item.items() if not name.startswith("_")}
