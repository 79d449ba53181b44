"""The citation checker: every document a draft cites, found with the
index's own extractor (indexer.citations), set against the corpus document
bearing that number.

A citation is "ok" when what the draft says of it agrees with that
document, "mismatch" when its type, date, issuer or title disagrees
(``differences`` says how), "unknown" when the corpus holds no document of
that number the reader may read: a document from elsewhere, not an error.
What the draft leaves out (no date, no issuer) is not a disagreement.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analyzers.normalize import fold_key
from indexer.citations import extract_citations
from indexer.issuers import canonical_issuer
from indexer.reader import DOCUMENT_SUFFIXES, UnreadableFile, read_document
from search_app.access import Viewer, readable

OK, MISMATCH, UNKNOWN = "ok", "mismatch", "unknown"
# A draft is a few pages; the check reads the whole text, so a request stays bounded.
MAX_DRAFT_CHARS = 500_000
MAX_DRAFT_PAGES = 300
# Titles agree when this share of the shorter one's words is in the other:
# a draft often quotes a trích yếu in part ("về tiếp tục thực hiện Đề án …").
TITLE_OVERLAP = 0.6
TITLE_MIN_WORDS = 3  # fewer words say too little to disagree


@dataclass
class Checked:
    number: str  # as the draft writes it
    status: str
    differences: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {"draft", "corpus"}
    doc_id: str | None = None
    citation: str = ""  # the corpus document's formal citation
    draft: dict[str, str] = field(default_factory=dict)  # doc_type, date, issuer, title as the draft says them
    start: int = 0  # the number's place in the draft's text
    end: int = 0
    line: str = ""  # the draft's line holding it

    def to_json(self) -> dict:
        return asdict(self)


class DraftTooLong(ValueError):
    """A draft past MAX_DRAFT_CHARS; the message is for the user."""


def check_text(index, text: str, viewer: Viewer | None = None) -> list[Checked]:
    """Each citation in ``text``, in order. Raises DraftTooLong."""
    if len(text) > MAX_DRAFT_CHARS:
        raise DraftTooLong(f"Dự thảo quá dài ({len(text):,} ký tự, tối đa {MAX_DRAFT_CHARS:,}).".replace(",", "."))
    documents_numbered = _readable_by_number(index, viewer)
    found = []
    for c in extract_citations(text):
        draft = {"doc_type": c.doc_type, "date": c.date, "issuer": c.issuer, "title": c.subject}
        start = text.rfind("\n", 0, c.start) + 1
        stop = text.find("\n", c.end)
        line = " ".join(text[start : stop if stop >= 0 else len(text)].split())
        candidates = documents_numbered(c.key)
        if not candidates:
            found.append(Checked(c.number, UNKNOWN, draft={k: v for k, v in draft.items() if v}, start=c.start,
                                 end=c.end, line=line))
            continue
        # A number comes back every year ("123/QĐ-UBND"): the draft means the
        # document of that number it agrees with most.
        meta, differences = min(((m, _differences(draft, m)) for m in candidates), key=lambda found: len(found[1]))
        found.append(
            Checked(
                c.number, MISMATCH if differences else OK, differences, meta["doc_id"], meta.get("citation", ""),
                {k: v for k, v in draft.items() if v}, c.start, c.end, line,
            )
        )
    return found


def _readable_by_number(index, viewer: Viewer | None):
    """Number key → the documents bearing it that ``viewer`` may read (a
    lookup: a draft cites a few numbers of tens of thousands)."""
    numbered = index.cached("documents_by_number", lambda: _by_number(index.catalog.documents))
    mask = readable(index, viewer)
    documents = index.catalog.documents

    def candidates(key: str) -> list[dict]:
        return [documents[i] for i in numbered.get(key, ()) if mask is None or mask[i]]

    return candidates


def _by_number(documents: list[dict]) -> dict[str, list[int]]:
    numbered: dict[str, list[int]] = {}
    for place, meta in enumerate(documents):
        if meta.get("number_key"):
            numbered.setdefault(meta["number_key"], []).append(place)
    return numbered


def _differences(draft: dict, meta: dict) -> dict:
    """The fields the draft states and the document states otherwise."""
    return {
        name: {"draft": draft[name], "corpus": meta.get(name) or ""}
        for name in ("doc_type", "date", "issuer", "title")
        if draft[name] and meta.get(name) and not _agree(name, draft[name], meta[name])
    }


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", fold_key(text)).split()


def _agree(name: str, draft: str, corpus: str) -> bool:
    if name == "issuer":
        # "Ban Thường vụ Tỉnh ủy" for "Ban Thường vụ Tỉnh ủy Lai Châu": the
        # province goes without saying; another body does not.
        ours, theirs = set(_words(canonical_issuer(draft))), set(_words(corpus))
        return ours <= theirs or theirs <= ours
    if name == "title":
        ours, theirs = _words(draft), _words(corpus)
        ours, theirs = [w for w in ours if w != "ve"], [w for w in theirs if w != "ve"]
        if min(len(ours), len(theirs)) < TITLE_MIN_WORDS:
            return True
        shared = len(set(ours) & set(theirs))
        return shared >= TITLE_OVERLAP * min(len(set(ours)), len(set(theirs)))
    return draft == corpus if name == "date" else fold_key(draft) == fold_key(corpus)


def read_draft(data: bytes, filename: str) -> str:
    """A draft's text, read as the index reads a corpus file (Word, PDF,
    legacy encodings), but no scan and no PDF over MAX_DRAFT_PAGES pages.
    Raises UnreadableFile, or ValueError for a type that is no document."""
    suffix = Path(filename or "").suffix.lower() or ".txt"
    if suffix not in DOCUMENT_SUFFIXES:
        raise ValueError(f"định dạng {suffix} chưa được hỗ trợ (chỉ {', '.join(DOCUMENT_SUFFIXES)})")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"du-thao{suffix}"
        path.write_bytes(data)
        try:
            # A draft is typed text: a scan's OCR (seconds a page) or a long PDF
            # would hold a web thread for minutes.
            return read_document(path, ocr=False, max_pages=MAX_DRAFT_PAGES).text
        except UnreadableFile as error:
            # Named as the user named it, not by the temporary copy's path.
            raise UnreadableFile(Path(Path(filename or "").name or path.name), error.reason) from None


def summary(checked: list[Checked]) -> dict[str, int]:
    return {status: sum(c.status == status for c in checked) for status in (OK, MISMATCH, UNKNOWN)}


def report(checked: list[Checked]) -> dict:
    """What the API and ``tracuu check --json`` return."""
    return {"citations": [c.to_json() for c in checked], "summary": summary(checked)}
