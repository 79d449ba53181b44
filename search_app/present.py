"""Search results and documents as the page and the API show them: one place
for what a passage says about itself (citation, links, safe snippet)."""

from __future__ import annotations

from flask import url_for

from indexer.metadata import display_date
from search_app.render import marked, passage_citation, section_label
from search_app.search import DOCUMENT_FIELDS, Passage


def permalink(doc_id: str, section_id: str = "") -> str:
    return url_for("views.document", doc_id=doc_id, _external=True, _anchor=section_id or None)


def document_fields(meta: dict) -> dict:
    return {name: meta.get(name) for name in DOCUMENT_FIELDS}


def passage_item(passage: Passage, q: str = "") -> dict:
    """A result, as the API returns it, plus what the page needs to draw it."""
    label = section_label(passage.heading, passage.path) if passage.section_id != "mo-dau" else ""
    link = permalink(passage.doc_id, passage.section_id)
    citation = passage_citation(passage.document.get("citation") or "", label, passage.snippet, link)
    return {
        "doc_id": passage.doc_id,
        "section_id": passage.section_id,
        "heading": passage.heading,
        "path": passage.path,
        "text": passage.text,
        "snippet_html": str(marked(passage.snippet, passage.snippet_highlights)),
        "score": passage.score,
        "url": link,
        "citation": citation,
        "topics": passage.topics,
        "document": {name: passage.document.get(name) for name in DOCUMENT_FIELDS},
        # For the page only.
        "_heading_html": marked(passage.heading, passage.heading_highlights),
        "_snippet": marked(passage.snippet, passage.snippet_highlights),
        "_label": label,
        "_open_url": url_for(
            "views.document", doc_id=passage.doc_id, q=q or None, _anchor=passage.section_id
        ),
        "_date": display_date(passage.document.get("date")),
        "_document_citation": passage.document.get("citation") or "",
    }


def api_item(item: dict) -> dict:
    return {name: value for name, value in item.items() if not name.startswith("_")}
