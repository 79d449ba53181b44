"""The pages: search (`/`) and document (`/doc/<doc_id>`)."""

from __future__ import annotations

import time
from collections import Counter

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from indexer.access import PUBLIC
from indexer.metadata import display_date
from indexer.reader import UnreadableFile
from indexer.store import IndexDamaged, IndexMissing
from search_app.accounts import ACTION_LABELS, ORIGINAL, VIEW
from search_app.access import may_read, readable_documents
from search_app.auth import accounts, audit, audit_search, search_wait, too_many, viewer
from search_app.checker import DraftTooLong, check_text, read_draft, summary
from search_app.facets import BY_NAME, COUNTED, FACETS
from search_app.labels import GROUP_LABELS, SORT_LABELS, VIEW_LABELS
from search_app.documents import find_document, original_file
from search_app.params import BadParameter, SearchRequest, parse_search_args, same_value
from search_app.present import passage_item
from search_app.reading import document_page
from search_app.query import MAX_QUERY_CHARS, QueryError
from search_app.render import in_quotes, page_label, short
from search_app.tables import row as table_row
from search_app.tables import to_csv, to_xlsx
from search_app.search import MAX_LIMIT, search_page

blueprint = Blueprint("views", __name__)
blueprint.add_app_template_filter(short)
blueprint.add_app_template_filter(in_quotes)
blueprint.add_app_template_filter(page_label)
FACET_SHOWN = 8  # values per facet before "more"
PAGE_SIZES = (10, 20, 50)
NEWEST_SHOWN = 8  # documents listed on the landing page


@blueprint.app_context_processor
def _index_warning() -> dict:
    """Staff are told when an earlier index is served because the live one
    is damaged (store.open_current)."""
    holder = current_app.extensions.get("tracuu_index")
    return {"index_warning": holder.warning if holder is not None else ""}


def _index():
    return current_app.extensions["tracuu_index"].get()


def _facet_groups(wanted: SearchRequest, facets: dict, link) -> list[dict]:
    """Each counted facet's values with counts; a value's link adds it to
    the facet's chosen values (OR) or takes it out."""
    groups = []
    for facet in COUNTED:
        chosen = getattr(wanted, facet)
        values = []
        for value, count in facets.get(facet, []):
            selected = any(same_value(value, c) for c in chosen)
            values.append({"value": value, "count": count, "selected": selected, "url": link(wanted.toggled(facet, value))})
        for current in chosen:
            if not any(v["selected"] and same_value(v["value"], current) for v in values):
                # A chosen value not listed stays visible, so it can be cleared:
                # nothing left, or (an issuer) part of several names, whose count it is not.
                count = None if BY_NAME[facet].kind == "name" else 0
                values.insert(0, {"value": current, "count": count, "selected": True, "url": link(wanted.toggled(facet, current))})
        groups.append({"name": facet, "label": BY_NAME[facet].label, "options": values, "chosen": len(chosen)})
    return groups


def _active_filters(wanted: SearchRequest, link, without: dict) -> list[dict]:
    """What the filters are, one chip per value, each with the link that drops
    it; ``without``: the count were the facet's filter dropped."""
    active = []
    if wanted.year_from is not None or wanted.year_to is not None:
        low, high = wanted.year_from or "…", wanted.year_to or "…"
        active.append(("year", f"Năm {low}–{high}", link(wanted.changed(year_from=None, year_to=None))))
    if wanted.date_from or wanted.date_to:
        low = display_date(wanted.date_from) if wanted.date_from else "…"
        high = display_date(wanted.date_to) if wanted.date_to else "…"
        active.append(("date", f"Ngày ban hành {low}–{high}", link(wanted.changed(date_from="", date_to=""))))
    for f in FACETS:
        for value in getattr(wanted, f.name):
            text = f"Năm {value}" if f.name == "year" else f"{f.label}: {value}"
            active.append((f.name, text, link(wanted.toggled(f.name, value))))
    chips = [name for name, _, _ in active]
    # Dropping one of a facet's several values finds fewer, not more.
    return [
        {"name": name, "text": text, "clear_url": url, "without": without.get(name) if chips.count(name) == 1 else None}
        for name, text, url in active
    ]


def _pages(current: int, last: int) -> list[int | None]:
    """Page numbers around the current one; None marks a gap."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - out[-1] > 1:
            out.append(None)
        out.append(number)
    return out


@blueprint.get("/")
def home():
    try:
        wanted = parse_search_args(request.args)
    except BadParameter as error:
        return _search_error(str(error))
    index = _index()
    landing = not wanted.q and not wanted.has_filters and wanted.view == "passages"
    if not landing:
        wait = search_wait()
        if wait:
            return _search_error(too_many(wait), wanted, 429)
    reader = viewer()
    try:
        page = _page_of(index, wanted, reader)
    except QueryError as error:
        return _search_error(str(error), wanted)
    current_app.extensions["tracuu_recent"].add(wanted.q, wanted.filters)
    audit_search(wanted)
    return render_template(
        "search.html",
        wanted=wanted,
        landing=landing,
        page=page,
        items=[] if landing else [passage_item(p, wanted.args()) for p in page.passages],
        archive=_archive(index, reader) if landing else None,
        kept_filters=_kept_filters(wanted),
        doc_types=BY_NAME["doc_type"].closed(),
        display_date=display_date,
        **_controls(wanted, page),
    )


def _page_of(index, wanted: SearchRequest, reader):
    """The search page's results: the documents view is the passages grouped by document."""
    group = "document" if wanted.view == "documents" else wanted.group
    return search_page(index, wanted.q, wanted.filters, wanted.sort, wanted.page, wanted.per_page, reader, group)


def _controls(wanted: SearchRequest, page) -> dict:
    """The links that change the results: facets, chips, sorts, views, pages."""

    def link(changed=None, **changes):
        """The page with ``changed`` (a SearchRequest) or ``changes`` to this one."""
        return url_for("views.home", **(changed or wanted.changed(**changes)).args())

    def choices(labels: dict, name: str, current) -> list[dict]:
        return [{"label": label, "url": link(**{name: key}), "selected": key == current} for key, label in labels.items()]

    return {
        "facets": _facet_groups(wanted, page.facets, link),
        "facet_shown": FACET_SHOWN,
        "active": _active_filters(wanted, link, page.without),
        "clear_all": url_for("views.home", **SearchRequest(q=wanted.q, view=wanted.view).args()),
        "sorts": choices(SORT_LABELS, "sort", page.sort),
        "views": choices(VIEW_LABELS, "view", wanted.view),
        "page_sizes": [
            {"size": size, "url": link(per_page=size), "selected": size == page.per_page} for size in PAGE_SIZES
        ],
        "topic_url": lambda topic: link(topic=(topic,)),
        "groupings": choices(GROUP_LABELS, "group", page.grouped),
        "pages": _pages(page.page, page.pages),
        "page_url": lambda number: link(page=number),
        "suggestion_url": link(q=page.suggestion) if page.suggestion else "",
        "export_urls": {kind: url_for("views.export", kind=kind, **wanted.changed().args()) for kind in EXPORTS},
    }


def _kept_filters(wanted: SearchRequest) -> str:
    """The link dropping the filters when a new query from the box kept them
    (the box sends the query it replaced as ``from_q``), else ""."""
    previous = request.args.get("from_q")
    if previous is None or previous.strip() == wanted.q or not wanted.q or not wanted.has_filters:
        return ""
    return url_for("views.home", **SearchRequest(q=wanted.q, view=wanted.view).args())


def _archive(index, reader) -> dict:
    """What the landing page says of the archive the reader may read."""
    documents = readable_documents(index, reader)
    years = [d["year"] for d in documents if d.get("year")]
    types = Counter(d.get("doc_type") or "" for d in documents)  # "": no type known
    newest = sorted(documents, key=lambda d: d.get("date") or str(d.get("year") or ""), reverse=True)
    built = index.catalog.fact("built_at")
    return {
        "documents": len(documents),
        "sections": sum(index.catalog.outline_length(d["doc_id"]) for d in documents),
        "years": (min(years), max(years)) if years else None,
        "types": types.most_common(),
        "type_url": lambda label: url_for("views.home", view="documents", doc_type=label),
        "newest": newest[:NEWEST_SHOWN],
        "all_url": url_for("views.home", view="documents", sort="date"),
        "updated": time.strftime("%H:%M ngày %d/%m/%Y", time.localtime(built)) if built else "",
    }


EXPORTS = ("csv", "xlsx")
MAX_EXPORT_ROWS = 5_000


@blueprint.get("/export.<kind>")
def export(kind: str):
    """The result list of the search in the URL, every page of it (up to
    MAX_EXPORT_ROWS rows), as a spreadsheet; only what the reader may read."""
    if kind not in EXPORTS:
        abort(404)
    try:
        wanted = parse_search_args(request.args)
    except BadParameter as error:
        return _search_error(str(error))
    wait = search_wait()
    if wait:
        return _search_error(too_many(wait), wanted, 429)
    index, reader, rows = _index(), viewer(), []
    try:
        for number in range(1, MAX_EXPORT_ROWS // MAX_LIMIT + 1):
            page = _page_of(index, wanted.changed(page=number, per_page=MAX_LIMIT), reader)
            rows += [table_row(passage_item(p)) for p in page.passages]
            if number >= page.pages:
                break
    except QueryError as error:
        return _search_error(str(error), wanted)
    audit_search(wanted)
    shown = page.groups if page.grouped != "none" else page.total
    title = f"Kết quả tìm “{wanted.q}”" if wanted.q else "Danh sách theo bộ lọc"
    note = f"Xuất {len(rows)} trên {shown} kết quả (tối đa {MAX_EXPORT_ROWS})." if len(rows) < shown else ""
    if kind == "csv":
        body, media_type = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media_type = to_xlsx(rows, title, note), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = current_app.response_class(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="ket-qua-tim-kiem.{kind}"'
    return response


def _search_error(message: str, wanted: SearchRequest | None = None, status: int = 400):
    wanted = wanted or SearchRequest(q=(request.args.get("q") or "")[:200])
    return render_template("search.html", wanted=wanted, error=message, landing=False, page=None), status


def _search_state() -> dict:
    """The search parameters a document page was opened with, to go back to
    the same results; unusable ones are dropped, not reported."""
    try:
        state = parse_search_args(request.args).args()
    except BadParameter:
        state = {"q": request.args.get("q", "")[:200]} if request.args.get("q") else {}
    if "back_q" in request.args:
        # A search within the document: the way back is to the search it came from.
        state.pop("q", None)
        back = " ".join(request.args.get("back_q", "").split())[:MAX_QUERY_CHARS]
        state = ({"q": back} if back else {}) | state
    return state


@blueprint.get("/doc/<doc_id>")
def document(doc_id: str):
    index = _index()
    meta = find_document(index, doc_id)
    reader = viewer()
    if not may_read(reader, meta):
        # The same answer as for no such document: its existence is not confirmed.
        return render_template("error.html", title="Không tìm thấy văn bản",
                               message=f"Không có văn bản “{doc_id[:80]}” trong kho."), 404
    audit(VIEW, meta["doc_id"])
    q = request.args.get("q") or ""
    state = _search_state()
    return render_template(
        "document.html",
        wanted=SearchRequest(q=q[:MAX_QUERY_CHARS]),
        **document_page(index, meta, reader, q),
        readers=_readers(meta, reader),
        display_date=display_date,
        back_url=url_for("views.home", **state),
        back_q=state.get("q", ""),
        search_state=[(name, v) for name, value in state.items() for v in (value if isinstance(value, list) else [value])],
    )


@blueprint.route("/check", methods=["GET", "POST"])
def check():
    """The citation checker: a draft pasted or uploaded, each document it
    cites set against the corpus."""
    if request.method == "GET":
        return render_template("check.html", text="", checked=None)
    wait = search_wait()  # a check costs a search a citation: limited alike
    if wait:
        return render_template("check.html", text="", checked=None, error=too_many(wait)), 429
    text = request.form.get("text") or ""
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            text = read_draft(upload.read(), upload.filename)
    except (ValueError, UnreadableFile) as error:
        return render_template("check.html", text="", checked=None, error=f"Không đọc được tệp: {error}"), 400
    if not text.strip():
        return render_template("check.html", text="", checked=None, error="Hãy dán dự thảo hoặc chọn tệp."), 400
    try:
        checked = check_text(_index(), text, viewer())
    except DraftTooLong as error:
        return render_template("check.html", text="", checked=None, error=str(error)), 413
    return render_template("check.html", text=text, checked=checked, counts=summary(checked),
                           display_date=display_date)


@blueprint.get("/doc/<doc_id>/original")
def original(doc_id: str):
    """The document's original file, as an attachment of its own type: what
    staff check a passage against. Links and citations stay on /doc/."""
    index = _index()
    meta = find_document(index, doc_id)
    found = original_file(index, meta) if may_read(viewer(), meta) else None
    if found is None:
        abort(404)
    audit(ORIGINAL, meta["doc_id"])
    path, media_type = found
    return send_file(path, mimetype=media_type, as_attachment=True, download_name=path.name, max_age=0)


READERS_SHOWN = 50


def _readers(meta: dict, reader) -> list[dict]:
    """For administrators, on a document not open to all: who read it last."""
    if not reader.admin or (meta.get("access") or reader.default) == PUBLIC:
        return []
    entries = accounts().audit(target=meta["doc_id"], actions=(VIEW, ORIGINAL), limit=READERS_SHOWN)
    return [
        {"user": e.user, "at": time.strftime("%d/%m/%Y %H:%M", time.localtime(e.at)), "action": ACTION_LABELS[e.action]}
        for e in entries
    ]


def register_error_pages(app) -> None:
    """Errors answer in the caller's language: JSON under /api, a page elsewhere."""

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(IndexMissing)
    def no_index(error):
        if wants_json():
            return jsonify({"error": str(error)}), 503
        title = "Dữ liệu tra cứu bị lỗi" if isinstance(error, IndexDamaged) else "Hệ thống chưa sẵn sàng"
        message = f"Xin báo quản trị viên. Chi tiết cho quản trị viên: {error}"
        return render_template("error.html", title=title, message=message), 503

    @app.errorhandler(HTTPException)
    def http_error(error):
        messages = {
            404: ("Không tìm thấy trang", "Không có trang này."),
            405: ("Không hỗ trợ", "Không thực hiện được thao tác này ở trang này."),
            413: ("Tệp quá lớn", "Tệp hoặc nội dung gửi lên quá lớn."),
        }
        title, message = messages.get(error.code, ("Lỗi", "Yêu cầu không xử lý được."))
        if wants_json():
            return jsonify({"error": message}), error.code
        return render_template("error.html", title=title, message=message), error.code

    @app.errorhandler(Exception)
    def unexpected(error):
        # Never a traceback to the user; the log keeps it.
        app.logger.exception("Unhandled error on %s", request.path)
        message = "Đã có lỗi ngoài dự kiến; xin thử lại hoặc báo quản trị viên."
        if wants_json():
            return jsonify({"error": message}), 500
        return render_template("error.html", title="Lỗi hệ thống", message=message), 500
