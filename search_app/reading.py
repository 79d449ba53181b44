"""What a document page shows: its sections with the query's hits marked,
their citations, what the document cites and what cites it, and where
values not written in it came from; only what the reader may read."""

from __future__ import annotations

from indexer.metadata import display_date
from indexer.model import citing_document
from search_app.access import may_read
from search_app.citing import document_citation, passage_citation
from search_app.documents import document_sections, original_file, readable_cited_by, readable_cites
from search_app.labels import source_label
from search_app.present import permalink
from search_app.query import (
    MAX_MARKED_SYLLABLES, MAX_QUERY_CHARS, BuiltQuery, QueryError, build_query, first_syllables, parse_query,
)
from search_app.render import marked, quote_from, render_text, run_in_label, section_label, short
from search_app.search import MAX_HIGHLIGHTS, find_highlights, highlight_spans


def document_page(index, meta: dict, reader, q: str) -> dict:
    """The document page's values for its template; ``q``: the query to mark."""
    sections = document_sections(index, meta)
    built, highlight_notes = _highlighter(q, sections)
    shown = [_shown_section(meta, s, built, highlight_notes) for s in sections]
    headings = {s.section_id: s.heading for s in sections}
    cited = _cited(index, meta, headings, reader)
    by_section: dict[str, list[dict]] = {}
    for group in cited:
        for section_id, _ in group["sections"]:
            by_section.setdefault(section_id, []).append(group)
    return {
        "meta": meta,
        "q": q[:MAX_QUERY_CHARS] if built else "",
        "highlight_notes": highlight_notes,
        "sections": shown,
        "cited": cited,
        "citing": _citing(index, meta, reader),
        "cites_in": by_section,
        "inferred": _inferred(index, meta, reader),
        "document_link": permalink(meta["doc_id"]),
        "document_cited": document_citation(meta),
        "original": original_file(index, meta),
    }


LONG_QUERY_NOTE = (
    f"Câu tìm kiếm dài: chỉ tô sáng các từ trong {MAX_MARKED_SYLLABLES} tiếng đầu; "
    "các từ sau không được tô sáng."
)
MANY_HITS_NOTE = f"Có mục khớp quá nhiều chỗ: mỗi mục chỉ tô sáng {MAX_HIGHLIGHTS} chỗ đầu."


def _highlighter(q: str, sections) -> tuple[BuiltQuery | None, list[str]]:
    """What to mark of the query in a document: its words with their
    diacritics, or without them when that marks more of the document; and
    a note when only the query's first words are marked (the work per page
    stays bounded whatever is pasted into ``?q=``)."""
    if not q.strip():
        return None, []
    try:
        parsed = parse_query(q[:MAX_QUERY_CHARS])
    except QueryError:
        return None, []
    parsed, dropped = first_syllables(parsed, MAX_MARKED_SYLLABLES)
    notes = [LONG_QUERY_NOTE] if dropped or len(q) > MAX_QUERY_CHARS else []
    exact = build_query(parsed)
    if not exact.accented:
        return exact, notes
    folded = build_query(parsed, accented=False)

    def covered(built):
        texts = [f"{s.heading}\n{s.text}" for s in sections]
        return sum(end - start for text in texts for start, end in highlight_spans(text, built))

    # "bảo vê rừng": the exact spelling marks only "bảo" here and there, the
    # folded one the whole "bảo vệ rừng" the search found.
    return (folded if covered(folded) > covered(exact) else exact), notes


def _shown_section(meta: dict, s, built, highlight_notes: list[str]) -> dict:
    """One section of a document page: heading, text and notes marked with the
    query's hits, and its citation; a note saying hits were capped is added once."""
    spans, cut = find_highlights(s.text, built)
    if cut and MANY_HITS_NOTE not in highlight_notes:
        highlight_notes.append(MANY_HITS_NOTE)
    label = section_label(s.heading, s.path) if s.section_id != "mo-dau" else ""
    quoted = quote_from(s.text, spans)
    markers = {n["marker"] for n in s.footnotes}
    referenced: set[str] = set()

    def note_href(marker):
        """The note's link; the marker's first occurrence is where the note links back to."""
        if marker not in markers:
            return None
        anchor = "" if marker in referenced else f"fnref-{s.section_id}-{marker}"
        referenced.add(marker)
        return f"#fn-{s.section_id}-{marker}", anchor

    run_in = run_in_label(s.heading, s.text)
    heading_html = marked(s.heading, highlight_spans(s.heading, built))
    text_html = render_text(s.text, spans, note_href)
    notes = [
        {
            "marker": n["marker"],
            "html": marked(n["text"], highlight_spans(n["text"], built)),
            "back": f"#fnref-{s.section_id}-{n['marker']}" if n["marker"] in referenced else "",
        }
        for n in s.footnotes
    ]
    # The marks the section shows (heading unless run in, text, notes), as
    # rendered: a span across lines is a mark in each paragraph.
    shown = [heading_html] if run_in is None and s.level > 0 else []
    return {
        "section": s,
        "heading_html": heading_html,
        # A heading that is the text's own first words is shown as its
        # number only, run into the text, as the document prints it.
        "run_in": run_in,
        "text_html": text_html,
        "notes": notes,
        "citation": passage_citation(meta, label, quoted, permalink(meta["doc_id"], s.section_id))
        if s.text.strip() else "",
        "hits": sum(str(html).count("<mark>") for html in [*shown, text_html, *(n["html"] for n in notes)]),
    }


def _cited_text(c: dict) -> str:
    """How a citing text names a document it cites: "Kết luận số 69-KL/TU,
    ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy về …"; only what it says."""
    text = f"{c['doc_type'] or 'Văn bản'} số {c['number']}"
    if c["date"]:
        text += f", ngày {display_date(c['date'])}"
    if c["issuer"]:
        text += f" của {c['issuer']}"
    if c["title"]:
        text += f" về {c['title']}"
    return text


def _cited(index, meta: dict, headings: dict[str, str], reader) -> list[dict]:
    """What the document cites, one entry per number, in reading order, with
    the sections citing it and the corpus document when there is one (and
    the reader may open it)."""
    groups: dict[str, dict] = {}
    for c in readable_cites(index, meta, reader):
        group = groups.get(c["key"])
        target = index.documents.get(c["doc_id"]) if c["doc_id"] else None
        if group is None:
            group = groups[c["key"]] = {"text": _cited_text(c), "doc_id": c["doc_id"], "target": target,
                                        "number": c["number"], "sections": []}
        elif len(_cited_text(c)) > len(group["text"]):
            group["text"] = _cited_text(c)  # the fullest mention names it best
        group["sections"].append((c["section_id"], short(headings.get(c["section_id"]) or "phần mở đầu", 60)))
    return list(groups.values())


def _citing(index, meta: dict, reader) -> list[dict]:
    """Which documents the reader may open cite this one, and in which of their sections."""
    groups: dict[str, dict] = {}
    headings: dict[str, dict[str, str]] = {}  # of each citing document, read once
    for c in readable_cited_by(index, meta, reader):
        other = index.documents[c["doc_id"]]
        if c["doc_id"] not in headings:
            headings[c["doc_id"]] = {s["section_id"]: s["heading"] for s in index.catalog.outline(c["doc_id"])}
        group = groups.setdefault(c["doc_id"], {"doc_id": c["doc_id"], "citation": other["citation"], "sections": []})
        heading = headings[c["doc_id"]].get(c["section_id"])
        group["sections"].append((c["section_id"], short(heading or "phần mở đầu", 60)))
    return list(groups.values())


def _inferred(index, meta: dict, reader) -> dict[str, dict]:
    """Metadata values not written in the document itself: where they came
    from, with a link when another document the reader may open gave them."""
    out = {}
    for name, source in meta.get("sources", {}).items():
        if citing_document(source) is not None:
            other = index.documents.get(citing_document(source))
            other = other if may_read(reader, other) else {}
            out[name] = {"text": "suy ra từ văn bản dẫn chiếu đến văn bản này:",
                         "doc_id": other.get("doc_id"), "citation": other.get("citation")}
        elif source.startswith("inferred"):
            out[name] = {"text": source_label(source)}
    return out
