"""Citations fit for an official text: a passage's ("Kết luận số 69-KL/TU,
ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu, mục 3.2: “…” (link)"),
a "Căn cứ" line, and the order such lines take.

The document part is the build's formal citation (indexer.metadata), which
leaves out what the index does not know. A value the document itself does
not state (a number or date taken from a document citing it, a year read
from the text) is flagged, never passed off as read.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.issuers import LEVELS
from indexer.model import is_inferred
from search_app.render import QUOTE_CHARS, quote

_FLAGGED = {"number": "số ký hiệu", "date": "ngày", "year": "năm", "issuer": "cơ quan ban hành"}
# "Căn cứ" lines: by the issuer's level, then by the customary weight of the
# type (the Party's and State's orders of precedence), then oldest first.
BASIS_TYPES = (
    "Hiến pháp", "Luật", "Nghị quyết", "Nghị định", "Chỉ thị", "Quyết định", "Quy định", "Quy chế",
    "Thông tư", "Kết luận", "Hướng dẫn", "Chương trình", "Đề án", "Kế hoạch", "Thông báo", "Tờ trình",
    "Báo cáo", "Công văn",
)  # fmt: skip


@dataclass(frozen=True)
class Style:
    link: bool = True  # the permalink after the quote
    title: bool = False  # the trích yếu after the issuer ("… về …")


def inferred(meta: dict) -> list[str]:
    """Labels of the values in the citation that the document does not state."""
    sources = meta.get("sources") or {}
    # A year shows only without a date, and then only when the title does not already hold it.
    shown = [
        name for name in _FLAGGED
        if meta.get(name) and (name != "year" or not meta.get("date") and str(meta["year"]) not in meta.get("title", ""))
    ]
    return [_FLAGGED[name] for name in shown if is_inferred(str(sources.get(name, "")))]


def about(title: str) -> str:
    """A trích yếu as it follows a citation: "về tiếp tục thực hiện …"."""
    title = " ".join(title.split()).rstrip(".;")
    if not title:
        return ""
    lowered = title[0].lower() + title[1:]
    return lowered if lowered.startswith("về ") else f"về {lowered}"


def document_citation(meta: dict, style: Style = Style(), mark: bool = True) -> str:
    """The document as a citation names it, its mark first ("[Mật] …") and
    what the index inferred flagged after it."""
    text = meta.get("citation") or meta.get("title") or meta.get("doc_id", "")
    if style.title and meta.get("number") and meta.get("title"):
        text += " " + about(meta["title"])  # without a number the title already names it
    flagged = inferred(meta)
    if flagged:
        text += f" [{', '.join(flagged)}: suy ra, chưa đối chiếu bản gốc]"
    return f"[{meta['mark']}] {text}" if mark and meta.get("mark") else text


def passage_citation(
    meta: dict, label: str, quoted: str, link: str, style: Style = Style(), limit: int = QUOTE_CHARS
) -> str:
    """``Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai
    Châu, mục 2.1: “…” (link)``: the quote without footnote marks, a table
    row a line of its own."""
    where = f", {label}" if label else ""
    said = f": “{quote(quoted, limit)}”" if quoted.strip() else ""
    after = f" ({link})" if style.link and link else ""
    return f"{document_citation(meta, Style(link=False, title=style.title))}{where}{said}{after}"


def basis_line(meta: dict) -> str:
    """``Căn cứ Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh
    ủy Lai Châu về …;``; a circulation mark after it, where it shows."""
    stamp = f" [{meta['mark']}]" if meta.get("mark") else ""
    return f"Căn cứ {document_citation(meta, Style(link=False, title=True), mark=False)}{stamp};"


def basis_order(metas: list[dict]) -> list[dict]:
    """Documents in the order their "Căn cứ" lines take; each once."""
    unique = list({m["doc_id"]: m for m in metas}.values())

    def key(meta: dict):
        level = meta.get("issuer_level") or ""
        kind = meta.get("doc_type") or ""
        return (
            LEVELS.index(level) if level in LEVELS else len(LEVELS),
            BASIS_TYPES.index(kind) if kind in BASIS_TYPES else len(BASIS_TYPES),
            meta.get("date") or f"{meta.get('year') or 9999:04d}",
        )

    return sorted(unique, key=key)
