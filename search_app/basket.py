"""The citation basket ("Tập trích dẫn"): passages staff collect while
searching, each with its quote (editable) and formal citation, kept on the
server (accounts.sqlite3) for the signed-in user, or for the browser
session of nobody signed in, and written out for a draft (search_app.export).

Every page is a form: it works without JavaScript. What is shown is read
again from the index each time, so a citation follows the index, and a
document the reader may no longer read is left out, never shown.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from flask import (
    Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for,
)  # fmt: skip
from flask_login import current_user
from werkzeug.exceptions import NotFound

from indexer.parser import OPENING_ID
from search_app.access import may_read
from search_app.accounts import EXPORT, Accounts
from search_app.auth import audit, safe_next, viewer
from search_app.citing import Style, basis_line, basis_order, document_citation, passage_citation
from search_app.documents import document_sections, find_document, outline
from search_app.export import Export, Quote, to_docx, to_markdown, to_text
from search_app.present import permalink
from search_app.query import MAX_QUERY_CHARS, QueryError, build_query, parse_query
from search_app.render import quote, quote_from, section_label
from search_app.search import highlight_spans

MAX_ITEMS = 200
MAX_QUOTE_CHARS = 5000
ADDED_QUOTE_CHARS = 1000
SESSION_BASKET_DAYS = 30  # a browser session's basket, untouched this long, is dropped
blueprint = Blueprint("basket", __name__, url_prefix="/basket")


@dataclass(frozen=True)
class Item:
    id: int
    doc_id: str
    section_id: str
    quote: str


class Baskets:
    """Each owner's items in order; ``owner`` is "u:<name>" or "s:<token>"."""

    def __init__(self, accounts: Accounts):
        self._accounts = accounts

    def items(self, owner: str) -> list[Item]:
        with self._accounts.connect() as db:
            rows = db.execute(
                "SELECT id, doc_id, section_id, quote FROM basket WHERE owner = ? ORDER BY position, id", (owner,)
            ).fetchall()
        return [Item(*row) for row in rows]

    def count(self, owner: str) -> int:
        with self._accounts.connect() as db:
            return db.execute("SELECT COUNT(*) FROM basket WHERE owner = ?", (owner,)).fetchone()[0]

    def add(self, owner: str, doc_id: str, section_id: str, quoted: str) -> bool:
        """False when the basket is full."""
        now = time.time()
        with self._accounts.connect() as db:
            db.execute(
                "DELETE FROM basket WHERE owner LIKE 's:%' AND owner IN (SELECT owner FROM basket "
                "WHERE owner LIKE 's:%' GROUP BY owner HAVING MAX(added) < ?)",
                (now - SESSION_BASKET_DAYS * 86400,),
            )
            count, last = db.execute(
                "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM basket WHERE owner = ?", (owner,)
            ).fetchone()
            if count >= MAX_ITEMS:
                return False
            db.execute(
                "INSERT INTO basket (owner, position, doc_id, section_id, quote, added) VALUES (?, ?, ?, ?, ?, ?)",
                (owner, last + 1, doc_id, section_id, quoted[:MAX_QUOTE_CHARS], now),
            )
        return True

    def edit(self, owner: str, item_id: int, quoted: str) -> None:
        with self._accounts.connect() as db:
            db.execute(
                "UPDATE basket SET quote = ? WHERE owner = ? AND id = ?", (quoted[:MAX_QUOTE_CHARS], owner, item_id)
            )

    def move(self, owner: str, item_id: int, step: int) -> None:
        """One place up (step -1) or down (+1)."""
        ids = [item.id for item in self.items(owner)]
        if item_id not in ids:
            return
        at = ids.index(item_id)
        to = max(0, min(len(ids) - 1, at + step))
        ids.insert(to, ids.pop(at))
        with self._accounts.connect() as db:
            db.executemany("UPDATE basket SET position = ? WHERE id = ?", list(enumerate(ids, start=1)))

    def remove(self, owner: str, item_id: int) -> None:
        with self._accounts.connect() as db:
            db.execute("DELETE FROM basket WHERE owner = ? AND id = ?", (owner, item_id))

    def clear(self, owner: str) -> None:
        with self._accounts.connect() as db:
            db.execute("DELETE FROM basket WHERE owner = ?", (owner,))

    def adopt(self, old: str, new: str) -> None:
        """A session's items, after the user's own, when they sign in."""
        for item in self.items(old):
            self.add(new, item.doc_id, item.section_id, item.quote)
        self.clear(old)


def baskets() -> Baskets:
    return current_app.extensions["tracuu_baskets"]


def owner(create: bool = False) -> str:
    """Whose basket this request reads; "" for a browser that has none yet."""
    if current_user.is_authenticated:
        return f"u:{current_user.user.name}"
    token = session.get("basket")
    if not token and create:
        token = session["basket"] = secrets.token_urlsafe(24)
    return f"s:{token}" if token else ""


@blueprint.app_context_processor
def _count() -> dict:
    who = owner()
    return {"basket_count": baskets().count(who) if who else 0}


def _index():
    return current_app.extensions["tracuu_index"].get()


@dataclass
class Shown:
    item: Item
    meta: dict
    label: str
    citation: str  # the passage's, as copied
    note: str  # the footnote's: the citation without the quote


def _shown(style: Style) -> tuple[list[Shown], int]:
    """The owner's items the reader may read, and how many were left out."""
    who = owner()
    if not who:
        return [], 0
    index, reader = _index(), viewer()
    shown, hidden = [], 0
    outlines: dict[str, list[dict]] = {}
    for item in baskets().items(who):
        meta = find_document(index, item.doc_id)
        if not may_read(reader, meta):
            hidden += 1
            continue
        if item.doc_id not in outlines:
            outlines[item.doc_id] = index.catalog.outline(item.doc_id)
        found = _found(outlines[item.doc_id], item.section_id)
        if found is None:
            hidden += 1  # the document was re-read and the section is gone
            continue
        section, path = found
        label = section_label(section["heading"], path) if item.section_id != OPENING_ID else ""
        link = permalink(item.doc_id, "" if item.section_id == OPENING_ID else item.section_id)
        where = f", {label}" if label else ""
        note = document_citation(meta, style) + where + (f" ({link})" if style.link else "")
        citation = passage_citation(meta, label, item.quote, link, style, MAX_QUOTE_CHARS)
        shown.append(Shown(item, meta, label, citation, note))
    return shown, hidden


def _found(entries: list[dict], section_id: str) -> tuple[dict, list[str]] | None:
    """A section's outline entry and the headings above it."""
    return next(((entry, above) for entry, above in outline(entries) if entry["section_id"] == section_id), None)


def _style() -> Style:
    return Style(link=request.args.get("link", "1") != "0", title=request.args.get("title", "0") == "1")


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) if request.form.get("next") else default)


@blueprint.get("")
def page():
    style = _style()
    shown, hidden = _shown(style)
    basis = [basis_line(m) for m in basis_order([s.meta for s in shown])]
    return render_template(
        "basket.html",
        shown=shown,
        hidden=hidden,
        basis=basis,
        style=style,
        public_url=current_app.config.get("PUBLIC_URL"),
        max_items=MAX_ITEMS,
    )


@blueprint.post("/add")
def add():
    """From a result or a document section; the quote is the citation's
    (the sentence holding the first match of ``q``, else the section's start)."""
    doc_id, section_id = request.form.get("doc_id", ""), request.form.get("section_id", "")
    index = _index()
    meta = find_document(index, doc_id)
    if not may_read(viewer(), meta):
        raise NotFound()
    section = next((s for s in document_sections(index, meta) if s.section_id == section_id), None)
    if section is None:
        raise NotFound()
    spans = highlight_spans(section.text, _built(request.form.get("q", "")))
    # Longer than a copied citation's: staff shorten it to the sentences they want.
    quoted = quote_from(section.text, spans, ADDED_QUOTE_CHARS) if section.text.strip() else ""
    if baskets().add(owner(create=True), meta["doc_id"], section_id, quoted or quote(section.heading)):
        flash(f"Đã thêm vào tập trích dẫn: {document_citation(meta)}"
              + (f", {section_label(section.heading, section.path)}" if section_id != OPENING_ID else "") + ".")
    else:
        flash(f"Tập trích dẫn đã đủ {MAX_ITEMS} trích dẫn; hãy xuất hoặc xóa bớt trước khi thêm.")
    return _back(url_for("basket.page"))


def _built(q: str):
    if not q.strip():
        return None
    try:
        return build_query(parse_query(q[:MAX_QUERY_CHARS]), accented=False)
    except QueryError:
        return None


def _item_id() -> int:
    try:
        return int(request.form.get("item", ""))
    except ValueError:
        raise NotFound() from None


@blueprint.post("/edit")
def edit():
    text = (request.form.get("quote") or "").replace("\r\n", "\n").strip()
    if not text:
        flash("Đoạn trích không được để trống; muốn bỏ trích dẫn này thì bấm “Xóa”.")
    else:
        baskets().edit(owner(), _item_id(), text)
        flash("Đã lưu đoạn trích.")
    return redirect(url_for("basket.page"))


@blueprint.post("/move")
def move():
    baskets().move(owner(), _item_id(), -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("basket.page"))


@blueprint.post("/remove")
def remove():
    baskets().remove(owner(), _item_id())
    return redirect(url_for("basket.page"))


@blueprint.post("/clear")
def clear():
    if owner():
        baskets().clear(owner())
    flash("Đã xóa hết trích dẫn.")
    return redirect(url_for("basket.page"))


FORMATS = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", to_docx),
    "txt": ("text/plain; charset=utf-8", to_text),
    "md": ("text/markdown; charset=utf-8", to_markdown),
}


@blueprint.get("/export.<fmt>")
def export(fmt: str):
    if fmt not in FORMATS:
        raise NotFound()
    shown, _ = _shown(_style())
    made = Export(
        quotes=[Quote(quote(s.item.quote, MAX_QUOTE_CHARS), s.note, s.meta.get("mark", "")) for s in shown],
        basis=[basis_line(m) for m in basis_order([s.meta for s in shown])],
        made=time.strftime("%d/%m/%Y"),
    )
    # Quotes leave the server here: who took what, as for a document view.
    audit(EXPORT, f"{fmt}: " + ", ".join(dict.fromkeys(f"{s.item.doc_id}#{s.item.section_id}" for s in shown)))
    media_type, write = FORMATS[fmt]
    body = write(made)
    response = Response(body if isinstance(body, bytes) else body.encode("utf-8"), mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="tap-trich-dan.{fmt}"'
    return response
