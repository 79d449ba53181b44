"""Each section of a paged original knows the pages it came from."""

from pathlib import Path

from indexer.pages import section_pages
from indexer.parser import parse_document
from indexer.reader import read_text

from .conftest import CORPUS

REPORT = CORPUS / "001_b7d788ee9d07cfc0.txt"


def _paged(text: str, first_lines: list[int]):
    """Page starts at the given 1-based line numbers (page 1 at the top)."""
    offsets = [0]
    position = 0
    for number, line in enumerate(text.split("\n"), 1):
        if number in first_lines:
            offsets.append(position)
        position += len(line) + 1
    return [(offset, page) for page, offset in enumerate(offsets, 1)]


def test_sections_get_the_pages_their_text_stands_on():
    text = read_text(REPORT)
    # Page 2 starts at "### **2. Những vấn đề…" (line 26), page 3 at "## **II. …" (38),
    # page 4 halfway through section II.1 (line 52: its second paragraph).
    pages = _paged(text, [26, 38, 52])
    parsed = parse_document(REPORT.stem, text, Path(REPORT))
    found = section_pages(parsed, text, pages)
    assert "mo-dau" not in found  # this report has no preamble
    assert found["phan-1-I-1"] == [1, 1]
    assert found["phan-1-I-2"] == [2, 2]
    assert found["phan-1-I-3"] == [2, 2]
    assert found["phan-1-II-1"] == [3, 4]  # it runs over the page break
    assert found["phan-1-II-3"] == [4, 4]
    # Every section with text was placed, in reading order.
    placed = [found[s.section_id][0] for s in parsed.sections if s.section_id in found]
    assert placed == sorted(placed)
    assert {s.section_id for s in parsed.sections if s.text.strip()} <= set(found)


def test_no_pages_no_answer():
    text = read_text(REPORT)
    assert section_pages(parse_document(REPORT.stem, text, Path(REPORT)), text, []) == {}
