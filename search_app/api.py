"""JSON API: the search page's data, and the documents."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from indexer.reader import UnreadableFile
from indexer.store import IndexMissing
from search_app.access import may_read, readable_documents
from search_app.accounts import VIEW
from search_app.auth import audit, audit_search, csrf, search_wait, too_many, viewer
from search_app.checker import DraftTooLong, check_text, read_draft, report
from search_app.documents import document_sections, find_document, original_file, readable_cited_by, readable_cites
from search_app.facets import FILTER_FIELDS
from search_app.params import BadParameter, parse_search_args
from search_app.present import api_item, document_fields, passage_item, permalink
from search_app.query import QueryError
from search_app.search import search_page

blueprint = Blueprint("api", __name__, url_prefix="/api")
CITE_FIELDS = ("number", "doc_type", "date", "issuer", "title", "section_id", "doc_id")


def _error(message: str, status: int):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@blueprint.errorhandler(IndexMissing)
def _no_index(error):
    return _error(str(error), 503)


def _index():
    return current_app.extensions["tracuu_index"].get()


@blueprint.get("/search")
def search():
    limited = _limited()
    if limited:
        return limited
    try:
        wanted = parse_search_args(request.args)
        page = search_page(
            _index(), wanted.q, wanted.filters, wanted.sort, wanted.page, wanted.per_page, viewer(), wanted.group
        )
    except (BadParameter, QueryError) as error:
        return _error(str(error), 400)
    current_app.extensions["tracuu_recent"].add(wanted.q, wanted.filters)
    audit_search(wanted)
    return jsonify(
        {
            "query": page.query,
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "sort": page.sort,
            "grouped": page.grouped,
            "groups": page.groups,
            "filters": {name: value for name, value in wanted.args().items() if name in FILTER_FIELDS},
            "notes": page.notes,
            "suggestion": page.suggestion or None,
            "results": [api_item(passage_item(p)) for p in page.passages],
            "facets": {
                facet: [{"value": value, "count": count} for value, count in values]
                for facet, values in page.facets.items()
            },
        }
    )


@blueprint.get("/documents")
def documents():
    return jsonify({"documents": [document_fields(d) for d in readable_documents(_index(), viewer())]})


@blueprint.get("/documents/<doc_id>")
def document(doc_id: str):
    index = _index()
    meta = find_document(index, doc_id)
    reader = viewer()
    if not may_read(reader, meta):
        return _error(f"Không có văn bản “{doc_id[:80]}”.", 404)
    audit(VIEW, meta["doc_id"])
    sections = [
        {"section_id": s.section_id, "heading": s.heading, "path": s.path, "text": s.text, "pages": s.pages}
        for s in document_sections(index, meta)
    ]
    cites = [{name: c.get(name) for name in CITE_FIELDS} for c in readable_cites(index, meta, reader)]
    cited_by = readable_cited_by(index, meta, reader)
    return jsonify(
        document_fields(meta)
        | {
            "citation": meta.get("citation", ""),
            "origin": meta.get("origin", ""),
            "topics": meta.get("topics", []),
            "sections": sections,
            "cites": cites,
            "cited_by": cited_by,
            "original_url": permalink(meta["doc_id"]) + "/original" if original_file(index, meta) else None,
        }
    )


@blueprint.post("/check")
@csrf.exempt  # scripts post here; it changes nothing, and SameSite cookies keep other sites' posts unsigned
def check():
    """A draft as a file (multipart ``file``), JSON ``{"text": …}`` or the
    body as text → each citation's status (search_app.checker)."""
    limited = _limited()  # a check costs a search a citation: limited alike
    if limited:
        return limited
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            text = read_draft(upload.read(), upload.filename)
        elif request.is_json:
            text = (request.get_json(silent=True) or {}).get("text") or ""
        else:
            text = request.get_data(as_text=True)
    except (ValueError, UnreadableFile) as error:
        return _error(f"Không đọc được tệp: {error}", 400)
    if not isinstance(text, str) or not text.strip():
        return _error("Cần nội dung dự thảo: tệp (file), JSON {\"text\": …} hoặc văn bản.", 400)
    try:
        checked = check_text(_index(), text, viewer())
    except DraftTooLong as error:
        return _error(str(error), 413)
    return jsonify(report(checked))


def _limited():
    """A 429 with Retry-After when this client searched too often, else None."""
    wait = search_wait()
    if not wait:
        return None
    response = _error(too_many(wait), 429)
    response.headers["Retry-After"] = str(max(1, round(wait)))
    return response


@blueprint.route("/<path:anything>")
def unknown(anything):
    return _error("Không có địa chỉ API này.", 404)
