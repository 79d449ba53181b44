"""Document text → safe HTML, and the citation staff paste into a draft.

Every piece of document text is escaped here; the only markup added is
``<mark>`` for highlights, links on footnote markers, and the paragraph and
table structure the parser recorded (paragraphs a line each, table rows as
cells joined by `` | ``, bullets as ``- …``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from operator import itemgetter

from markupsafe import Markup, escape

from analyzers.superscript import SUPERSCRIPT_RUN, from_superscript

CELL_SEPARATOR = " | "
QUOTE_CHARS = 280

Spans = list[tuple[int, int]]


def marked(text: str, spans: Spans) -> Markup:
    """``text`` escaped, with ``spans`` wrapped in ``<mark>``."""
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _clip(spans: Spans, start: int, end: int) -> Spans:
    """Spans inside [start, end), shifted to start at 0.

    ``spans`` sorted and not overlapping, so their ends are sorted too: a
    binary search finds the first one, and a text cut into many lines costs
    no more than its spans, not lines × spans."""
    out = []
    for i in range(bisect_right(spans, start, key=itemgetter(1)), len(spans)):
        s, e = spans[i]
        if s >= end:
            break
        out.append((max(s, start) - start, min(e, end) - start))
    return out


def _disjoint(spans) -> Spans:
    """Sorted, and without a span starting inside the one before (which
    ``marked`` would skip anyway)."""
    out: Spans = []
    for start, end in sorted(spans):
        if not out or start >= out[-1][1]:
            out.append((start, end))
    return out


def _inline(text: str, spans: Spans, note_href) -> Markup:
    """A line: highlights, and footnote markers linked to their notes."""
    if note_href is None:
        return marked(text, spans)
    out, last = [], 0
    for match in SUPERSCRIPT_RUN.finditer(text):
        found = note_href(from_superscript(match.group(0)))
        if found is None:
            continue
        href, anchor = found
        out.append(marked(text[last : match.start()], _clip(spans, last, match.start())))
        # The plain digit inside <sup>: a superscript character would shrink twice.
        link = Markup('<sup><a href="{}" class="fn"{}>{}</a></sup>')
        out.append(link.format(href, Markup(' id="{}"').format(anchor) if anchor else "", from_superscript(match.group(0))))
        last = match.end()
    out.append(marked(text[last:], _clip(spans, last, len(text))))
    return Markup("").join(out)


_ENUMERATOR = re.compile(r"^\s*(?:\(?[0-9]{1,3}[).]|\(?[a-zđ][).]|[IVXLC]{1,6}\.|[-+•])(?:[0-9]+[.)])*\s*")


def run_in_label(heading: str, text: str) -> str | None:
    """The heading's number ("(1)", "2.", "a)") when the rest of the heading is
    the beginning of ``text`` (the parser took the first sentence as the
    heading): "" for a heading without a number, None when the heading is
    not repeated by the text."""
    lead = _ENUMERATOR.match(heading)
    number = lead.group(0).strip() if lead else ""
    words = heading[lead.end() if lead else 0 :].rstrip("…").strip()
    if len(words) < 12 or not text.lstrip().startswith(words):
        return None
    return number


def render_text(text: str, spans: Spans = (), note_href=None) -> Markup:
    """A section's clean text as paragraphs, lists and tables.

    ``note_href(marker)`` gives the link for a footnote marker and the id
    the marker takes (the note links back to it; "" for none), or None."""
    spans = _disjoint(spans)
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((line, offset))
        offset += len(line) + 1
    out: list[Markup] = []
    i = 0
    while i < len(lines):
        line, start = lines[i]
        if not line.strip():
            i += 1
            continue
        if CELL_SEPARATOR in line:
            rows = []
            while i < len(lines) and CELL_SEPARATOR in lines[i][0]:
                rows.append(lines[i])
                i += 1
            out.append(_table(rows, spans, note_href))
            continue
        if line.startswith("- "):
            items = []
            while i < len(lines) and lines[i][0].startswith("- "):
                item, item_start = lines[i]
                items.append(Markup("<li>{}</li>").format(
                    _inline(item[2:], _clip(spans, item_start + 2, item_start + len(item)), note_href)
                ))
                i += 1
            out.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
            continue
        out.append(Markup("<p>{}</p>").format(_inline(line, _clip(spans, start, start + len(line)), note_href)))
        i += 1
    return Markup("\n").join(out)


def _table(rows, spans: Spans, note_href) -> Markup:
    """Rows as the parser kept them: merged cells are lost, so short rows are
    padded; the first row of a table is its header."""
    cells_of = []
    for line, start in rows:
        cells, position = [], start
        for cell in line.split(CELL_SEPARATOR):
            cells.append(_inline(cell, _clip(spans, position, position + len(cell)), note_href))
            position += len(cell) + len(CELL_SEPARATOR)
        cells_of.append(cells)
    width = max(len(cells) for cells in cells_of)
    html = []
    for number, cells in enumerate(cells_of):
        tag = "th" if number == 0 and len(cells_of) > 1 else "td"
        padded = cells + [Markup("")] * (width - len(cells))
        html.append(
            Markup("<tr>{}</tr>").format(
                Markup("").join(Markup("<{0}>{1}</{0}>").format(Markup(tag), c) for c in padded)
            )
        )
    head, body = (html[:1], html[1:]) if len(html) > 1 else ([], html)
    return Markup('<div class="table-wrap"><table>{}{}</table></div>').format(
        Markup("<thead>{}</thead>").format(Markup("").join(head)) if head else "",
        Markup("<tbody>{}</tbody>").format(Markup("").join(body)),
    )


# ---------------------------------------------------------------- citations

_PART = re.compile(r"^(Phần\s+thứ\s+\S+?|Phần\s+[IVXLC\d]+)[.:]?(?:\s|$)", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*|[IVXLC]+)\s*[.\-–)]?(?:\s|$)")
_ITEM = re.compile(r"^\((\d+|[a-zđ])\)")
_NAMED = re.compile(r"^(PHỤ LỤC|BIỂU[^.:]*)", re.IGNORECASE)


def section_label(heading: str, path: list[str]) -> str:
    """Where a passage stands, as a citation says it: "Phần thứ nhất, mục
    II.2.1", "mục 2.1, điểm (3)", "Phụ lục". "" for the opening."""
    part, numbers, item, named = "", [], "", ""
    for text in [*path, heading]:
        text = text.strip()
        if m := _PART.match(text):
            part = m.group(1)[0].upper() + m.group(1)[1:].lower()
        elif m := _ITEM.match(text):
            item = f"({m.group(1)})"
        elif m := _NUMBERED.match(text):
            number = m.group(1)
            # "2" then "2.1": the child number already holds its parent's.
            if numbers and number.startswith(numbers[-1] + "."):
                numbers[-1] = number
            else:
                numbers.append(number)
        elif m := _NAMED.match(text):
            named = m.group(1).strip().capitalize()
    pieces = [part] if part else []
    if named:
        pieces.append(named)
    if numbers:
        pieces.append("mục " + ".".join(numbers))
    if item:
        pieces.append(f"điểm {item}")
    return ", ".join(pieces)


def page_label(pages) -> str:
    """[3, 3] → "Trang 3"; [3, 4] → "Trang 3–4"."""
    first, last = pages
    return f"Trang {first}" if first == last else f"Trang {first}–{last}"


def short(heading: str, limit: int = 50) -> str:
    """Ancestors in a breadcrumb: enough to recognise, not whole headings."""
    if len(heading) <= limit:
        return heading
    cut = heading.rfind(" ", 0, limit)
    return heading[: cut if cut > 0 else limit].rstrip(" ,.:;") + "…"


def in_quotes(text: str) -> str:
    """The query as the page names it: “dân vận”, but a query that is one
    quoted phrase already keeps its own quotes (not “"dân vận"”)."""
    if len(text) > 1 and text[0] in "\"“" and text[-1] in "\"”" and not any(q in text[1:-1] for q in "\"“”"):
        return text
    return f"“{text}”"





def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """What a citation quotes of ``text``: at most ``limit`` characters, cut
    at a space; footnote markers left out (the note is not quoted with its
    mark), a table row a line of its own with its cells apart ("a | b")."""
    lines, prose = [], []
    for line in SUPERSCRIPT_RUN.sub("", text).split("\n"):
        if CELL_SEPARATOR in line:
            if prose:
                lines.append(" ".join(prose))
                prose = []
            lines.append(" | ".join(" ".join(cell.split()) for cell in line.split(CELL_SEPARATOR)))
        elif line.strip():
            prose.append(" ".join(line.split()))
    if prose:
        lines.append(" ".join(prose))
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(" ,.;:|") + "…"


_SENTENCE_END = re.compile(r"[.;:!?…]\s+|\n")


def quote_from(text: str, spans: Spans, limit: int = QUOTE_CHARS) -> str:
    """What a citation quotes of a passage: from the start of the sentence
    holding the first match (the section's start without one), whole words."""
    start, prefix = 0, ""
    if spans:
        first = spans[0][0]
        ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, first)]
        start = ends[-1] if ends else 0
        if first - start > limit // 2:
            # A very long sentence: begin a few words before the match.
            space = text.rfind(" ", start, first - limit // 4)
            if space > start:
                start, prefix = space + 1, "…"
    return prefix + quote(text[start:], limit)
