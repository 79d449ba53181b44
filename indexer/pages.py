"""Which pages of a paged original (a PDF, a scan) each section came from,
so staff can find the passage on paper.

A reader of a paged format gives the text in the parser's form and the
character offset at which each page starts. The parser moves text around
(footnotes leave the body, page-split paragraphs are joined, markup goes),
so sections are found again in the text by their letters and digits alone:
in reading order, each section's first letters after the previous
section's, its last letters after its first.
"""

from __future__ import annotations

import bisect
import re

from indexer.model import ParsedDocument

# Enough letters to place a section, few enough to stay inside one paragraph.
PROBE = 48
_MARKUP = re.compile(r"<[^>]*>|[⁰¹²³⁴⁵⁶⁷⁸⁹]")


def _skeleton(text: str) -> tuple[str, list[int]]:
    """The lower-case letters and digits of ``text`` with markup removed, and
    each one's offset in ``text``."""
    letters, offsets = [], []
    position = 0
    for match in list(_MARKUP.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        for i in range(position, end):
            ch = text[i]
            if ch.isalnum():
                letters.append(ch.lower())
                offsets.append(i)
        if match is None:
            break
        position = match.end()
    return "".join(letters), offsets


def section_pages(parsed: ParsedDocument, text: str, page_starts: list[tuple[int, int]]) -> dict[str, list[int]]:
    """section id → [first page, last page], for the sections found in ``text``
    (the reader's text, before parsing); ``page_starts``: (offset in text,
    page number) at the start of each page, in order."""
    if not page_starts:
        return {}
    skeleton, offsets = _skeleton(text)
    starts = [offset for offset, _ in page_starts]

    def page_at(index: int) -> int:
        offset = offsets[min(index, len(offsets) - 1)]
        return page_starts[max(0, bisect.bisect_right(starts, offset) - 1)][1]

    found: dict[str, list[int]] = {}
    cursor = 0
    for section in parsed.sections:
        body = _skeleton(_MARKUP.sub("", section.text or section.heading))[0]
        if not body:
            continue
        first = skeleton.find(body[:PROBE], cursor)
        if first < 0:
            continue
        last = skeleton.find(body[-PROBE:], first) if len(body) > PROBE else first
        end = (last if last >= 0 else first) + min(len(body), PROBE) - 1
        found[section.section_id] = [page_at(first), page_at(end)]
        cursor = first + 1
    return found
